// The architecture diagram (diagram/): checked against the analysis, not against itself.
// Every graph node is one box (or inside exactly one closed frame), every graph edge —
// skips and branches included — one drawn edge carrying its source's output shape; the
// same text gives the same SVG; the SVG is well-formed XML with no outside reference.

import * as assert from "node:assert/strict";
import { readFileSync, readdirSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyze, shapeText, type Analysis, type NetworkResult } from "../../analysis";
import { buildDiagram } from "../../diagram/build";
import { groupsOf, layersOf, type Diagram, type Item } from "../../diagram/model";
import { clearLayoutCache, layoutDiagram, type LayoutOptions, type Scene } from "../../diagram/layout";
import { sceneToSvg } from "../../diagram/svg";
import { main } from "../../cli/cnn";

const root = join(__dirname, "..", "..", "..");
const example = (file: string) => readFileSync(join(root, "examples", file), "utf8");

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sax = require("sax") as { parser(strict: boolean): { onerror: (e: Error) => void; onopentag: (t: { name: string; attributes: Record<string, string> }) => void; write(s: string): { close(): void } } };

function parseXml(svg: string): { name: string; attributes: Record<string, string> }[] {
  const tags: { name: string; attributes: Record<string, string> }[] = [];
  const p = sax.parser(true);
  p.onerror = (e) => {
    throw e;
  };
  p.onopentag = (t) => tags.push(t);
  p.write(svg).close();
  return tags;
}

function diagramOf(text: string, file: string, network?: string): { analysis: Analysis; net: NetworkResult; diagram: Diagram } {
  const analysis = analyze(text, file);
  const net = network ? analysis.networks.find((n) => n.name === network)! : analysis.networks[0];
  return { analysis, net, diagram: buildDiagram(analysis, net) };
}

/** graph node ids inside each box: a layer's own node, or every node inside a closed frame */
function nodesByBox(diagram: Diagram, scene: Scene): Map<string, number[]> {
  const byKey = new Map<string, Item>();
  const index = (items: Item[]) => {
    for (const item of items) {
      byKey.set(item.key, item);
      if (item.type === "sequence") index(item.children);
      if (item.type === "parallel") {
        item.paths.forEach(index);
        byKey.set(item.merge.key, item.merge);
      }
    }
  };
  index(diagram.items);
  const out = new Map<string, number[]>();
  for (const box of scene.boxes) {
    const item = byKey.get(box.key);
    assert.ok(item, `box ${box.key} stands for an item`);
    const ids = item.type === "layer" ? (item.node === null ? [] : [item.node]) : [...layersOf([item])].map((l) => l.node).filter((n): n is number => n !== null);
    out.set(box.key, ids);
  }
  return out;
}

/** the drawn edges between boxes, frame borders passed through: "fromKey>toKey" */
function boxEdges(scene: Scene): { from: string; to: string; label: string | null; skip: boolean }[] {
  const boxes = new Set(scene.boxes.map((b) => b.key));
  const into = new Map<string, typeof scene.edges>();
  for (const e of scene.edges) if (!boxes.has(e.to)) into.set(e.to, [...(into.get(e.to) ?? []), e]);
  // a junction `X/in` passes on what enters it; `X/out` what the frame's last box gives
  const origins = (key: string): { from: string; label: string | null; skip: boolean }[] => {
    if (boxes.has(key)) return [{ from: key, label: null, skip: false }];
    return (into.get(key) ?? []).flatMap((e) => origins(e.from).map((o) => ({ ...o, label: e.label ?? o.label, skip: e.skip || o.skip })));
  };
  const out: { from: string; to: string; label: string | null; skip: boolean }[] = [];
  for (const e of scene.edges) {
    if (!boxes.has(e.to)) continue;
    for (const o of origins(e.from)) out.push({ from: o.from, to: e.to, label: e.label ?? o.label, skip: e.skip || o.skip });
  }
  return out;
}

function checkAgainstGraph(net: NetworkResult, diagram: Diagram, options: LayoutOptions) {
  const scene = layoutDiagram(diagram, options);
  const inside = nodesByBox(diagram, scene);
  // every node in exactly one box
  const owner = new Map<number, string>();
  for (const [key, ids] of inside) {
    for (const id of ids) {
      assert.ok(!owner.has(id), `node ${id} (${net.graph[id].op}) is drawn twice: in ${owner.get(id)} and ${key}`);
      owner.set(id, key);
    }
  }
  assert.equal(owner.size, net.graph.length, "every graph node is drawn");
  // every graph edge between two boxes is drawn, with the source's output shape; and no other
  const expected = new Set<string>();
  for (const node of net.graph) {
    for (const input of node.inputs) {
      const a = owner.get(input)!;
      const b = owner.get(node.id)!;
      if (a !== b) expected.add(`${a}>${b}`);
    }
  }
  const drawn = boxEdges(scene);
  const drawnSet = new Set(drawn.map((e) => `${e.from}>${e.to}`));
  assert.deepEqual([...drawnSet].sort(), [...expected].sort(), "the drawn edges are the graph's");
  for (const e of drawn) {
    const ids = inside.get(e.from)!;
    const source = net.graph[Math.max(...ids)];
    // the edge carries what flows along it (on the box's own edge, or where it enters a frame)
    if (e.label !== null) assert.equal(e.label, shapeText(source.output), `shape on ${e.from} → ${e.to}`);
  }
  return { scene, drawn, inside };
}

describe("architecture diagram", () => {
  for (const file of ["resnet18.cnn", "inception.cnn", "densenet_block.cnn", "resnet50.cnn", "mobilenetv2.cnn", "unet_small.cnn", "alexnet.cnn", "lenet5.cnn"]) {
    it(`${file}: every frame open, one box per graph node and every edge drawn`, () => {
      const { net, diagram } = diagramOf(example(file), file);
      const { scene } = checkAgainstGraph(net, diagram, { expand: "all" });
      assert.equal(scene.boxes.length, net.graph.length);
    });
    it(`${file}: frames closed (auto and none), each closed block one box, still every edge`, () => {
      const { net, diagram } = diagramOf(example(file), file);
      for (const expand of ["auto", "none", 1] as const) checkAgainstGraph(net, diagram, { expand });
    });
  }

  it("ResNet-18: 8 residual adds and their skips (5 identities, 3 projections), shapes on every edge", () => {
    const { net, diagram } = diagramOf(example("resnet18.cnn"), "resnet18.cnn");
    const { scene, drawn } = checkAgainstGraph(net, diagram, { expand: "all" });
    const adds = scene.boxes.filter((b) => b.kind === "add");
    assert.equal(adds.length, 8);
    const skips = drawn.filter((e) => e.skip);
    assert.equal(skips.length, 5, "the identity shortcuts are drawn as skips");
    for (const add of adds) assert.equal(drawn.filter((e) => e.to === add.key).length, 2, "an add joins two paths");
    assert.ok(drawn.every((e) => e.label !== null), "every edge between boxes shows a shape");
    // closed by default? ResNet-18 fits: every frame open
    assert.equal(layoutDiagram(diagram).boxes.length, net.graph.length);
  });

  it("inception: the four branches side by side in the text's order, joined by one concat", () => {
    const { net, diagram } = diagramOf(example("inception.cnn"), "inception.cnn");
    const { scene, drawn } = checkAgainstGraph(net, diagram, {});
    const input = scene.boxes.find((b) => b.kind === "input")!;
    const firsts = drawn.filter((e) => e.from === input.key).map((e) => scene.boxes.find((b) => b.key === e.to)!);
    assert.equal(firsts.length, 4);
    assert.deepEqual(firsts.map((b) => b.lines.map((l) => l.text).join(" ")).sort((a, b) => a.localeCompare(b)).length, 4);
    const xs = [...firsts].sort((a, b) => a.x - b.x).map((b) => b.line);
    assert.deepEqual(xs, [6, 7, 8, 9], "branch 1 leftmost … branch 4 rightmost");
    const concat = scene.boxes.filter((b) => b.kind === "concat");
    assert.equal(concat.length, 1);
    assert.equal(drawn.filter((e) => e.to === concat[0].key).length, 4);
    assert.ok(firsts.every((b) => drawn.find((e) => e.to === b.key)!.label === "28×28×192"));
  });

  it("the DenseNet block: each layer's empty branch is a skip into its concat; closed, a repeat is one box", () => {
    const { net, diagram } = diagramOf(example("densenet_block.cnn"), "densenet_block.cnn");
    const { drawn } = checkAgainstGraph(net, diagram, { expand: "all" });
    assert.equal(drawn.filter((e) => e.skip).length, 6);
    const closed = layoutDiagram(diagram, { expand: "none" });
    const repeat = closed.boxes.filter((b) => b.closed);
    assert.equal(repeat.length, 1);
    assert.ok(repeat[0].lines.some((l) => l.text === "repeat 6 × DenseLayer()"));
    assert.ok(repeat[0].lines.some((l) => l.text === "→ 56×56×256"));
    assert.ok(repeat[0].lines.some((l) => l.text.includes("params")));
  });

  it("ResNet-152 and DenseNet-169 open as readable figures (at most ~160 boxes) and draw whole when asked", () => {
    for (const file of ["resnet152.cnn", "densenet169.cnn"]) {
      const { net, diagram } = diagramOf(example(file), file);
      const auto = layoutDiagram(diagram);
      assert.ok(auto.boxes.length <= 160 && auto.boxes.length >= 20, `${file}: ${auto.boxes.length} boxes`);
      checkAgainstGraph(net, diagram, {});
      const all = checkAgainstGraph(net, diagram, { expand: "all" });
      assert.equal(all.scene.boxes.length, net.graph.length);
    }
  });

  it("closed frames say the block's name, output and totals; the totals are the analysis'", () => {
    const { analysis, diagram } = diagramOf(example("resnet50.cnn"), "resnet50.cnn");
    const scene = layoutDiagram(diagram, { expand: "none" });
    const stages = scene.boxes.filter((b) => b.closed);
    assert.deepEqual(stages.map((b) => b.lines[1].text), ["Stage(64, 3, 1)", "Stage(128, 4, 2)", "Stage(256, 6, 2)", "Stage(512, 3, 2)"]);
    assert.deepEqual(stages.map((b) => b.lines[2].text), ["→ 56×56×256", "→ 28×28×512", "→ 14×14×1024", "→ 7×7×2048"]);
    const layer1 = analysis.networks[0].statements.find((s) => s.label === "layer1")!;
    assert.ok(stages[0].tooltip.includes(`${layer1.params.toLocaleString("en-US")} params`), stages[0].tooltip);
  });

  it("the same text gives the same SVG (cold or cached, twice)", () => {
    for (const file of ["resnet18.cnn", "inception.cnn", "densenet_block.cnn"]) {
      clearLayoutCache();
      const a = sceneToSvg(layoutDiagram(diagramOf(example(file), file).diagram));
      const b = sceneToSvg(layoutDiagram(diagramOf(example(file), file).diagram));
      clearLayoutCache();
      const c = sceneToSvg(layoutDiagram(diagramOf(example(file), file).diagram));
      assert.equal(a, b);
      assert.equal(a, c);
    }
  });

  it("the SVG is well-formed XML, self-contained, one group per box and per edge", () => {
    for (const file of readdirSync(join(root, "examples")).filter((f) => f.endsWith(".cnn"))) {
      const { net, diagram } = diagramOf(example(file), file);
      // (the two largest nets are drawn whole in the test above)
      const expand = net.graph.length > 300 ? "auto" : "all";
      for (const style of ["flow", "volume"] as const) {
        const scene = layoutDiagram(diagram, { style, expand });
        const svg = sceneToSvg(scene, { title: `<${net.name}> & "x"` });
        const tags = parseXml(svg);
        assert.equal(tags[0].name, "svg");
        assert.equal(tags[0].attributes.xmlns, "http://www.w3.org/2000/svg");
        for (const t of tags) {
          assert.ok(!["script", "image", "foreignObject", "use", "a", "style", "link"].includes(t.name), `${file}: <${t.name}>`);
          for (const [k, v] of Object.entries(t.attributes)) {
            assert.ok(!/href$/i.test(k) && k !== "style" && !/^on/i.test(k), `${file}: attribute ${k}`);
            assert.ok(!/url\(|https?:|javascript:/i.test(v) || k === "xmlns", `${file}: ${k}="${v}"`);
          }
        }
        const classes = (t: { attributes: Record<string, string> }) => (t.attributes.class ?? "").split(" ");
        assert.equal(tags.filter((t) => t.name === "g" && classes(t).includes("box")).length, scene.boxes.length, file);
        if (expand === "all") assert.equal(scene.boxes.length, net.graph.length, file);
        assert.equal(tags.filter((t) => t.name === "g" && classes(t).includes("edge")).length, scene.edges.length);
        assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(svg));
      }
    }
  });

  it("volume style: boxes sized by W×H and D, labelled 55×55×96", () => {
    const text = "network A {\n  input 227x227x3\n  conv 96 11x11 stride 4\n  relu\n  maxpool 3 stride 2\n  conv 256 5x5 pad 2\n  maxpool 3 stride 2\n  conv 384 3x3 pad 1\n  fc 10\n}\n";
    const { diagram } = diagramOf(text, "a.cnn");
    const scene = layoutDiagram(diagram, { style: "volume" });
    const conv1 = scene.boxes.find((b) => b.kind === "conv")!;
    assert.equal(conv1.lines[conv1.lines.length - 1].text, "55×55×96");
    const convs = scene.boxes.filter((b) => b.kind === "conv" && b.volume);
    // 55×55 faces are taller than 13×13 ones; 384 deep thicker than 96
    const last = convs[convs.length - 1];
    assert.ok(conv1.volume!.face > last.volume!.face);
    assert.ok(convs[2].volume!.thick > conv1.volume!.thick);
    assert.ok(sceneToSvg(scene).includes(">55×55×96<"));
  });

  it("a network with errors is drawn up to where it can be: the faulty layers marked, those below in doubt", () => {
    const text = "network Broken {\n  input 32x32x3\n  conv 16 3x3 pad 1\n  relu\n  conv 8 5x5x4\n  bn\n  foo 3\n  fc 10\n}\n";
    const { diagram, net } = diagramOf(text, "broken.cnn");
    const scene = layoutDiagram(diagram);
    assert.deepEqual(scene.boxes.map((b) => b.kind), ["input", "conv", "relu", "conv", "bn", "foo", "fc"]);
    const bad = scene.boxes.find((b) => b.line === 5)!;
    assert.equal(bad.fault?.severity, "error");
    assert.match(bad.fault!.message, /depth/);
    assert.equal(scene.boxes.find((b) => b.line === 7)!.fault?.severity, "error");
    // the conv with the wrong depth still has its output (the analysis goes on with it); the unknown layer has none
    assert.equal(scene.boxes.find((b) => b.line === 6)!.output, "28×28×8");
    assert.ok(scene.boxes.find((b) => b.line === 7)!.unknown);
    assert.ok(scene.boxes.find((b) => b.line === 8)!.unknown, "below a fault the shape is unknown");
    assert.equal(scene.boxes.filter((b) => b.node !== null).length, net.graph.length);
    const svg = sceneToSvg(scene);
    assert.equal((svg.match(/fault-error/g) ?? []).length, 2);
    parseXml(svg);
  });

  it("every fixture (faulty ones too) is drawn without a throw, every graph node once", () => {
    for (const dir of ["errors", "classic", "spec"]) {
      const folder = join(root, "test", "fixtures", dir);
      if (!existsSync(folder)) continue;
      for (const file of readdirSync(folder).filter((f) => f.endsWith(".cnn"))) {
        const analysis = analyze(readFileSync(join(folder, file), "utf8"), file);
        for (const net of analysis.networks) {
          const diagram = buildDiagram(analysis, net);
          const ids = [...layersOf(diagram.items)].map((l) => l.node).filter((n) => n !== null);
          assert.deepEqual(ids, net.graph.map((g) => g.id), `${file} ${net.name}: the diagram holds the graph in order`);
          for (const expand of ["all", "auto"] as const) parseXml(sceneToSvg(layoutDiagram(diagram, { expand })));
        }
      }
    }
  });

  it("the frames agree with the analysis' own scopes: each block use and repeat pass is one frame of one scope id", () => {
    for (const file of ["resnet50.cnn", "densenet_block.cnn", "resnet18.cnn", "mobilenetv2.cnn", "densenet169.cnn"]) {
      const { net, diagram } = diagramOf(example(file), file);
      let checked = 0;
      const ids = new Map<string, Set<number>>();
      const walk = (items: Item[], chain: { kind: string; start: number; iteration: number | null; key: string }[]) => {
        for (const item of items) {
          if (item.type === "layer" || item.type === "parallel") {
            const layer = item.type === "layer" ? item : item.merge;
            if (layer.node !== null) {
              const frames = net.graph[layer.node].scope.filter((f) => f.kind === "block" || f.kind === "repeat");
              assert.deepEqual(
                frames.map((f) => [f.kind, f.span.start, f.kind === "repeat" ? f.iteration : null]),
                chain.map((c) => [c.kind, c.start, c.iteration]),
                `${file}: node ${layer.node} (${layer.kind}, line ${layer.line})`,
              );
              // one frame of ours is one frame of the analysis (one use, one pass)
              chain.forEach((c, i) => {
                const key = `${c.key}#${c.iteration ?? ""}`;
                ids.set(key, new Set([...(ids.get(key) ?? []), frames[i].id]));
              });
              checked++;
            }
            if (item.type === "parallel") for (const p of item.paths) walk(p, chain);
          } else if (item.kind === "call") walk(item.children, [...chain, { kind: "block", start: item.start, iteration: null, key: item.key }]);
          else {
            // a repeat's children are keyed `<repeat>/<pass>:<statement>`: the pass is the iteration
            for (const child of item.children) {
              const pass = Number(/\/(\d+):\d+$/.exec(child.key)![1]) + 1;
              walk([child], [...chain, { kind: "repeat", start: item.start, iteration: pass, key: item.key }]);
            }
          }
        }
      };
      walk(diagram.items, []);
      assert.equal(checked, net.graph.length, file);
      for (const [key, set] of ids) assert.equal(set.size, 1, `${file}: frame ${key} holds nodes of ${set.size} scope frames`);
    }
  });

  it("keys stay put across an edit above and below (the view keeps what the user opened)", () => {
    const text = example("resnet18.cnn");
    const before = diagramOf(text, "r.cnn").diagram;
    const after = diagramOf(text.replace("  relu\n  maxpool", "  relu   # a comment\n  maxpool").replace("conv1: conv 64 7x7", "conv1:  conv 64 7x7"), "r.cnn").diagram;
    const keys = (d: Diagram) => [...groupsOf(d.items)].map((g) => `${g.key}:${g.kind}`);
    assert.deepEqual(keys(after), keys(before));
  });

  it("each box says its layer's arguments in short and is coloured by its catalog family", () => {
    const text = [
      "input 32x32x3",
      "conv 64 3x3 stride 2 pad 1",
      "dwconv 3x3 dilation 2 pad 2",
      "conv 64 1x1 groups 4",
      "bn",
      "relu6",
      "maxpool 3x3 stride 2",
      "slice 0 32",
      "shuffle 4",
      "droppath 0.1",
      "layerscale",
      "dropout 0.25",
      "flatten",
      "fc 10",
      "",
    ].join("\n");
    const { diagram } = diagramOf(text, "brief.cnn");
    const layers = [...layersOf(diagram.items)].map((l) => [l.kind, l.detail, l.family]);
    assert.deepEqual(layers, [
      ["input", "", "input"],
      ["conv", "64 3×3 /2", "conv"],
      ["dwconv", "3×3 d2", "conv"],
      ["conv", "64 1×1 g4", "conv"],
      ["bn", "", "norm"],
      ["relu6", "", "act"],
      ["maxpool", "3×3 /2", "pool"],
      ["slice", "0:32", "reshape"],
      ["shuffle", "g4", "reshape"],
      ["droppath", "p 0.1", "reg"],
      ["layerscale", "", "norm"],
      ["dropout", "p 0.25", "reg"],
      ["flatten", "", "reshape"],
      ["fc", "10", "fc"],
    ]);
    const scene = layoutDiagram(diagram);
    for (const box of scene.boxes) assert.ok(sceneToSvg(scene).includes(`fam-${box.family}`), `the SVG colours ${box.kind} as ${box.family}`);
  });

  it("a word the catalog does not know is drawn as `other`, what follows it as written", () => {
    const { diagram } = diagramOf("input 8x8x1\nfrobnicate 3 3\nrelu\n", "unknown.cnn");
    const unknown = [...layersOf(diagram.items)].find((l) => l.kind === "frobnicate");
    assert.ok(unknown, "the unknown layer is drawn");
    assert.equal(unknown.family, "other");
    assert.equal(unknown.detail, "3 3");
  });

  it("a `mul { branch … }` (squeeze-and-excitation) is drawn as a parallel group with its merge box", () => {
    const text = "network SE {\n  input 8x8x16\n  mul {\n    branch { }\n    branch { gap; conv 4 1x1; relu; conv 16 1x1; sigmoid }\n  }\n  conv 8 1x1\n}\n";
    const { diagram } = diagramOf(text, "se.cnn");
    const mul = diagram.items.find((i) => i.type === "parallel")!;
    assert.ok(mul.type === "parallel");
    assert.equal(mul.kind, "mul");
    const scene = layoutDiagram(diagram);
    const box = scene.boxes.find((b) => b.merge)!;
    assert.equal(box.kind, "mul");
    assert.equal(box.lines[0].text, "mul");
    assert.ok(sceneToSvg(scene).includes(">mul<"));
  });

  describe("cnn graph", () => {
    const dir = mkdtempSync(join(tmpdir(), "cnn-graph-"));
    const quiet = async (args: string[]) => {
      const write = process.stdout.write.bind(process.stdout);
      const writeErr = process.stderr.write.bind(process.stderr);
      let out = "";
      let err = "";
      process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
      process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
      try {
        return { code: await main(args), out, err };
      } finally {
        process.stdout.write = write;
        process.stderr.write = writeErr;
      }
    };

    it("writes the figure with --svg, one box per layer of the inception example", async () => {
      const out = join(dir, "inception.svg");
      const r = await quiet(["graph", join(root, "examples", "inception.cnn"), "--svg", out]);
      assert.equal(r.code, 0, r.err);
      const tags = parseXml(readFileSync(out, "utf8"));
      assert.equal(tags.filter((t) => t.name === "g" && (t.attributes.class ?? "").split(" ").includes("box")).length, 15);
    });

    it("prints the SVG without --svg; --network picks one; a network with errors exits 1 but is drawn", async () => {
      const spec = join(root, "test", "fixtures", "errors", "after_faults.cnn");
      const r = await quiet(["graph", spec, "--network", "AfterBlock"]);
      assert.equal(r.code, 1);
      assert.match(r.out, /^<\?xml/);
      assert.match(r.err, /after_faults\.cnn:\d+:\d+: error\[/);
      parseXml(r.out);
    });

    it("refuses bad usage with exit 2 and says why", async () => {
      const file = join(root, "examples", "lenet5.cnn");
      for (const [args, why] of [
        [["graph"], /name one \.cnn file/],
        [["graph", file, "--style", "cubes"], /flow or volume/],
        [["graph", file, "--expand", "most"], /auto, all, none or a depth/],
        [["graph", file, "--network", "Nope"], /no network `Nope`/],
        [["graph", file, "--bogus"], /unknown option --bogus/],
      ] as [string[], RegExp][]) {
        const r = await quiet(args);
        assert.equal(r.code, 2, args.join(" "));
        assert.match(r.err, why);
      }
    });

    it("--png renders a PNG (resvg) of the figure's size times --scale", async () => {
      const out = join(dir, "lenet.png");
      const r = await quiet(["graph", join(root, "examples", "lenet5.cnn"), "--png", out, "--scale", "1"]);
      assert.equal(r.code, 0, r.err);
      const png = readFileSync(out);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const svg = (await quiet(["graph", join(root, "examples", "lenet5.cnn")])).out;
      const width = Number(/width="(\d+)"/.exec(svg)![1]);
      assert.equal(png.readUInt32BE(16), width);
    });
  });
});
