/**
 * Where the query's words occur in a chunk, matched the way the keyword index matches them:
 * whole words, case-insensitive, diacritics ignored ("resume" marks "Résumé").
 */
import type { Highlight } from '../../contract/methods/search.ts';
import { ftsTerms } from '../../stores/vectors/fts-query.ts';

/** Same word definition as the FTS query parser (letters, numbers, marks of any script). */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const MARKS = /\p{M}/gu;
/** A chunk rarely needs more; a pathological one (the same word 10,000 times) stays cheap. */
export const MAX_HIGHLIGHTS = 200;

/** Lower case without diacritics: the form both sides are compared in. */
export function foldWord(word: string): string {
  return word.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** The query's words, folded, for `highlightText`. */
export function queryWords(query: string): Set<string> {
  return new Set(ftsTerms(query).map(foldWord));
}

/** Ranges of `text` (UTF-16 offsets, end exclusive) that are one of `words`, in order. */
export function highlightText(text: string, words: ReadonlySet<string>): Highlight[] {
  const out: Highlight[] = [];
  if (words.size === 0) return out;
  for (const m of text.matchAll(WORD)) {
    if (!words.has(foldWord(m[0]))) continue;
    out.push({ start: m.index, end: m.index + m[0].length });
    if (out.length >= MAX_HIGHLIGHTS) break;
  }
  return out;
}
