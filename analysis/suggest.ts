// "did you mean …": the closest known name by edit distance (with transpositions).

function distance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => {
    const row = new Array<number>(n + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/** The closest candidate, if close enough to be a likely typo; case is ignored. */
export function suggest(name: string, candidates: Iterable<string>): string | null {
  const lower = name.toLowerCase();
  const allowed = name.length <= 3 ? 1 : name.length <= 6 ? 2 : 3;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // the distance is at least the difference in length: a name far longer or shorter
    // than every candidate costs nothing (a 1 MB word is not compared letter by letter)
    const other = c.toLowerCase();
    if (Math.abs(other.length - lower.length) > allowed) continue;
    const dist = other === lower ? 0 : distance(lower, other);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  if (best === null) return null;
  return bestDistance <= allowed && best !== name ? best : null;
}
