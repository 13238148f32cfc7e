// Every graph node and occurrence says which structures it sits in (the run view's
// `layer2 › Bottleneck 1 of 4 › bn`, the graph's boxes): block uses, repeat passes,
// residual paths and branches, outermost first.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { analyze, type GraphNode, type ScopeFrame } from "../../analysis";
import { deserializeNetwork, serializeNetwork } from "../../analysis/serialize";

/** A frame as a short word: `Bottleneck 3/12`, `repeat 2/3`, `residual body`, `concat 1/2`. */
function word(f: ScopeFrame): string {
  const label = f.label ? `${f.label}:` : "";
  switch (f.kind) {
    case "block":
      return `${label}${f.block} ${f.use}/${f.uses}`;
    case "repeat":
      return `${label}repeat ${f.iteration}/${f.count}`;
    case "residual":
      return `${label}residual ${f.path}`;
    case "branch":
      return `${label}${f.merge} ${f.branch}/${f.branches}`;
  }
}

const path = (n: { scope: readonly ScopeFrame[] }) => n.scope.map(word).join(" › ");

function nodes(text: string, network = 0): GraphNode[] {
  const a = analyze(text, "t.cnn");
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), []);
  return a.networks[network].graph;
}

describe("scope of nodes and occurrences", () => {
  it("top-level layers and the input have an empty scope", () => {
    const g = nodes("input 8x8x1\nconv 2 3x3\nrelu\n");
    assert.deepEqual(g.map(path), ["", "", ""]);
  });

  it("block uses are numbered over the whole network, with the use's label", () => {
    const g = nodes(`block B(k) {
  conv k 1x1
  relu
}
input 8x8x1
first: B(2)
repeat 2 { B(3) }
B(4)
`);
    const inside = g.filter((n) => n.op === "conv").map(path);
    assert.deepEqual(inside, ["first:B 1/4", "repeat 1/2 › B 2/4", "repeat 2/2 › B 3/4", "B 4/4"]);
    // one use's nodes share one frame (and one array)
    const first = g.filter((n) => n.scope[0]?.kind === "block" && n.scope[0].use === 1);
    assert.equal(first.length, 2);
    assert.equal(first[0].scope, first[1].scope);
  });

  it("nested blocks: ResNet-50's stages, repeats and bottlenecks", () => {
    const text = readFileSync("examples/resnet50.cnn", "utf8");
    const g = nodes(text);
    const bns = g.filter((n) => n.op === "bn").map(path);
    // the stem's bn, then layer1's Project (body ×3, shortcut ×1) …
    assert.equal(bns[0], "");
    assert.equal(bns[1], "layer1:Stage 1/4 › Project 1/4 › residual body");
    assert.equal(bns[4], "layer1:Stage 1/4 › Project 1/4 › residual shortcut");
    assert.equal(bns[5], "layer1:Stage 1/4 › repeat 1/2 › Bottleneck 1/12 › residual body");
    // layer2 = Stage(128, 4, 2): Project, then repeat 3 { Bottleneck }
    const layer2 = g.filter((n) => n.scope[0]?.label === "layer2");
    const bottlenecks = new Set(layer2.flatMap((n) => n.scope.filter((f) => f.kind === "block" && f.block === "Bottleneck").map((f) => f.id)));
    assert.equal(bottlenecks.size, 3);
    const last = layer2[layer2.length - 1];
    assert.equal(path(last), "layer2:Stage 2/4 › repeat 3/3 › Bottleneck 5/12");
    assert.equal(last.op, "relu");
    // a residual's add node sits in the block, outside the body and the shortcut
    const add = layer2.find((n) => n.op === "add")!;
    assert.equal(path(add), "layer2:Stage 2/4 › Project 2/4");
  });

  it("branches of concat and add are numbered; the merge node is outside them", () => {
    const g = nodes(`input 8x8x4
mix: concat {
  branch { conv 2 1x1 }
  branch { }
  branch { conv 3 3x3 pad 1 }
}
add { branch { conv 9 1x1 } branch { relu } }
`);
    assert.deepEqual(
      g.map((n) => `${n.op} ${path(n)}`.trim()),
      ["input", "conv mix:concat 1/3", "conv mix:concat 3/3", "concat", "conv add 1/2", "relu add 2/2", "add"],
    );
  });

  it("occurrences carry the scope of their elaboration", () => {
    const a = analyze(`block B(k) {
  conv k 1x1
}
input 8x8x1
repeat 3 { B(2) }
`, "t.cnn");
    const start = a.text.indexOf("conv");
    const list = a.occurrences.get(start)!;
    assert.deepEqual(list.map(path), ["repeat 1/3 › B 1/3", "repeat 2/3 › B 2/3", "repeat 3/3 › B 3/3"]);
    // the occurrence and the node of one elaboration share the frames
    for (const o of list) assert.equal(o.scope, o.node!.scope);
    const rep = a.occurrences.get(a.text.indexOf("repeat"))!;
    assert.deepEqual(rep.map(path), [""]);
  });

  it("a repeat whose count is wrong checks its body once, count null", () => {
    const a = analyze("input 8x8x1\nrepeat 0.5 { relu }\n", "t.cnn");
    const o = a.occurrences.get(a.text.indexOf("relu"))!;
    assert.equal(o.length, 1);
    assert.deepEqual(o[0].scope.map((f) => f.kind === "repeat" && [f.iteration, f.count]), [[1, null]]);
  });

  it("frames survive JSON: one object per id again", () => {
    const text = readFileSync("examples/resnet50.cnn", "utf8");
    const network = analyze(text, "resnet50.cnn").networks[0];
    const back = deserializeNetwork(JSON.parse(JSON.stringify(serializeNetwork(network))));
    assert.deepEqual(back.graph.map(path), network.graph.map(path));
    const a = back.graph.find((n) => n.scope.length > 2)!;
    const b = back.graph.find((n) => n !== a && n.scope.length > 0 && n.scope[0].id === a.scope[0].id)!;
    assert.equal(a.scope[0], b.scope[0]);
    // the table is checked: a frame of no kind, a parent after its child, an index past the table
    const wire = () => JSON.parse(JSON.stringify(serializeNetwork(network)));
    const edited = (edit: (n: Record<string, any>) => void) => {
      const n = wire();
      edit(n);
      return () => deserializeNetwork(n);
    };
    assert.throws(edited((n) => (n.frames[0].kind = "nope")), /network\.frames\[0\]\.kind: expected "block" or "repeat" or "residual" or "branch"/);
    assert.throws(edited((n) => (n.frames[1].parent = 1)), /network\.frames\[1\]\.parent: a frame's parent comes before it/);
    assert.throws(edited((n) => (n.graph[3].scope = n.frames.length)), /network\.graph\[3\]\.scope: no frame \d+ \(the table has \d+\)/);
    assert.throws(edited((n) => (n.graph[3].scope = [0])), /network\.graph\[3\]\.scope: expected a whole number ≥ 0, got a list/);
  });
});
