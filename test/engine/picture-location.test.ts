// The run view reads a file's `sample "x.png"` only from inside the workspace folder.

import * as assert from "node:assert/strict";
import { pictureLocation } from "../../client/run/location";

describe("run view: where a sample picture may be read", () => {
  const doc = "/ws/nets/lenet.cnn";
  it("relative to the .cnn file, inside the folder", () => {
    assert.deepEqual(pictureLocation(doc, "/ws", "digit.png"), { path: "/ws/nets/digit.png" });
    assert.deepEqual(pictureLocation(doc, "/ws", "../pics/cat.jpg"), { path: "/ws/pics/cat.jpg" });
    assert.deepEqual(pictureLocation(doc, "/ws/", "pics\\\\dog.png"), { path: "/ws/nets/pics/dog.png" });
  });
  it("never outside it, nor absolute paths or URIs", () => {
    assert.match((pictureLocation(doc, "/ws", "../../etc/passwd.png") as { refused: string }).refused, /outside the workspace folder/);
    assert.match((pictureLocation(doc, "/ws", "../../ws2/x.png") as { refused: string }).refused, /outside the workspace folder/);
    assert.match((pictureLocation(doc, "/ws", "/etc/x.png") as { refused: string }).refused, /relative to the \.cnn file/);
    assert.match((pictureLocation(doc, "/ws", "https://example.org/x.png") as { refused: string }).refused, /relative to the \.cnn file/);
  });
});
