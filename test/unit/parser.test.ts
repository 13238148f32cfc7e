// Parsing never fails: every syntax error is reported once, with a tight range, and
// the rest of the file is still analyzed.

import * as assert from "node:assert/strict";
import { parse, LineIndex } from "../../grammar";
import { analyze, shapeText, type NodeOf } from "../../analysis";

function syntaxErrors(text: string) {
  return analyze(text, "t.cnn").diagnostics.filter((d) => d.code === "syntax");
}

function at(text: string, d: { start: number; end: number }) {
  return text.slice(d.start, d.end);
}

describe("parser recovery", () => {
  it("a missing `}` is reported once, at the brace, and the next network is analyzed", () => {
    const text = "network A {\n  input 8x8x1\n  conv 2 3x3\n\nnetwork B {\n  input 8x8x1\n  conv 4 3x3 pad 1\n}\n";
    const errors = syntaxErrors(text);
    assert.equal(errors.length, 1);
    assert.equal(at(text, errors[0]), "{");
    assert.equal(new LineIndex(text).lineOf(errors[0].start), 0);
    const b = analyze(text, "t.cnn").networks.find((n) => n.name === "B")!;
    assert.equal(shapeText(b.output), "8×8×4");
    assert.equal(b.params, 40n);
  });

  it("a `}` that closes nothing is reported at itself", () => {
    const text = "network A {\n  input 8x8x1\n}\n}\nnetwork B { input 4x4x1 }\n";
    const errors = syntaxErrors(text);
    assert.equal(errors.length, 1);
    assert.equal(at(text, errors[0]), "}");
    assert.equal(new LineIndex(text).lineOf(errors[0].start), 3);
    assert.equal(analyze(text, "t.cnn").networks.length, 2);
  });

  it("an inner block left open is found by indentation", () => {
    const text = "network A {\n  input 8x8x4\n  residual {\n    conv 4 3x3 pad 1\n  relu\n}\n";
    const errors = syntaxErrors(text);
    assert.equal(errors.length, 1);
    assert.equal(at(text, errors[0]), "{");
    assert.equal(new LineIndex(text).lineOf(errors[0].start), 2, "the residual's brace, not the network's");
  });

  it("a malformed number is one error covering the whole literal", () => {
    for (const bad of ["12abc", "3.5.2", "1e", "7x7y"]) {
      const text = `input 32x32x3\nconv 6 ${bad}\nrelu\n`;
      const errors = syntaxErrors(text);
      if (bad === "7x7y") {
        // `7x7y` is 7 × `7y`: the second part is the malformed one
        assert.equal(errors.length, 1, bad);
        assert.equal(at(text, errors[0]), "7y");
        continue;
      }
      assert.equal(errors.length, 1, bad);
      assert.equal(at(text, errors[0]), bad);
      assert.match(errors[0].message, /malformed number/);
    }
  });

  it("a number past float64 (`1e999`) is one error at the literal, wherever it stands — not a layer silently without a shape", () => {
    for (const line of ["conv 1e999 3x3", "layerscale init 1e999", "bn eps 1e999", "conv 4 3x3 bias 1e999", "dropout 1e-999"]) {
      const text = `input 32x32x3\n${line}\nrelu\n`;
      const errors = syntaxErrors(text);
      if (line.includes("1e-999")) {
        // underflows to 0: a representable value, checked as a value (p = 0 is allowed)
        assert.deepEqual(errors, [], line);
        continue;
      }
      assert.equal(errors.length, 1, line);
      assert.equal(at(text, errors[0]), "1e999");
      assert.match(errors[0].message, /number `1e999` is too large/);
    }
  });

  it("an unterminated list is reported once where it ends; the next lines still count", () => {
    const text = "input 3x3x1\nconv 1 3x3 weights [[1,0,-1],[1,0\nrelu\nconv 2 1x1\n";
    const a = analyze(text, "t.cnn");
    const errors = a.diagnostics.filter((d) => d.severity === "error");
    assert.equal(errors.length, 1, errors.map((e) => e.message).join("; "));
    assert.equal(new LineIndex(text).lineOf(errors[0].start), 1);
  });

  it("a list may span lines", () => {
    const text = "input 3x3x1\nconv 1 3x3 weights [[1,0,-1],\n                   [1,0,-1],\n                   [1,0,-1]] bias 0\n";
    const a = analyze(text, "t.cnn");
    assert.deepEqual(a.diagnostics, []);
    const conv = a.networks[0].graph[1] as NodeOf<"conv">;
    assert.equal(conv.op, "conv");
    assert.deepEqual(conv.attrs.weights, [1, 0, -1, 1, 0, -1, 1, 0, -1]);
  });

  it("an unterminated string is reported at the string", () => {
    const text = 'input 28x28x1 sample "digit.png\nconv 6 5x5\n';
    const errors = syntaxErrors(text);
    assert.equal(errors.length, 1);
    assert.equal(at(text, errors[0]), '"digit.png');
  });

  it("text outside a comment gets a located message that mentions comments", () => {
    const text = "input 32x32x1\n卷积 6 5x5\nconv 6 5x5\n";
    const errors = syntaxErrors(text);
    assert.ok(errors.length >= 1);
    assert.equal(new LineIndex(text).lineOf(errors[0].start), 1);
    assert.match(errors[0].message, /comment/);
    assert.ok(errors.every((e) => e.end - e.start <= 4), "tight ranges");
  });

  it("a value missing at the end of a line points at the option", () => {
    const text = "input 8x8x1\nconv 2 3x3 stride\nrelu\n";
    const errors = syntaxErrors(text);
    assert.equal(errors.length, 1);
    assert.equal(at(text, errors[0]), "stride");
  });

  it("a `=` where none can stand says how options and named arguments are written, at the `=` (` =` typed at a line's end, `stride = 2`)", () => {
    const cases = [
      "block B {\n  conv 8 3x3 =\n  relu\n}\nnetwork N {\n  input 8x8x1\n  B\n}\n",
      "network N {\n  input 8x8x1\n  residual {\n    conv 8 3x3 pad 1 =\n  }\n}\n",
      "input 8x8x1\nconv 8 3x3 =\nrelu\n",
      "input 8x8x1\nconv 8 3x3 stride = 2\n",
      "input 8x8x1\nconv 8 3x3 stride=2\n",
      "input 8x8x1\n= conv 8 3x3\n",
    ];
    for (const text of cases) {
      const errors = syntaxErrors(text);
      assert.equal(errors.length, 1, `${JSON.stringify(text)}: ${errors.map((e) => e.message).join(" | ")}`);
      assert.equal(at(text, errors[0]), "=");
      assert.match(errors[0].message, /^unexpected `=`: an option takes its value after a space \(`stride 2`, not `stride = 2`\)/);
      assert.match(errors[0].message, /`Basic\(128, s = 2\)`/);
    }
    // where `=` belongs, nothing is said
    assert.deepEqual(syntaxErrors("block B(k, s = 1) {\n  conv k 3x3 stride s pad 1\n}\ninput 8x8x1\nB(8, s = 2)\n"), []);
  });

  it("a token is never said to come after itself", () => {
    for (const text of ["network N {\n  input 8x8x1\n  conv 8 3x3 )\n}\n", "block B {\n  conv 8 3x3 =\n}\n"]) {
      for (const e of syntaxErrors(text)) assert.doesNotMatch(e.message, new RegExp(`after \`${at(text, e).replace(/[()]/g, "\\$&")}\`, found \`${at(text, e).replace(/[()]/g, "\\$&")}\``), e.message);
    }
    assert.equal(syntaxErrors("network N {\n  input 8x8x1\n  conv 8 3x3 )\n}\n")[0].message, "expected `}`, found `)`");
  });

  it("errors on many lines are each reported, each once", () => {
    const lines = ["input 8x8x1"];
    for (let i = 0; i < 20; i++) lines.push(i % 2 ? "conv 2 3x3 stride" : "conv 2 12abc");
    const text = lines.join("\n");
    const errors = syntaxErrors(text);
    assert.equal(errors.length, 20);
    const lineIndex = new LineIndex(text);
    assert.deepEqual(errors.map((e) => lineIndex.lineOf(e.start)), Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe("syntax forms", () => {
  it("`32x32x3`, `32 x 32 x 3` and `32×32×3` are the same volume", () => {
    for (const dims of ["32x32x3", "32 x 32 x 3", "32×32×3", "32 × 32 × 3"]) {
      const a = analyze(`input ${dims}\nconv 10 5x5 stride 1 pad 2\n`, "t.cnn");
      assert.deepEqual(a.diagnostics, [], dims);
      assert.equal(a.networks[0].params, 760n, dims);
      assert.equal(shapeText(a.networks[0].output), "32×32×10", dims);
    }
  });

  it("`;` separates statements; `#` and `//` start comments", () => {
    const a = analyze("input 8x8x1; conv 2 3x3 pad 1; relu // the end\n# done\n", "t.cnn");
    assert.deepEqual(a.diagnostics, []);
    assert.equal(a.networks[0].statements.length, 2);
  });

  it("top-level statements form a network named after the file", () => {
    const a = analyze("input 8x8x1\nrelu\n", "dir/exercise_1.cnn");
    assert.equal(a.networks[0].name, "exercise_1");
    assert.equal(a.networks[0].implicit, true);
  });

  it("labels, block calls by position and by name, `{` on its own line", () => {
    const text = "block B(k, s = 1)\n{\n  conv k 3x3 stride s pad 1 floor\n}\nnetwork N\n{\n  input 8x8x2\n  first: B(4)\n  second: B(k = 8, s = 2)\n}\n";
    const a = analyze(text, "t.cnn");
    assert.deepEqual(a.diagnostics, []);
    const n = a.networks[0];
    assert.deepEqual(n.statements.map((s) => s.label), ["first", "second"]);
    assert.equal(shapeText(n.output), "4×4×8");
  });

  it("a block call may continue over lines inside its parentheses", () => {
    const a = analyze("block B(k, s) { conv k 2x2 stride s }\ninput 8x8x1\nB(4,\n  s = 2)\n", "t.cnn");
    assert.deepEqual(a.diagnostics, []);
    assert.equal(shapeText(a.networks[0].output), "4×4×4");
  });

  it("parse() returns a tree even for garbage", () => {
    const r = parse("}{)(][ x × 3 4 ,,, network block repeat");
    assert.ok(Array.isArray(r.file.items));
    assert.ok(r.errors.length > 0);
  });
});

describe("positions", () => {
  it("CRLF files give the same results and the same lines", () => {
    const lf = "network A {\n  input 7x7x1\n  conv 1 3x3 stride 3\n}\n";
    const crlf = lf.replace(/\n/g, "\r\n");
    const a = analyze(lf, "t.cnn");
    const b = analyze(crlf, "t.cnn");
    assert.equal(b.networks[0].params, a.networks[0].params);
    assert.equal(b.diagnostics.length, 1);
    const pos = new LineIndex(crlf).position(b.diagnostics[0].start);
    assert.deepEqual(pos, { line: 2, character: 2 });
  });

  it("offsets count UTF-16 code units through CJK text and emoji", () => {
    const text = "# 卷积层 😀 합성곱\ninput 7x7x1 # 输入 🧠\nconv 1 3x3 stride 3 # 步幅 😀\n";
    const a = analyze(text, "t.cnn");
    assert.equal(a.diagnostics.length, 1);
    const lines = new LineIndex(text);
    assert.deepEqual(lines.position(a.diagnostics[0].start), { line: 2, character: 0 });
    assert.deepEqual(lines.position(a.diagnostics[0].end), { line: 2, character: 19 });
    // the emoji is two code units: the comment on line 1 ends at character 20
    assert.equal(lines.lineEnd(1) - lines.lineStart(1), "input 7x7x1 # 输入 🧠".length);
    assert.equal("input 7x7x1 # 输入 🧠".length, 19);
  });
});

describe("hostile input", () => {
  const cases: [string, string][] = [
    ["10,000 nested residuals", "input 8x8x1\n" + "residual {\n".repeat(10000) + "relu\n" + "}\n".repeat(10000)],
    ["10,000 nested parentheses", "input 8x8x1\nconv 1 " + "(".repeat(10000) + "1" + ")".repeat(10000) + "\n"],
    ["a sum of 30,000 terms", "input 8x8x1\nconv " + "1+".repeat(30000) + "1 3x3\n"],
    ["30,000 minus signs", "input 8x8x1\nconv " + "-".repeat(30000) + "1 3x3\n"],
    ["a list nested 10,000 deep", "input 3x3x1\nconv 1 3x3 weights " + "[".repeat(10000) + "1" + "]".repeat(10000) + "\n"],
    ["1 MB of one token", "x".repeat(1 << 20)],
  ];
  for (const [name, text] of cases) {
    it(`${name}: reported, never a crash`, () => {
      const a = analyze(text, "t.cnn");
      assert.ok(a.diagnostics.some((d) => d.severity === "error"));
      for (const d of a.diagnostics) assert.ok(d.start >= 0 && d.end <= text.length);
    });
  }
});

describe("messages quote the text on one line", () => {
  it("a control character, DEL, a line separator or a lone surrogate is named, never written raw", () => {
    for (const [c, name] of [["\u0000", "U+0000"], ["\u001b", "U+001B"], ["\u007f", "U+007F"], ["\u0085", "U+0085"], ["\ud800", "U+D800"]]) {
      const errors = parse(`input 8x8\nrelu ${c}\n`).errors;
      assert.ok(errors.length > 0, name);
      for (const e of errors) assert.doesNotMatch(e.message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udfff]/, `${name}: ${JSON.stringify(e.message)}`);
      assert.ok(errors.some((e) => e.message.includes(name)), `${name}: ${errors.map((e) => e.message).join(" | ")}`);
    }
  });

  it("a missing `}` after a line break does not quote the break (\\n, \\r\\n, \\r)", () => {
    for (const eol of ["\n", "\r\n", "\r"]) {
      const messages = parse(`block${eol}block `).errors.map((e) => e.message);
      assert.ok(messages.length > 0);
      for (const m of messages) assert.doesNotMatch(m, /[\r\n]/, JSON.stringify(m));
    }
  });

  it("a very long token is cut in the message", () => {
    const word = "[" + "9".repeat(5000);
    for (const e of parse(`input 8x8\nconv ${word}`).errors) assert.ok(e.message.length < 300, e.message.slice(0, 80));
  });
});
