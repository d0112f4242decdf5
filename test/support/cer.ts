/**
 * Character error rate, the usual measure of OCR quality: the edit (Levenshtein) distance between
 * what was recognised and the original text, over the original's length. Both are compared with
 * their whitespace normalised (any run of spaces and line breaks is one space; NFKC): line breaks
 * and spacing follow the layout, not the reading.
 */

export function normalizeForCer(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** Edit distance in code points (insertions, deletions and substitutions cost 1), two rows of memory. */
export function levenshtein(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = new Uint32Array(t.length + 1);
  let curr = new Uint32Array(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    curr[0] = i;
    const si = s[i - 1];
    for (let j = 1; j <= t.length; j++) {
      const cost = si === t[j - 1] ? 0 : 1;
      curr[j] = Math.min(prev[j]! + 1, curr[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[t.length]!;
}

/** Character error rate of `recognised` against `reference` (0 = identical; can exceed 1). */
export function characterErrorRate(recognised: string, reference: string): number {
  const ref = normalizeForCer(reference);
  const rec = normalizeForCer(recognised);
  return levenshtein(rec, ref) / Math.max(1, [...ref].length);
}
