/**
 * A search hit as a person reads it: a window of the chunk around its highlights, and the
 * highlights marked (the ranges come from the engine, see knowledge/retrieval/highlight.ts).
 */
import type { Highlight } from '../contract/methods/search.ts';

export interface Snippet {
  text: string;
  /** Relative to the snippet's text. */
  highlights: Highlight[];
}

/**
 * About `width` characters of `text` around its densest run of highlights (or its start), cut at
 * word boundaries, with "…" where text was left out and whitespace collapsed.
 */
export function snippet(text: string, highlights: readonly Highlight[], width = 240): Snippet {
  let from = 0;
  if (highlights.length) {
    // The window start (at a highlight) that covers the most highlights.
    let best = 0;
    let bestCount = 0;
    for (let i = 0, j = 0; i < highlights.length; i++) {
      while (j < highlights.length && highlights[j]!.end - highlights[i]!.start <= width) j++;
      if (j - i > bestCount) {
        bestCount = j - i;
        best = i;
      }
    }
    const first = highlights[best]!.start;
    const last = highlights[best + bestCount - 1]!.end;
    from = Math.max(0, Math.floor(first - (width - (last - first)) / 3));
  }
  let to = Math.min(text.length, from + width);
  if (to === text.length) from = Math.max(0, to - width);
  // Move the edges to whitespace so no word is cut.
  if (from > 0 && !/\s/.test(text[from - 1]!)) {
    const space = text.slice(from, from + 30).search(/\s/);
    if (space >= 0) from += space + 1;
  }
  if (to < text.length) {
    const tail = text.slice(Math.max(from, to - 30), to);
    const space = tail.search(/\s\S*$/);
    if (space >= 0) to = Math.max(from, to - 30) + space;
  }
  // Collapse whitespace while mapping offsets.
  let out = from > 0 ? '…' : '';
  const map = new Map<number, number>();
  let lastSpace = false;
  for (let i = from; i < to; i++) {
    map.set(i, out.length);
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (!lastSpace) out += ' ';
      lastSpace = true;
    } else {
      out += c;
      lastSpace = false;
    }
  }
  map.set(to, out.length);
  if (to < text.length) out += ' …';
  const marks: Highlight[] = [];
  for (const h of highlights) {
    if (h.start < from || h.end > to) continue;
    marks.push({ start: map.get(h.start)!, end: map.get(h.end)! });
  }
  return { text: out, highlights: marks };
}

/** `text` with each highlight wrapped in `open` … `close` (e.g. ANSI bold, or `**`). */
export function markHighlights(
  text: string,
  highlights: readonly Highlight[],
  open: string,
  close: string,
): string {
  let out = '';
  let at = 0;
  for (const h of highlights) {
    if (h.start < at) continue;
    out += text.slice(at, h.start) + open + text.slice(h.start, h.end) + close;
    at = h.end;
  }
  return out + text.slice(at);
}
