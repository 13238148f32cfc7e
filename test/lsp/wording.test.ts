// How the editor writes counts (server/wording.ts) and the digit grouping it relies on.

import * as assert from "node:assert/strict";
import fc from "fast-check";
import { grouped } from "../../analysis";
import { macsText, ordinal, paramsText } from "../../server/wording";

describe("wording", () => {
  it("params: exact with grouping; singular for one", () => {
    assert.equal(paramsText(61_706n), "61,706 params");
    assert.equal(paramsText(1n), "1 param");
    assert.equal(paramsText(11_689_512n), "11,689,512 params");
  });
  it("MACs: exact below 10,000, then MMAC / GMAC / TMAC with two decimals", () => {
    assert.equal(macsText(225n), "225 MACs");
    assert.equal(macsText(9_999n), "9,999 MACs");
    assert.equal(macsText(416_520n), "0.42 MMAC");
    assert.equal(macsText(105_415_200n), "105.42 MMAC");
    assert.equal(macsText(1_814_073_344n), "1.81 GMAC");
    assert.equal(macsText(4_000_000_000_000n), "4 TMAC");
  });
  it("ordinals", () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal), ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]);
  });
  it("grouped: commas every three digits, for bigints, negatives and decimals (as toLocaleString would)", () => {
    assert.equal(grouped(0n), "0");
    assert.equal(grouped(999), "999");
    assert.equal(grouped(1000), "1,000");
    assert.equal(grouped(-1234567), "-1,234,567");
    assert.equal(grouped(1234.5), "1,234.5");
    assert.equal(grouped(123456789012345678901234567890n), "123,456,789,012,345,678,901,234,567,890");
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => {
        assert.equal(grouped(n), n.toLocaleString("en-US"));
      }),
    );
  });
});
