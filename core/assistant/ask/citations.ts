/**
 * Citations in a generated answer: `[1]`, `[1, 3]`, `[2-4]` (also `[2–4]`, `;` as separator) are
 * mapped to the numbered passages of the prompt. Numbers with no passage are dropped and reported.
 */
import type { SearchItem } from '../../contract/methods/search.ts';

export interface Citation {
  n: number;
  chunkId: number | null;
  documentId: number | null;
  title: string | null;
  sourcePath: string;
  headingPath: string[];
  page: number | null;
  /** The passage was recognised by OCR. */
  ocr?: boolean;
  quote: string;
}

export type CitablePassage = Pick<
  SearchItem,
  'chunkId' | 'documentId' | 'title' | 'sourcePath' | 'headingPath' | 'page' | 'text' | 'highlights'
> &
  Partial<Pick<SearchItem, 'ocr'>>;

/** A bracket holding only numbers, commas/semicolons and ranges. */
const BRACKET = /\[(\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?(?:\s*[,;]\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?)*\s*)\]/gu;
/** A wider range than this is not a citation ("[1-2000]"). */
const MAX_RANGE = 50;

export interface ParsedCitations {
  /** Distinct numbers in order of first appearance. */
  numbers: number[];
}

export function parseCitationNumbers(text: string): number[] {
  const seen = new Set<number>();
  for (const m of text.matchAll(BRACKET)) {
    for (const part of m[1]!.split(/[,;]/u)) {
      const [a, b] = part.split(/[-–]/u).map((s) => Number(s.trim()));
      if (a === undefined || !Number.isInteger(a)) continue;
      if (b === undefined) {
        seen.add(a);
      } else if (Number.isInteger(b) && b >= a && b - a <= MAX_RANGE) {
        for (let n = a; n <= b; n++) seen.add(n);
      }
    }
  }
  return [...seen];
}

/** The passage's most relevant sentence-ish excerpt (around its first highlight), ≤ 240 chars. */
export function quoteOf(p: Pick<CitablePassage, 'text' | 'highlights'>, width = 240): string {
  const text = p.text.replace(/\s+/gu, ' ').trim();
  if (text.length <= width) return text;
  const first = p.highlights[0];
  let start = 0;
  if (first) {
    // Start at the beginning of the sentence holding the first highlight (approximately: the
    // highlight offsets refer to the raw text, whitespace collapsing shifts them a little).
    const before = text.slice(0, Math.min(first.start, text.length));
    const cut = Math.max(before.lastIndexOf('. '), before.lastIndexOf('? '), before.lastIndexOf('! '));
    start = cut >= 0 ? cut + 2 : 0;
    if (first.start - start > width / 2) start = Math.max(0, first.start - Math.floor(width / 3));
  }
  let end = Math.min(text.length, start + width);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start + width / 2) end = space;
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}

export function citationOf(n: number, p: CitablePassage): Citation {
  return {
    n,
    chunkId: p.chunkId,
    documentId: p.documentId,
    title: p.title,
    sourcePath: p.sourcePath,
    headingPath: p.headingPath,
    page: p.page,
    ...(p.ocr ? { ocr: true } : {}),
    quote: quoteOf(p),
  };
}

export interface MappedCitations {
  citations: Citation[];
  /** Numbers cited that match no passage (hallucinated). */
  invalid: number[];
}

/** Maps `[n]` references in `answer` to `passages` (passage n = passages[n - 1]). */
export function mapCitations(answer: string, passages: readonly CitablePassage[]): MappedCitations {
  const citations: Citation[] = [];
  const invalid: number[] = [];
  for (const n of parseCitationNumbers(answer)) {
    const p = n >= 1 ? passages[n - 1] : undefined;
    if (p) citations.push(citationOf(n, p));
    else invalid.push(n);
  }
  citations.sort((a, b) => a.n - b.n);
  return { citations, invalid };
}
