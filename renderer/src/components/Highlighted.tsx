import type { ReactNode } from 'react';
import type { Highlight } from '../../../core/contract/methods/search.ts';

/** The part of a long passage around its first match, with the highlights moved along. */
function around(
  text: string,
  highlights: Highlight[],
  max: number,
): { text: string; highlights: Highlight[] } {
  if (text.length <= max) return { text, highlights };
  const first = Math.min(...highlights.map((h) => h.start), text.length);
  const start =
    first === text.length ? 0 : Math.max(0, Math.min(first - Math.floor(max / 4), text.length - max));
  const end = Math.min(text.length, start + max);
  const prefix = start > 0 ? '…' : '';
  const shift = start - prefix.length;
  return {
    text: prefix + text.slice(start, end) + (end < text.length ? '…' : ''),
    highlights: highlights
      .filter((h) => h.start >= start && h.end <= end)
      .map((h) => ({ start: h.start - shift, end: h.end - shift })),
  };
}

/** Text with the query's matches marked (offsets are UTF-16, as JavaScript strings are). */
export function Highlighted({
  text,
  highlights,
  max = 480,
}: {
  text: string;
  highlights: Highlight[];
  max?: number;
}) {
  const shown = around(text, highlights, max);
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [i, h] of [...shown.highlights].sort((a, b) => a.start - b.start).entries()) {
    if (h.start < at) continue;
    if (h.start > at) parts.push(shown.text.slice(at, h.start));
    parts.push(<mark key={i}>{shown.text.slice(h.start, h.end)}</mark>);
    at = h.end;
  }
  parts.push(shown.text.slice(at));
  return <>{parts}</>;
}
