// Where each activation lives in the executor's memory, planned once from liveness: a
// buffer is alive from the step that writes it to the last step that reads it, and two
// buffers may share bytes when their lives do not overlap. Largest first, each at the
// lowest offset that clashes with no live neighbour (the greedy "first fit by size"
// of TFLite's arena planner). The arena is then close to the largest set of
// activations alive at once, not their sum.

export interface Lifetime {
  id: number;
  bytes: number;
  first: number;
  last: number;
}

/** every buffer ends on a cache line, plus a line of slack: vector kernels may spill a few lanes past the end */
export function paddedBytes(bytes: number): number {
  return Math.ceil(bytes / 64) * 64 + 64;
}

export function planArena(buffers: Lifetime[]): { offsets: Map<number, number>; size: number } {
  const placed: { offset: number; end: number; first: number; last: number }[] = [];
  const offsets = new Map<number, number>();
  let size = 0;
  const order = [...buffers].sort((a, b) => b.bytes - a.bytes || a.first - b.first);
  for (const b of order) {
    const bytes = paddedBytes(b.bytes);
    const clashes = placed.filter((p) => p.first <= b.last && b.first <= p.last).sort((x, y) => x.offset - y.offset);
    let offset = 0;
    for (const p of clashes) {
      if (offset + bytes <= p.offset) break;
      offset = Math.max(offset, p.end);
    }
    placed.push({ offset, end: offset + bytes, first: b.first, last: b.last });
    offsets.set(b.id, offset);
    size = Math.max(size, offset + bytes);
  }
  return { offsets, size };
}
