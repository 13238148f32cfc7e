// Elaboration: the AST of each network walked with blocks and repeats expanded, each
// layer's input shape threaded into the next (spec §3, §4), and the result recorded as
// occurrences (for the editor) and a graph (for the engine). One module per job:
//   definitions.ts  networks and blocks, duplicates      recursion.ts  cycles of block uses
//   binding.ts      arguments bound, layer args read     expand.ts     the walk itself
//   doubt.ts        what flows on after a fault          merge.ts      residual/add/concat
//   graph.ts        nodes, occurrences, scopes, totals   sink.ts       diagnostics, references

import { Elaborator } from "./expand";

export { Elaborator, MAX_REPEAT, type ElaborationResult, type Resumable } from "./expand";

/**
 * One elaborator that lives as long as the module. An instance's hidden class is
 * reached from the class's initial map by a weak transition per field: once every
 * instance is collected, the class dies with it, and V8 throws away the optimized
 * code of every method with it (they check it on `this`). Analyses are short-lived,
 * so without this one every full GC cost the next analyses a recompilation of the
 * whole elaborator (measured: ~10 ms of a 5,000-layer analysis). It holds a Sink and a
 * Recorder, which keeps their classes too.
 */
export const keepsElaboratorShape = new Elaborator({ items: [] }, "");
