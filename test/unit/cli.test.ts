// The `cnn` command as a user (or another tool) runs it: output formats and exit codes.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..", "..");
const cli = join(root, "dist", "cli", "cnn.js");

function cnn(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cnn-cli-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("cnn check", () => {
  it("prints file:line:col: severity[code]: message and exits 1 on an error", () => {
    const file = tempFile("bad.cnn", "network A {\n  input 32x32x1\n  conv 6 5x5x3\n}\n");
    const r = cnn(["check", file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.trim(), `${file}:3:10: error[depth-mismatch]: the filter is 3 deep, the input 1 (32×32×1): filters always extend the full depth of the input volume`);
  });

  it("exits 0 with warnings only, and prints them", () => {
    const r = cnn(["check", "examples/course/stride_fit.cnn"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^examples\/course\/stride_fit\.cnn:14:3: warning\[stride-misfit\]: stride 3 doesn't fit: \(7 − 3 \+ 2·0\)\/3 \+ 1 = 2\.33/);
  });

  it("checks several files and exits 1 if any has an error", () => {
    const bad = tempFile("syntax.cnn", "input 8x8x1\nconv 2 3x3 stride\n");
    const r = cnn(["check", "examples/lenet5.cnn", bad]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /syntax\.cnn:2:12: error\[syntax\]: /);
    assert.doesNotMatch(r.stdout, /lenet5/);
  });

  it("columns are UTF-16 code units, 1-based", () => {
    const file = tempFile("cjk.cnn", "input 7x7x1 # 输入 😀\n/* */ conv 1 3x3 stride 3 # 步幅\n");
    const r = cnn(["check", file]);
    assert.match(r.stdout, /cjk\.cnn:2:1: error\[syntax\]/);
  });

  it("an unreadable file is exit 2 with a message", () => {
    const r = cnn(["check", "no/such/file.cnn"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read no\/such\/file\.cnn/);
  });

  it("no arguments prints usage and exits 2", () => {
    const r = cnn([]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /usage: cnn/);
  });
});

describe("cnn summary", () => {
  it("--json gives the spec §7 object with torchvision's ResNet-50 counts", () => {
    const r = cnn(["summary", "examples/resnet50.cnn", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.file, "examples/resnet50.cnn");
    assert.equal(j.networks.length, 1);
    const n = j.networks[0];
    assert.equal(n.name, "ResNet50");
    assert.deepEqual(n.input, [224, 224, 3]);
    assert.deepEqual(n.output, [1000]);
    assert.equal(n.params, 25557032);
    assert.equal(n.macs, 4089184256);
    assert.deepEqual(j.diagnostics, []);
    const first = n.layers[0];
    assert.deepEqual(Object.keys(first).filter((k) => ["line", "kind", "label", "output", "params", "macs"].includes(k)).sort(), ["kind", "label", "line", "macs", "output", "params"]);
    assert.deepEqual([first.line, first.kind, first.label, first.output, first.params], [42, "conv", "conv1", [112, 112, 64], 9408]);
    const stage = n.layers.find((l: { label: string }) => l.label === "layer1");
    assert.deepEqual([stage.kind, stage.output, stage.params], ["Stage", [56, 56, 256], 215808]);
  });

  it("--json: a block use, a repeat and a residual are one entry each, with their totals", () => {
    const file = tempFile("stage.cnn", "block Two(k) { conv k 3x3 pad 1; relu }\nnetwork S {\n  input 8x8x2\n  b: Two(4)\n  repeat 2 { Two(4) }\n  residual { conv 4 1x1 }\n}\n");
    const j = JSON.parse(cnn(["summary", file, "--json"]).stdout);
    assert.deepEqual(
      j.networks[0].layers.map((l: Record<string, unknown>) => [l.line, l.kind, l.label, l.output, l.params, l.macs]),
      [
        [4, "Two", "b", [8, 8, 4], 76, 4608],
        [5, "repeat", null, [8, 8, 4], 296, 18432],
        [6, "residual", null, [8, 8, 4], 20, 1024],
      ],
    );
  });

  it("prints one line per diagnostic, the related places on it", () => {
    const file = tempFile("dup.cnn", "network A {\n  input 8x8x1\n}\nnetwork A {\n  input 8x8x1\n}\n");
    const r = cnn(["check", file]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /dup\.cnn:4:9: error\[duplicate-name\]: `A` is already defined .*\(first definition of `A` at 1:9\)$/);
  });

  it("a picture path holding a RIGHT-TO-LEFT OVERRIDE: the error names it U+202E, the line is not reordered", () => {
    const file = tempFile("rlo.cnn", 'input 8x8x1 sample "evil\u202egnp.png"\nrelu\n');
    const r = cnn(["run", file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot read the picture evilU\+202Egnp\.png: no such file/);
    assert.doesNotMatch(r.stderr, /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });

  it("a byte order mark does not shift the columns of line 1", () => {
    const file = tempFile("bom.cnn", "\uFEFFinput 0x7x1\r\n");
    const r = cnn(["check", file]);
    assert.match(r.stdout, /bom\.cnn:1:7: error\[bad-value\]/);
  });

  it("--json lists diagnostics with 1-based lines and columns", () => {
    const r = cnn(["summary", "examples/course/stride_fit.cnn", "--json"]);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.diagnostics.map((d: Record<string, unknown>) => [d.line, d.column, d.endLine, d.endColumn, d.severity, d.code]),
      [[14, 3, 14, 22, "warning", "stride-misfit"]],
    );
    assert.equal(j.networks.length, 4);
    assert.deepEqual(j.networks.map((n: { output: number[] }) => n.output), [[5, 5, 1], [3, 3, 1], [2, 2, 1], [7, 7, 1]]);
  });

  it("counts past 2^53 are printed as exact digits", () => {
    const file = tempFile("huge.cnn", "input 100000000x100000000x3\nconv 64 3x3\n");
    const r = cnn(["summary", file, "--json"]);
    const exact = (64n * 27n * 99999998n * 99999998n).toString();
    assert.match(r.stdout, new RegExp(`"macs": ${exact}\\b`));
  });

  it("the table reads like torchinfo: layers, shapes, params, MACs, totals, memory", () => {
    const r = cnn(["summary", "examples/lenet5.cnn"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /c1 \(conv\)\s+5\s+28×28×6\s+156\s+117,600/);
    assert.match(r.stdout, /Total params: 61,706/);
    assert.match(r.stdout, /Total MACs \(mult-adds\): 416,520/);
    assert.match(r.stdout, /Params size: 246\.82 kB/);
  });

  it("the table is as narrow as its contents (it opens beside the source): LeNet-5 in 56 columns, ResNet-50 in 76 (it was 92)", () => {
    for (const [file, width] of [["examples/lenet5.cnn", 56], ["examples/resnet50.cnn", 76]] as const) {
      const r = cnn(["summary", file]);
      const table = r.stdout.slice(0, r.stdout.indexOf("Total params"));
      const widest = Math.max(...table.split("\n").map((l) => [...l].length));
      assert.ok(widest <= width, `${file}: ${widest} columns`);
      // Param # and MACs are the last columns, right-aligned to the rule
      const lines = r.stdout.split("\n");
      const rule = lines.find((l) => /^=+$/.test(l))!;
      assert.ok(lines.some((l) => /MACs$/.test(l) && [...l].length === rule.length), "the header ends at the rule");
    }
  });

  it("--depth N expands block uses, repeats and residuals as torchinfo's depth does", () => {
    const one = cnn(["summary", "examples/resnet18.cnn"]).stdout;
    const two = cnn(["summary", "examples/resnet18.cnn", "--depth", "2"]);
    assert.equal(two.code, 0);
    assert.match(two.stdout, /^layer1 \(repeat 2\) +36 +56×56×64 +147,968 +462,422,016$/m);
    assert.match(two.stdout, /^├─Basic\(64\) +36 +56×56×64 +73,984 +231,211,008$/m);
    assert.match(two.stdout, /^└─Basic\(64\) +36 /m);
    // two levels only: nothing drawn at the third
    assert.doesNotMatch(two.stdout, /^[│ ] [├└]─/m);
    const three = cnn(["summary", "examples/resnet18.cnn", "--depth", "3"]).stdout;
    assert.match(three, /^│ ├─residual +6 +56×56×64 +73,984/m);
    // the rows of a level add up to their parent's params
    const params = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => Number(m[1].replace(/,/g, ""))).reduce((a, b) => a + b, 0);
    assert.equal(params(two.stdout, /^[├└]─Basic\(64\) +36 +\S+ +([\d,]+)/gm), 147_968);
    assert.ok(three.split("\n").length > two.stdout.split("\n").length && two.stdout.split("\n").length > one.split("\n").length);
    // totals do not change with the depth
    assert.match(three, /^Total params: 11,689,512$/m);
    for (const bad of ["0", "x", "-1"]) assert.equal(cnn(["summary", "examples/resnet18.cnn", "--depth", bad]).code, 2, bad);
  });

  it("--chw prints shapes as PyTorch does", () => {
    const r = cnn(["summary", "examples/lenet5.cnn", "--chw"]);
    assert.match(r.stdout, /c1 \(conv\)\s+5\s+6×28×28/);
  });

  it("--network picks one network; an unknown one is a usage error", () => {
    const one = JSON.parse(cnn(["summary", "examples/course/stride_fit.cnn", "--json", "--network", "Stride2"]).stdout);
    assert.deepEqual(one.networks.map((n: { name: string }) => n.name), ["Stride2"]);
    const r = cnn(["summary", "examples/course/stride_fit.cnn", "--network", "Nope"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no network `Nope`.*Stride1, Stride2, Stride3, Padded/);
  });

  it("exits 1 when the file has an error, still printing the JSON", () => {
    const file = tempFile("err.cnn", "input 8x8x1\ncovn 2 3x3\n");
    const r = cnn(["summary", file, "--json"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.diagnostics[0].code, "unknown-name");
  });
});
