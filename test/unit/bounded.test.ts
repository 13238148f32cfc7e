// Issue 9 item 1: the analysis costs what the text asks for, not what it expands to.
// A block use is elaborated once per (call, arguments, input shape, doubt) and reused; a
// repeat whose passes come in alike reuses its pass; a network past the layer cap is
// counted exactly but not expanded (and says so); a text that asks for more work than
// an analysis does stops with one error at what grew. Asserted on work counts and on the
// errors, never on time.

import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { analyze, shapeText, usesOf, type Analysis, type GraphNode, type NetworkResult, type Occurrence } from "../../analysis";
import { Elaborator } from "../../analysis/elaborate";
import { parse } from "../../grammar";
import { strideFor } from "../../analysis/projection";
import { fieldEquals, fieldJson, fieldText } from "../../analysis/exact";
import { cnnText } from "../support/arbitraries";

const at = (a: Analysis, needle: string, nth = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = a.text.indexOf(needle, i + 1);
  return i;
};

/** 40 blocks, each using the one before it three times: 3^40 layers. */
function chain(n: number, leaf = "conv k 3x3 pad 1"): string {
  const lines = [`block B0(k) { ${leaf} }`];
  for (let i = 1; i < n; i++) lines.push(`block B${i}(k) { B${i - 1}(k); B${i - 1}(k); B${i - 1}(k) }`);
  return `${lines.join("\n")}\ninput 8x8x2\nB${n - 1}(2)\n`;
}

describe("analysis bounded by work (issue 9 item 1)", () => {
  it("repeat 300 { repeat 300 { rel } }: the typo is reported once, its 90,000 uses counted", () => {
    const a = analyze("input 8x8x1\nrepeat 300 { repeat 300 { rel } }\n", "t.cnn");
    // read as the relu it most likely is: 90,000 layers, past the 50,000 that can run
    assert.deepEqual(a.diagnostics.map((d) => d.code), ["bad-value", "unknown-name"]);
    assert.match(a.diagnostics[0].message, /expands to 90,000 layers, more than the 50,000 that can run/);
    assert.match(a.diagnostics[1].message, /did you mean `relu`/);
    const uses = usesOf(a, at(a, "rel }"));
    assert.equal(uses.total, 90_000n);
    assert.equal(uses.list.length, 100);
    assert.ok(a.work < 200_000, `work ${a.work}`);
  });

  it("a chain of 40 blocks each using the one before three times: linear work, exact bigint counts, not runnable", () => {
    const a = analyze(chain(40), "t.cnn");
    const n = a.networks[0];
    // each conv 2 3x3 on 2 channels: 2·2·9 + 2 = 38 params, 36·64 MACs
    const layers = 3n ** 39n;
    assert.equal(n.params, 38n * layers);
    assert.equal(n.macs, 36n * 64n * layers);
    assert.equal(n.activationBytes, (8n * 8n * 2n * 4n) * (layers + 1n));
    assert.equal(shapeText(n.output), "8×8×2");
    assert.equal(n.complete, false);
    assert.deepEqual(a.diagnostics.map((d) => d.code), ["bad-value"]);
    const d = a.diagnostics[0];
    assert.match(d.message, new RegExp(`expands to ${layers.toLocaleString("en-US")} layers, more than the 50,000 that can run`));
    // located at the use that grew, not the whole file
    assert.equal(a.text.slice(d.start, d.end), "B39(2)");
    assert.ok(n.graph.length <= 50_001);
    // (the first 50,000 layers are expanded, a few units each; the rest is counted)
    assert.ok(a.work < 200_000, `work ${a.work}`);
    // every use is counted: B0's conv runs 3^39 times, all alike
    const conv = usesOf(a, at(a, "conv"));
    assert.equal(conv.total, layers);
    assert.equal(conv.alike, true);
  });

  it("the chain's work grows linearly with its length", () => {
    const w20 = analyze(chain(20, "relu"), "t.cnn").work;
    const w40 = analyze(chain(40, "relu"), "t.cnn").work;
    // 3^20 more layers, about twice the work (copies up to the cap are the same)
    assert.ok(w40 < 2.5 * w20, `${w20} → ${w40}`);
  });

  it("uses past the first 100 occurrences are counted, and not claimed alike when they differ", () => {
    const a = analyze(`block A(k) { conv k 1x1 }
block B(k) { A(k); A(k+1); A(k); A(k+1) }
block C(k) { B(k); B(k); B(k); B(k) }
block D(k) { C(k); C(k); C(k); C(k) }
block E(k) { D(k); D(k); D(k); D(k) }
block F(k) { E(k); E(k); E(k); E(k) }
block G(k) { F(k); F(k); F(k); F(k) }
block H(k) { G(k); G(k); G(k); G(k) }
input 4x4x1
H(1)
`, "t.cnn");
    const conv = usesOf(a, at(a, "conv"));
    assert.equal(conv.total, 4n ** 7n);
    assert.equal(conv.alike, false);
    // every B gets k = 1: conv 1, conv 2, conv 1, conv 2 — 13 params from depth 1, then 14 from depth 2
    assert.equal(a.networks[0].params, 13n + 14n * (4n ** 6n - 1n));
    assert.equal(a.networks[0].complete, true);
  });

  it("a text asking for more work than an analysis does stops with one error at what grew", () => {
    // every use of P0 sees a wider input (pad 1 before it): no two alike, 2^30 elaborations
    const lines = ["block P0(k) { pad 1 }"];
    for (let i = 1; i <= 30; i++) lines.push(`block P${i}(k) { P${i - 1}(k); P${i - 1}(k) }`);
    const a = analyze(`${lines.join("\n")}\ninput 8x8x1\nrelu\ngrow: P30(1)\nrelu\n`, "t.cnn");
    assert.deepEqual(a.diagnostics.map((d) => d.code), ["bad-value"]);
    const d = a.diagnostics[0];
    assert.match(d.message, /this use of `P30` in network `t` expands to more than one analysis can check/);
    assert.equal(a.text.slice(d.start, d.end), "grow: P30(1)");
    assert.equal(a.networks[0].complete, false);
    // (the budget: 200,000 units and 16 per statement written)
    assert.ok(a.work < 210_000, `work ${a.work}`);
  });

  it("a concat that doubles the depth each pass is too large past 2^31, not Infinity (it threw)", () => {
    const a = analyze("input 4x4x1\nrepeat 40 { concat { branch { } branch { } } }\nflatten\nrepeat 1100 { concat { branch { } branch { } } }\nfc 10\n", "t.cnn");
    assert.deepEqual(a.diagnostics.map((d) => [d.code, d.message]), [["bad-value", "concat gives 4×4×2147483648: too large"]]);
    const v = analyze("input 4x4x1\nflatten\nrepeat 1100 { concat { branch { } branch { } } }\nfc 10\n", "t.cnn");
    assert.deepEqual(v.diagnostics.map((d) => d.message), ["concat gives 2147483648: too large"]);
  });

  it("repeat passes that come in alike are reused: the graph is as if each ran", () => {
    const a = analyze("input 16x16x3\nrepeat 50 { conv 8 3x3 pad 1; relu }\nfc 10\n", "t.cnn");
    const n = a.networks[0];
    assert.deepEqual(a.diagnostics, []);
    assert.equal(n.complete, true);
    assert.equal(n.graph.length, 1 + 100 + 1);
    n.graph.forEach((node, i) => {
      assert.equal(node.id, i);
      if (i > 0) assert.deepEqual(node.inputs, [i - 1]);
    });
    // 3→8 then 8→8 (×49): 8·3·9+8 + 49·(8·8·9+8); fc 2048·10 + 10
    const repeat = n.statements[0];
    assert.equal(repeat.params, 224n + 49n * 584n);
    assert.equal(n.params, repeat.params + 20_490n);
    // the receptive field grows by 2 per conv: 1 + 2·50; fc sees all 16 of the rest
    assert.deepEqual(repeat.receptiveField, { w: 101, h: 101, jumpW: 1, jumpH: 1 });
    assert.equal(n.receptiveField?.w, 116);
    const passes = n.graph.filter((g) => g.op === "conv").map((g) => g.scope[0]);
    assert.deepEqual(passes.map((f) => f.kind === "repeat" && f.iteration), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.equal(new Set(passes.map((f) => f.id)).size, 50);
  });

  // found by the property below, each shrunk by hand
  const sameWithoutReuse = (text: string) => {
    const file = parse(text).file;
    assert.ok(!outOfWork(new Elaborator(file, "t", 100_000, undefined, false).run()));
    assert.deepEqual(summary(new Elaborator(file, "t").run()), summary(new Elaborator(file, "t", 100_000, undefined, false).run()));
  };

  it("a use whose input has no receptive field is not replayed for one that has", () => {
    // the repeat's second pass comes in after a mismatch (no field), the shortcut's use of B1 after a gap (a field)
    sameWithoutReuse(`block B0(k) { gap }
block B1(k) {
  repeat 1 { residual { relu } shortcut { B0(k) } }
  B0(1)
}
network N {
  input 1x2x1
  residual { repeat 2 { B1(1) }; B0(1) } shortcut { B0(1); residual { B1(1) } }
}
`);
  });

  it("block uses only counted inside a replayed elaboration keep their numbers (use n of N)", () => {
    const text = "block B0(k){k}block B1(k){repeat 3{repeat 3{B0 1}}}block B2(k){repeat 4{B1(1)}}network{repeat 4{concat{branch{}branch{B2(1)}}}}";
    sameWithoutReuse(text);
    const a = analyze(text, "t.cnn");
    const frames = a.occurrences.get(text.indexOf("{k}") + 1)!.map((o) => o.scope.at(-1)!);
    assert.deepEqual(frames.map((f) => f.kind === "block" && `${f.use}/${f.uses}`), Array.from({ length: 100 }, (_, i) => `${i + 1}/144`));
  });

  it("after a fault the stand-in shape is fixed: a repeat that grows it reuses its pass", () => {
    // (found by the fuzzer: each pass of convT grew the stand-in, 36,000 passes elaborated, seconds)
    const text = "input 32x32x3\nconv 8 3x3 stride 0\nrepeat 298 { elu; repeat 121 { convT 8 20; maxpool 2 ceil } }\nrelu\n";
    const a = analyze(text, "t.cnn");
    assert.deepEqual(a.diagnostics.map((d) => d.code), ["bad-value"]);
    // (each of the first 100 passes is copied, for the hover's first 100 uses; 36,000 passes elaborated would be 430,000)
    assert.ok(a.work < 60_000, `work ${a.work}`);
    // below the fault no shape is shown: not the stand-in's
    const relu = a.occurrences.get(text.indexOf("relu"))![0];
    assert.equal(relu.input, null);
    assert.equal(relu.output, null);
    // (without reuse this runs out of work: compared on fewer passes)
    sameWithoutReuse(text.replace("298", "30").replace("121", "21"));
  });

  it("16 nested repeat 2 { }: 65,536 layers counted, the first 50,000 expanded, bounded work", () => {
    const text = `input 8x8x1\n${"repeat 2 {\n".repeat(16)}relu\n`;
    const a = analyze(text, "t.cnn");
    assert.match(a.diagnostics.map((d) => d.message).join("\n"), /expands to 65,536 layers, more than the 50,000 that can run/);
    assert.equal(usesOf(a, text.indexOf("relu")).total, 65_536n);
    assert.ok(a.work < 200_000, `work ${a.work}`);
  });

  // the long LSP fuzz's hangs (docs 33787, 54353, 70735, 43563): a residual on an input 10⁹
  // wide made the projection shortcut's stride be sought by trying every stride up to 10⁹
  it("a residual on an input 10⁹ pixels wide: the projection shortcut it suggests has the stride that fits", () => {
    const a = analyze("input 1000000000x224x3\nresidual {\n  conv 8 3x3 stride 2 pad 1\n}\n", "t.cnn");
    const d = a.diagnostics.find((x) => x.code === "depth-mismatch");
    assert.ok(d, JSON.stringify(a.diagnostics.map((x) => x.message)));
    // 10⁹ → 5·10⁸ and 224 → 112: a 1×1 of stride 2 maps 10⁹ to ⌊(10⁹ − 1)/2⌋ + 1, and does not tile
    assert.match(d.message, /conv 8 1x1 stride 2 floor/);
  });

  it("the projection stride is the smallest S with ⌊(W₁ − 1)/S⌋ + 1 = W₂ on both axes (else 1), as trying each S finds it", () => {
    const tried = (w1: number, h1: number, w2: number, h2: number) => {
      for (let s = 1; s <= Math.max(w1, h1); s++) if (Math.floor((w1 - 1) / s) + 1 === w2 && Math.floor((h1 - 1) / s) + 1 === h2) return s;
      return 1;
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), (w1, h1, s, t, fit) => {
        // sizes a stride gives (fit), or any
        const w2 = fit ? Math.floor((w1 - 1) / s) + 1 : Math.min(w1, s);
        const h2 = fit ? Math.floor((h1 - 1) / s) + 1 : Math.min(h1, t);
        assert.equal(strideFor({ w: w1, h: h1 }, { w: w2, h: h2 }), tried(w1, h1, w2, h2), `${w1}×${h1} → ${w2}×${h2}`);
      }),
      { numRuns: 3000 },
    );
    assert.equal(strideFor({ w: 2 ** 52, h: 3 }, { w: 2 ** 51, h: 2 }), 2);
    assert.equal(strideFor({ w: 2 ** 52 + 1, h: 1 }, { w: 1, h: 1 }), 2 ** 52 + 1);
  });

  // issue 9 leftover: receptive fields are exact (the counting rules' exact integers past 2^53;
  // exact fractions after an upsampling), so a reused elaboration gives the digits a fresh one gives
  describe("receptive fields are exact", () => {
    /** the network's field, and whether reuse and a fresh elaboration agree on everything */
    const both = (text: string) => {
      const file = parse(text).file;
      const reused = new Elaborator(file, "t").run();
      const fresh = new Elaborator(file, "t", 100_000, undefined, false).run();
      assert.deepEqual(summary(reused), summary(fresh), text);
      return reused.networks[0].receptiveField!;
    };

    it("past 2^53: a block of 30 strided convs used three times on a 1×1 input gives r = 2^91 − 1, j = 2^90, digit for digit", () => {
      // each conv 3×3 stride 2 adds 2·j and doubles j: after 90 of them r = 1 + 2·(2^90 − 1), j = 2^90
      const rf = both("block B { repeat 30 { conv 1 3x3 stride 2 pad 1 } }\ninput 1x1x1\nB\nB\nB\n");
      assert.deepEqual(rf, { w: 2n ** 91n - 1n, h: 2n ** 91n - 1n, jumpW: 2n ** 90n, jumpH: 2n ** 90n });
      const a = analyze("input 1x1x1\nrepeat 90 { conv 1 3x3 stride 2 pad 1 }\n", "t.cnn");
      assert.deepEqual(a.networks[0].receptiveField, rf);
      assert.equal(fieldText(rf.w), "2475880078570760549798248447");
    });

    it("below 2^53 they stay plain numbers (the fast path), as the spec's examples show them", () => {
      const rf = both("input 32x32x3\nconv 8 5x5\nmaxpool 2\nconv 8 3x3\n");
      // 1 + 4 = 5, then 5 + 1 = 6 (jump 1), j = 2, 6 + 2·2 = 10
      assert.deepEqual(rf, { w: 10, h: 10, jumpW: 2, jumpH: 2 });
    });

    it("after an upsampling the jump is a fraction, kept exact: r = 1 + 4·(2/3) after four passes of upsample 3 → conv 3×3 stride 3", () => {
      // each pass: j/3, r += 2·j/3, then j·3: r grows by 2/3, j stays 1
      const rf = both("block U { upsample 3\n conv 1 3x3 stride 3 }\ninput 1x1x1\nU\nU\nU\nU\n");
      assert.ok(fieldEquals(rf.w, { n: 11n, d: 3n }), JSON.stringify(rf, (_k, v) => (typeof v === "bigint" ? `${v}` : v)));
      assert.equal(rf.jumpW, 1);
      assert.equal(fieldText(rf.w), "3.67");
      // three passes: 3 exactly, a plain number again
      assert.equal(both("block U { upsample 3\n conv 1 3x3 stride 3 }\ninput 1x1x1\nU\nU\nU\n").w, 3);
    });

    it("past what a float holds (2^1024) a field is Infinity, as a float's would be, and costs no more", () => {
      const a = analyze("input 1x1x1\nrepeat 10000 { repeat 10000 { conv 1 1x1 stride 2 } }\n", "t.cnn");
      assert.equal(a.networks[0].receptiveField?.jumpW, Infinity);
      assert.ok(a.work < 200_000, `work ${a.work}`);
    });

    it("the summary's JSON writes them as integers, digit for digit; the hover's and the table's text too", () => {
      const a = analyze("input 1x1x1\nrepeat 60 { conv 1 3x3 stride 2 pad 1 }\n", "t.cnn");
      const rf = a.networks[0].receptiveField!;
      assert.equal(rf.jumpW, 2n ** 60n);
      assert.equal(fieldText(rf.jumpW), "1152921504606846976");
      assert.equal(fieldJson(rf.w), 2n ** 61n - 1n);
      assert.equal(fieldJson({ n: 11n, d: 3n }), 11 / 3);
      assert.equal(fieldText({ n: 1n, d: 8n }), "0.13");
      assert.equal(fieldText({ n: 1n, d: 8n }, false), "0.13");
      assert.equal(fieldText({ n: 3n, d: 2n }, false), "1.50");
      assert.equal(fieldText({ n: 3n, d: 2n }), "1.5");
    });
  });

  it("reuse changes nothing: generated texts elaborate alike with and without it", () => {
    fc.assert(
      fc.property(cnnText({ maxRepeat: 6, maxBlocks: 4, maxDepth: 2, maxStatements: 3 }), (text) => {
        const file = parse(text).file;
        const reused = new Elaborator(file, "t").run();
        // (without reuse a generated text may run out of work: then only the texts that did not compare)
        const fresh = new Elaborator(file, "t", 100_000, undefined, false).run();
        if (outOfWork(fresh)) return;
        // (receptive fields are exact past 2^53 too — bigints, fractions after an upsampling:
        // a reused elaboration moves them by one affine step, a fresh one by many, to the same digits)
        assert.deepEqual(summary(reused), summary(fresh), text);
      }),
      // (a failure is reported as found: shrinking these texts can take minutes)
      { numRuns: 150, endOnFailure: true },
    );
  });
});

const outOfWork = (r: ReturnType<Elaborator["run"]>) => r.diagnostics.some((d) => d.message.includes("expands to more than one analysis can check"));

/** What an elaboration gives, in plain data (frames by their words, nodes by op and wiring). */
function summary(r: ReturnType<Elaborator["run"]>) {
  const frame = (n: GraphNode | Occurrence) =>
    n.scope.map((f) => (f.kind === "block" ? `${f.block}${f.use}/${f.uses}` : f.kind === "repeat" ? `r${f.iteration}/${f.count}` : f.kind === "residual" ? f.path : `${f.merge}${f.branch}`)).join(">");
  const net = (n: NetworkResult) => ({
    name: n.name,
    output: n.output,
    params: n.params,
    macs: n.macs,
    field: n.receptiveField,
    bytes: n.activationBytes,
    peak: n.peakActivationBytes,
    complete: n.complete,
    graph: n.graph.map((g) => `${g.id}:${g.op}(${g.inputs.join(",")})${shapeText(g.output)}@${g.span.start} ${frame(g)}`),
    statements: n.statements.map((o) => `${o.kind} ${shapeText(o.output)} ${o.params} ${o.macs}`),
  });
  return {
    networks: r.networks.map(net),
    diagnostics: r.diagnostics.map((d) => `${d.code}@${d.start}-${d.end} ${d.message} ${JSON.stringify(d.related ?? [])}`),
    occurrences: [...r.occurrences].map(([start, list]) => [
      start,
      list.map((o) => `${o.kind} ${shapeText(o.input)}→${shapeText(o.output)} ${o.params} ${o.macs} ${JSON.stringify(o.receptiveField, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))} ${o.node?.id ?? "-"} ${o.callSites.map((s) => s.start).join(",")} ${frame(o)} ${o.network}`),
    ]),
    unrecorded: [...r.unrecordedUses],
    references: r.references.length,
  };
}
