import { describe, expect, it } from 'vitest';
import { markHighlights, snippet } from '../../base/snippet.ts';
import { highlightText, MAX_HIGHLIGHTS, queryWords } from './highlight.ts';

const marked = (text: string, query: string) =>
  markHighlights(text, highlightText(text, queryWords(query)), '[', ']');

describe('highlightText', () => {
  it('marks whole words, ignoring case and diacritics, wherever the query has them', () => {
    expect(marked('Résumé and RESUME, but not resumed.', 'resume')).toBe(
      '[Résumé] and [RESUME], but not resumed.',
    );
    expect(marked('Perjanjian Kerja Waktu Tertentu (PKWT)', 'pkwt kerja?')).toBe(
      'Perjanjian [Kerja] Waktu Tertentu ([PKWT])',
    );
  });

  it('reports UTF-16 offsets into the original text (emoji and accents before the match)', () => {
    const text = '🚀 café — São Paulo';
    const hl = highlightText(text, queryWords('sao'));
    expect(hl).toEqual([{ start: 10, end: 13 }]);
    expect(text.slice(hl[0]!.start, hl[0]!.end)).toBe('São');
  });

  it('marks nothing for a query without words, and caps pathological repeats', () => {
    expect(highlightText('a b c', queryWords('?!… 🚀'))).toEqual([]);
    expect(highlightText('x '.repeat(1000), queryWords('x'))).toHaveLength(MAX_HIGHLIGHTS);
  });

  it('ignores query syntax: operators are not words, quotes and stars are not kept', () => {
    expect(marked('a OR b and near c', '"a" OR b* NEAR(')).toBe('[a] OR [b] and near c');
  });
});

describe('snippet', () => {
  const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
  const text = words.join(' ');

  it('shows the text around the highlights, cut at word boundaries, with ellipses', () => {
    const hl = highlightText(text, queryWords('w100 w103'));
    const s = snippet(text, hl, 60);
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith(' …')).toBe(true);
    expect(s.text).toMatch(/w100 w101 w102 w103/);
    expect(
      s.text
        .replace(/^…|…$/g, '')
        .trim()
        .split(' ')
        .every((w) => /^w\d+$/.test(w)),
    ).toBe(true);
    expect(markHighlights(s.text, s.highlights, '<', '>')).toContain('<w100> w101 w102 <w103>');
  });

  it('starts at the beginning without highlights, and keeps short texts whole', () => {
    expect(snippet(text, [], 30).text).toMatch(/^w0 w1 .* …$/);
    expect(snippet('short text', [])).toEqual({ text: 'short text', highlights: [] });
  });

  it('collapses whitespace and keeps highlight offsets right', () => {
    const t = 'line one\n\n   line   two has the WORD here';
    const s = snippet(t, highlightText(t, queryWords('word')));
    expect(s.text).toBe('line one line two has the WORD here');
    expect(s.text.slice(s.highlights[0]!.start, s.highlights[0]!.end)).toBe('WORD');
  });
});
