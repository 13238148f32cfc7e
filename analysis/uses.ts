// How many times a statement runs, in all: its occurrences (the first 100 are kept) and
// the uses counted without one (Analysis.unrecordedUses). Hints and hover say "1st of N".

import type { Analysis, Occurrence } from "./types";

export interface Uses {
  /** the occurrences kept, in elaboration order */
  list: Occurrence[];
  /** uses in all (list.length, or more) */
  total: bigint;
  /** every use gives what the first does (shape, params, MACs) */
  alike: boolean;
}

export function usesOf(analysis: Analysis, start: number): Uses {
  const list = analysis.occurrences.get(start) ?? [];
  const more = analysis.unrecordedUses.get(start);
  const first = list[0];
  const same = (o: Occurrence) =>
    o.params === first.params &&
    o.macs === first.macs &&
    (o.output === first.output ||
      (o.output !== null && first.output !== null && JSON.stringify(o.output) === JSON.stringify(first.output)));
  const alike = list.length > 0 && list.every(same) && (more?.likeFirst ?? true);
  return { list, total: BigInt(list.length) + (more?.count ?? 0n), alike };
}
