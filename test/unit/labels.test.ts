// Labels as PyTorch module paths (docs/LANGUAGE-EXTENSIONS.md): dotted and numeric parts,
// a labelled block use, residual, concat or repeat as the prefix of the labels inside.

import * as assert from "node:assert/strict";
import { analyze, type GraphNode } from "../../analysis";
import { modulePathOf } from "../../analysis/paths";

function nodes(text: string) {
  const a = analyze(text, "t.cnn");
  return { a, graph: a.networks[0].graph, errors: a.diagnostics.filter((d) => d.severity === "error") };
}

const path = (n: GraphNode) => modulePathOf(n.scope, n.label);

describe("labels as module paths", () => {
  it("a label may be dotted, with numeric parts, or a number alone; its span is the whole path", () => {
    const text = "input 8x8x1\nfeatures.0: conv 4 3x3\nlayer1.0.conv1: bn\n0: relu\n1.2.x: conv 2 1\nMixed_5b.branch3x3_2a : conv 2 1";
    const { a, graph, errors } = nodes(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(graph.slice(1).map((n) => n.label), ["features.0", "layer1.0.conv1", "0", "1.2.x", "Mixed_5b.branch3x3_2a"]);
    const stmt = a.parse.file.items[1] as { label: { start: number; end: number } };
    assert.equal(text.slice(stmt.label.start, stmt.label.end), "features.0");
  });

  it("numbers and dots keep their meaning away from a label: `dropout 0.5`, `0.5:` alone is a label", () => {
    const { graph, errors } = nodes("input 4x4x1\ndropout 0.5\nconv 1 3x3 weights [[0.5, 1, 2],[1, 1, 1],[0, 0, 0.25]] bias 0.1");
    assert.deepEqual(errors, []);
    assert.equal((graph[1].attrs as { p?: number }).p, 0.5);
    assert.ok(nodes("input 4x4x1\n0.5: relu").errors.length === 0);
  });

  it("a stray dot, a path ending in a dot or a path not before `:` is a syntax error, and parsing goes on", () => {
    for (const text of ["input 4x4x1\nfeatures.: relu\nconv 2 3x3", "input 4x4x1\n.a: relu\nconv 2 3x3", "input 4x4x1\nrelu features.0\nconv 2 3x3"]) {
      const a = analyze(text, "t.cnn");
      assert.ok(a.diagnostics.some((d) => d.code === "syntax" || d.code === "bad-value" || d.code === "unknown-name"), text);
      assert.ok(a.networks[0].graph.some((n) => n.op === "conv"), text);
    }
  });

  it("a labelled block use, residual, concat and repeat prefix the labels inside; a repeat numbers its iterations", () => {
    const text = `block Basic(k) {
  residual { conv1: conv k 3x3 pad 1; bn1: bn } shortcut { downsample.0: conv k 1x1; downsample.1: bn }
}
network N {
  input 8x8x4
  conv1: conv 4 1x1
  layer1: repeat 2 { Basic(4) }
  layer2.0: Basic(4)
  Basic(4)
  mix: concat { branch { a: conv 2 1x1 } branch { b: conv 2 1x1 } }
  head: residual { fc: conv 4 1x1 }
}`;
    const { graph, errors } = nodes(text);
    assert.deepEqual(errors, []);
    const paths = graph.filter((n) => n.op === "conv" || n.op === "bn").map(path);
    assert.deepEqual(paths, [
      "conv1",
      "layer1.0.conv1", "layer1.0.bn1", "layer1.0.downsample.0", "layer1.0.downsample.1",
      "layer1.1.conv1", "layer1.1.bn1", "layer1.1.downsample.0", "layer1.1.downsample.1",
      "layer2.0.conv1", "layer2.0.bn1", "layer2.0.downsample.0", "layer2.0.downsample.1",
      // an unlabelled use: the body's labels alone (they may repeat the network's)
      "conv1", "bn1", "downsample.0", "downsample.1",
      "mix.a", "mix.b",
      "head.fc",
    ]);
  });

  it("duplicate-name compares module paths: twice in the network's text, or twice in one block body", () => {
    const twice = nodes("input 4x4x1\nlayer1.0.conv1: conv 2 1x1\nlayer1: repeat 1 { conv1: conv 2 1x1 }").a;
    assert.deepEqual(
      twice.diagnostics.filter((d) => d.code === "duplicate-name").map((d) => d.message),
      ["label `conv1` (here `layer1.0.conv1`) is used twice in network `t`"],
    );
    const inBlock = nodes("block B() { c: conv 2 1x1; c: conv 2 1x1 }\nnetwork N { input 4x4x1; B() }").a;
    assert.deepEqual(inBlock.diagnostics.filter((d) => d.code === "duplicate-name").map((d) => d.message), ["label `c` is used twice in block `B`"]);
    // a block's labels may repeat the network's and another block's
    const fine = nodes("block A() { conv1: conv 2 1x1 }\nblock B() { conv1: conv 2 1x1 }\nnetwork N { input 4x4x1; conv1: conv 2 1x1; A(); B(); A() }");
    assert.deepEqual(fine.errors, []);
  });
});
