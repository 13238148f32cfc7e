// What the bench asks of an engine: prepare once (weights converted to its layouts, not
// timed), then run the input as many times as measured.

export interface BenchEngine {
  /** version and settings, for the record */
  info: string;
  run(input: Float32Array): Promise<Float32Array>;
}

/** An engine that cannot run this way here (e.g. on more threads): the reason is printed instead of a row. */
export class Unavailable extends Error {
  override name = "Unavailable";
}
