/**
 * Turns arbitrary user text into a safe FTS5 MATCH expression.
 *
 * FTS5 query syntax (quotes, `*`, `^`, `:`, `+`, `-`, parentheses, AND/OR/NOT/NEAR) is never passed
 * through: we extract Unicode word tokens (letters, numbers and combining marks, any script), drop
 * bare upper-case operator keywords, wrap each remaining term in double quotes (a quoted string is
 * always a literal phrase in FTS5 and our tokens contain no `"`), and join them with OR so that BM25
 * ranks chunks by how many and how rare the matched terms are.
 */

/** Upper bound on the number of OR-ed terms (keeps MATCH cost bounded for pasted pages of text). */
export const MAX_FTS_TERMS = 64;
/** Tokens longer than this are truncated (they would never match a real word anyway). */
export const MAX_TERM_LENGTH = 128;

const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const OPERATORS = new Set(['AND', 'OR', 'NOT', 'NEAR']);

/** The distinct searchable terms of `text`, lower-cased, in first-seen order, at most `max`. */
export function ftsTerms(text: string, max = MAX_FTS_TERMS): string[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  let normalized: string;
  try {
    normalized = text.normalize('NFKC');
  } catch {
    normalized = text;
  }
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const m of normalized.matchAll(WORD)) {
    const raw = m[0];
    if (OPERATORS.has(raw)) continue; // the user typed query syntax, not a word
    // A token must start with a letter/number: a lone combining mark is not a word.
    if (!/^[\p{L}\p{N}\p{Co}]/u.test(raw)) continue;
    const term = Array.from(raw.toLowerCase()).slice(0, MAX_TERM_LENGTH).join('');
    if (seen.has(term)) continue;
    seen.add(term);
    terms.push(term);
    if (terms.length >= max) break;
  }
  return terms;
}

/** A MATCH expression such as `"perjanjian" OR "kerja"`, or null when there is nothing to search. */
export function toFtsQuery(text: string, max = MAX_FTS_TERMS): string | null {
  const terms = ftsTerms(text, max);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ');
}

/**
 * An identifier as typed: words joined by `_`, `.`, `-`, `::`, `/` or `+` (max_file_size,
 * os.path.join, apt-get, std::vector). The tokenizer splits it into its parts; searched as the
 * phrase of its parts it keeps its identity (the parts stay in the query too, so a text that
 * mentions them apart is still found).
 */
const IDENTIFIER = /[\p{L}\p{N}]+(?:(?:[_.\-/+]|::)+[\p{L}\p{N}]+)+/gu;

/** The phrases `text` holds, each as its list of terms: identifiers, then word pairs. */
export interface QueryPhrases {
  identifiers: string[][];
  /** Neighbouring words (multi-word terms: "package pinning", "Visual Studio"). */
  pairs: string[][];
}

export function queryPhrases(text: string): QueryPhrases {
  if (typeof text !== 'string' || text.length === 0) return { identifiers: [], pairs: [] };
  let normalized: string;
  try {
    normalized = text.normalize('NFKC');
  } catch {
    normalized = text;
  }
  const identifiers: string[][] = [];
  const seen = new Set<string>();
  for (const m of normalized.slice(0, 4_000).matchAll(IDENTIFIER)) {
    const parts = ftsTerms(m[0]);
    const key = parts.join(' ');
    if (parts.length < 2 || seen.has(key)) continue;
    seen.add(key);
    identifiers.push(parts);
    if (identifiers.length >= 8) break;
  }
  // Pairs of neighbouring words, in the order typed (repeats kept out by ftsTerms per word).
  const words: string[] = [];
  for (const m of normalized.slice(0, 4_000).matchAll(WORD)) {
    if (OPERATORS.has(m[0]) || !/^[\p{L}\p{N}\p{Co}]/u.test(m[0])) continue;
    words.push(Array.from(m[0].toLowerCase()).slice(0, MAX_TERM_LENGTH).join(''));
    if (words.length > 16) break;
  }
  const pairs: string[][] = [];
  if (words.length <= 16)
    for (let i = 0; i + 1 < words.length; i++) {
      const key = `${words[i]} ${words[i + 1]}`;
      if (words[i] === words[i + 1] || seen.has(key)) continue;
      seen.add(key);
      pairs.push([words[i]!, words[i + 1]!]);
    }
  return { identifiers, pairs };
}

/** A phrase as an FTS5 string literal. */
export function ftsPhrase(terms: readonly string[]): string {
  return `"${terms.map((t) => t.replaceAll('"', '""')).join(' ')}"`;
}
