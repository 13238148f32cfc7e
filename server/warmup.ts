// The JIT's warm-up (server/idle.ts runs it in quiet moments after start): short analyses
// of a text that uses what real files use — blocks, repeat, residual with a projection,
// the common layers with their options, a stride misfit and a misspelt option (so the
// diagnostics' paths run too) — each followed by what an edit's publish does with it.
// Its results are thrown away; nothing here touches the client's documents.

import { analyze, type Analysis, type AnalysisSettings } from "../analysis";
import { diagnostics } from "./features/diagnostics";
import { Positions } from "./positions";

/** A representative network of about `layers` flat layers plus a few blocks. */
export function warmupText(layers = 120): string {
  const lines = [
    "# warm-up",
    "block Basic(k) {",
    "  residual {",
    "    conv k 3x3 pad 1 nobias",
    "    bn",
    "    relu",
    "    conv k 3x3 pad 1 nobias",
    "    bn",
    "  }",
    "  relu",
    "}",
    "block Down(k) {",
    "  residual {",
    "    conv k 3x3 stride 2 pad 1 nobias floor",
    "    bn",
    "    relu",
    "  } shortcut {",
    "    conv k 1x1 stride 2 nobias floor",
    "    bn",
    "  }",
    "}",
    "network Warm {",
    "  input 64x64x3",
    "  stem: conv 16 3x3 pad 1      # keeps the size",
  ];
  for (let i = 0; i < layers; i++) {
    const kind = i % 5;
    if (kind === 0) lines.push(`  c${i}: conv 16 3x3 pad 1`);
    else if (kind === 1) lines.push("  bn");
    else if (kind === 2) lines.push("  relu");
    else if (kind === 3) lines.push("  conv 16 1x1 nobias");
    else lines.push("  dropout 0.1");
  }
  lines.push(
    "  layer1: repeat 2 { Basic(16) }",
    "  Down(32)",
    "  maxpool 2x2 stride 2",
    "  conv 32 3x3 stride 2         # (32 − 3)/2 + 1 = 15.5: a misfit",
    "  conv 32 3x3 strid 1",
    "  gap",
    "  fc 10",
    "  softmax",
    "}",
  );
  return lines.join("\n") + "\n";
}

/** `pieces` analyses of the warm-up text, one per step (each a few ms once warm). */
export function* warmup(settings: () => AnalysisSettings, pieces = 60): Generator<void, void, undefined> {
  const text = warmupText();
  let previous: Analysis | undefined;
  for (let i = 0; i < pieces; i++) {
    // a different text each time, as an edit makes it, analyzed from the one before (the
    // incremental path, as an edit's), and now and then whole
    const edited = i % 2 === 0 ? text : text.replace("c0: conv 16 3x3 pad 1", "c0: conv 16 3x3 pad 1 stride 2");
    const analysis = analyze(edited, "warmup.cnn", settings(), i % 10 === 9 ? undefined : previous);
    previous = analysis;
    diagnostics({ uri: "warmup:", version: i, analysis, positions: new Positions(edited) });
    yield;
  }
}

/**
 * The path an edit takes, run once on `analysis` (a document just opened) and thrown
 * away: a space added at the end of its last statement line, analyzed from it. The first
 * edit after an open otherwise runs the incremental analysis cold (traced in Neovim: 34–46
 * ms of CPU for an edit of the last line of the 5,000-layer file, 6–9 warm). Costs the
 * open's publish one such analysis; the analysis itself is left as it was.
 */
export function warmEditPath(analysis: Analysis, settings: AnalysisSettings): void {
  const text = analysis.text;
  // the last line that starts with indentation and a letter (a statement in a body), from the end
  for (let end = text.length, guard = 0; end > 0 && guard < 1000; guard++) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const line = text.slice(start, end).replace(/\r?\n?$/, "");
    if (/^[ \t]+[A-Za-z]/.test(line)) {
      const at = start + line.length;
      analyze(text.slice(0, at) + " " + text.slice(at), analysis.fileName, settings, analysis);
      return;
    }
    end = start - 1;
  }
}
