/** Did-you-mean: the closest names to a misspelled one (edit distance, case-insensitive). */

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/**
 * Candidates close enough to `name` to be what the user meant, best first: a case-only difference,
 * a prefix/suffix of at least 3 characters, or at most a third of the length in edits (min 2).
 */
export function closest(name: string, candidates: readonly string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const scored: { c: string; d: number }[] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    let d = editDistance(lower, cl);
    if (cl === lower) d = 0;
    else if (lower.length >= 3 && (cl.startsWith(lower) || lower.startsWith(cl))) d = Math.min(d, 1);
    const limit = Math.max(2, Math.floor(Math.max(name.length, c.length) / 3));
    if (d <= limit) scored.push({ c, d });
  }
  return scored
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((s) => s.c);
}
