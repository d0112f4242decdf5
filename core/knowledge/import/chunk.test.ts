import { describe, expect, it } from 'vitest';
import { chunkDocument, DEFAULT_CHUNK_OPTIONS, validateChunkOptions } from './chunk.ts';
import { countTokens } from '../../base/tokens.ts';
import type { Chunk, ExtractedDocument, ExtractedSection } from './types.ts';
import { rng } from '../../../test/support/prng.ts';

function doc(sections: Array<Partial<ExtractedSection> & { text: string }>): ExtractedDocument {
  return {
    title: null,
    fileType: 'text',
    mime: 'text/plain',
    pageCount: null,
    warnings: [],
    sections: sections.map((s) => ({ headingPath: [], page: null, ...s })),
  };
}

const canonical = (d: ExtractedDocument) => d.sections.map((s) => s.text).join('\n\n');

const WORDS = (
  'the visa permit company tax return office foreign investment capital annual deadline ' +
  'perusahaan pajak izin tinggal penanaman modal asing wajib dilaporkan kantor imigrasi ' +
  'mempertanggungjawabkan Aufenthaltsgenehmigung résumé Straße 2024 31 11% (PT) "quoted" e-mail'
).split(' ');

function prose(next: () => number, sentences: number): string {
  const out: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const n = 3 + Math.floor(next() * 15);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(next() * WORDS.length)]!);
    const w0 = words[0]!;
    words[0] = w0.charAt(0).toUpperCase() + w0.slice(1);
    out.push(words.join(' ') + ['.', '!', '?', '.'][Math.floor(next() * 4)]!);
  }
  return out.join(next() < 0.2 ? '\n' : ' ');
}

function randomText(next: () => number): string {
  const kind = next();
  if (kind < 0.05) return ['', '   ', '\n\n', ' \t\n '][Math.floor(next() * 4)]!;
  if (kind < 0.12) return '東京は日本の首都です。人口は多い。'.repeat(1 + Math.floor(next() * 30));
  if (kind < 0.17) {
    let blob = '';
    const n = 50 + Math.floor(next() * 3000);
    for (let i = 0; i < n; i++)
      blob += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[Math.floor(next() * 64)];
    return `data: ${blob} end`;
  }
  if (kind < 0.2) return `  ${'😀 🇮🇩 é'.repeat(1 + Math.floor(next() * 20))}  \n`;
  const paragraphs: string[] = [];
  const n = 1 + Math.floor(next() * 8);
  for (let i = 0; i < n; i++) paragraphs.push(prose(next, 1 + Math.floor(next() * 12)));
  const lead = next() < 0.2 ? '\n  ' : '';
  const trail = next() < 0.2 ? ' \n' : '';
  return lead + paragraphs.join(next() < 0.7 ? '\n\n' : '\n \n') + trail;
}

function randomDoc(next: () => number): ExtractedDocument {
  const sections: ExtractedSection[] = [];
  const n = Math.floor(next() * 12);
  let heading = ['Intro'];
  let page: number | null = next() < 0.5 ? 1 : null;
  for (let i = 0; i < n; i++) {
    if (next() < 0.4) heading = next() < 0.5 ? ['Intro'] : ['Guide', `Part ${Math.floor(next() * 3)}`];
    if (page !== null && next() < 0.3) page++;
    sections.push({ headingPath: heading, page, text: randomText(next) });
  }
  return doc(sections);
}

/** Every invariant a chunk list must hold for its document. */
function checkInvariants(d: ExtractedDocument, chunks: Chunk[], size: number, overlap: number): void {
  const text = canonical(d);
  // Section of each canonical offset range.
  const bases: number[] = [];
  let off = 0;
  for (const s of d.sections) {
    bases.push(off);
    off += s.text.length + 2;
  }
  const sectionAt = (pos: number) => {
    let i = 0;
    while (i + 1 < bases.length && bases[i + 1]! <= pos) i++;
    return i;
  };
  chunks.forEach((c, i) => {
    expect(c.ordinal).toBe(i);
    expect(text.slice(c.charStart, c.charEnd)).toBe(c.text);
    expect(c.text.length).toBeGreaterThan(0);
    expect(c.text.trim()).toBe(c.text);
    expect(c.tokenCount).toBe(countTokens(c.text));
    expect(c.tokenCount).toBeLessThanOrEqual(size);
    // A chunk never leaves the heading path and page it reports.
    for (let s = sectionAt(c.charStart); s <= sectionAt(c.charEnd - 1); s++) {
      expect(d.sections[s]!.headingPath).toEqual(c.headingPath);
      expect(d.sections[s]!.page).toBe(c.page);
    }
    const prev = chunks[i - 1];
    if (prev) {
      expect(c.charStart).toBeGreaterThan(prev.charStart);
      expect(c.charEnd).toBeGreaterThan(prev.charEnd);
      if (c.charStart < prev.charEnd) {
        // Overlap only inside one run, and no more than asked for.
        expect(c.headingPath).toEqual(prev.headingPath);
        expect(c.page).toBe(prev.page);
        expect(countTokens(text.slice(c.charStart, prev.charEnd))).toBeLessThanOrEqual(overlap);
      }
    }
  });
  // Every non-space character is in some chunk.
  const covered = new Uint8Array(text.length);
  for (const c of chunks) covered.fill(1, c.charStart, c.charEnd);
  for (let i = 0; i < text.length; i++) {
    if (!covered[i] && !/\s/u.test(text[i]!) && text[i] !== '\u200b') {
      throw new Error(`character ${i} (${JSON.stringify(text.slice(i - 10, i + 10))}) is in no chunk`);
    }
  }
}

const isLetter = (c: string | undefined) => c !== undefined && /[\p{L}\p{M}\p{N}]/u.test(c);

describe('validateChunkOptions', () => {
  it('accepts the collection defaults', () => {
    expect(DEFAULT_CHUNK_OPTIONS).toEqual({ chunkSize: 400, chunkOverlap: 60 });
    expect(() => validateChunkOptions(DEFAULT_CHUNK_OPTIONS)).not.toThrow();
    expect(() => validateChunkOptions({ chunkSize: 16, chunkOverlap: 0 })).not.toThrow();
  });

  it('rejects bad settings with clear errors', () => {
    const d = doc([{ text: 'x' }]);
    expect(() => chunkDocument(d, { chunkSize: 400, chunkOverlap: 400 })).toThrow(
      'chunkOverlap (400) must be smaller than chunkSize (400)',
    );
    expect(() => chunkDocument(d, { chunkSize: 100, chunkOverlap: 150 })).toThrow(/smaller than chunkSize/);
    expect(() => chunkDocument(d, { chunkSize: 15, chunkOverlap: 0 })).toThrow(
      /chunkSize must be an integer ≥ 16/,
    );
    expect(() => chunkDocument(d, { chunkSize: 100.5, chunkOverlap: 0 })).toThrow(/chunkSize/);
    expect(() => chunkDocument(d, { chunkSize: 100, chunkOverlap: -1 })).toThrow(/chunkOverlap must be/);
    expect(() => chunkDocument(d, { chunkSize: NaN, chunkOverlap: 0 })).toThrow(RangeError);
  });
});

describe('chunkDocument', () => {
  it('returns nothing for empty and whitespace-only documents', () => {
    expect(chunkDocument(doc([]), DEFAULT_CHUNK_OPTIONS)).toEqual([]);
    expect(chunkDocument(doc([{ text: '' }, { text: ' \n\n\t ' }]), DEFAULT_CHUNK_OPTIONS)).toEqual([]);
  });

  it('keeps a small section whole and trimmed, with offsets into the canonical text', () => {
    const d = doc([
      { text: '  \n', headingPath: ['Empty'] },
      { text: '\n  Visa on arrival lasts 30 days.  \n', headingPath: ['Visas'], page: 3 },
    ]);
    const chunks = chunkDocument(d, DEFAULT_CHUNK_OPTIONS);
    expect(chunks).toEqual([
      {
        ordinal: 0,
        text: 'Visa on arrival lasts 30 days.',
        headingPath: ['Visas'],
        page: 3,
        charStart: 8,
        charEnd: 38,
        tokenCount: 8, // "arrival" is two pieces
      },
    ]);
    expect(canonical(d).slice(8, 38)).toBe(chunks[0]!.text);
  });

  it('never crosses a heading or page change, but merges small sections of one heading and page', () => {
    const d = doc([
      { text: 'Alpha one.', headingPath: ['A'] },
      { text: 'Alpha two.', headingPath: ['A'] },
      { text: 'Beta.', headingPath: ['B'] },
      { text: 'Beta page two.', headingPath: ['B'], page: 2 },
      { text: 'Beta page two again.', headingPath: ['B'], page: 2 },
      { text: 'Alpha again.', headingPath: ['A'] },
    ]);
    const chunks = chunkDocument(d, DEFAULT_CHUNK_OPTIONS);
    expect(chunks.map((c) => [c.text, c.headingPath, c.page])).toEqual([
      ['Alpha one.\n\nAlpha two.', ['A'], null],
      ['Beta.', ['B'], null],
      ['Beta page two.\n\nBeta page two again.', ['B'], 2],
      ['Alpha again.', ['A'], null],
    ]);
    checkInvariants(d, chunks, 400, 60);
  });

  it('prefers paragraph breaks, then line breaks, then sentence ends', () => {
    const next = rng(1);
    const paragraphs = Array.from({ length: 30 }, () => prose(next, 3).replace(/\n/g, ' '));
    const d1 = doc([{ text: paragraphs.join('\n\n') }]);
    const text1 = canonical(d1);
    const c1 = chunkDocument(d1, { chunkSize: 200, chunkOverlap: 0 });
    expect(c1.length).toBeGreaterThan(3);
    for (const c of c1) {
      expect(['\n\n', '']).toContain(text1.slice(c.charEnd, c.charEnd + 2));
      expect(c.tokenCount).toBeGreaterThanOrEqual(100); // not chopped into tiny pieces
    }

    const lines = Array.from({ length: 40 }, () => prose(next, 2).replace(/\n/g, ' '));
    const d2 = doc([{ text: lines.join('\n') }]);
    const text2 = canonical(d2);
    for (const c of chunkDocument(d2, { chunkSize: 150, chunkOverlap: 0 })) {
      expect(['\n', '']).toContain(text2.slice(c.charEnd, c.charEnd + 1));
    }

    const d3 = doc([{ text: prose(next, 80).replace(/\n/g, ' ') }]);
    for (const c of chunkDocument(d3, { chunkSize: 120, chunkOverlap: 20 })) {
      expect(c.text).toMatch(/[.!?]$/);
    }
  });

  it('breaks CJK text after 。 although it has no spaces', () => {
    const d = doc([{ text: '東京は日本の首都です。人口はとても多いです。'.repeat(40) }]);
    const chunks = chunkDocument(d, { chunkSize: 64, chunkOverlap: 8 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.text.endsWith('。')).toBe(true);
    checkInvariants(d, chunks, 64, 8);
  });

  it('shares about chunkOverlap tokens with the previous chunk, starting at a word', () => {
    const next = rng(2);
    const d = doc([{ text: prose(next, 200).replace(/\n/g, ' ') }]);
    const text = canonical(d);
    const chunks = chunkDocument(d, { chunkSize: 100, chunkOverlap: 30 });
    expect(chunks.length).toBeGreaterThan(10);
    for (let i = 1; i < chunks.length; i++) {
      const shared = countTokens(text.slice(chunks[i]!.charStart, chunks[i - 1]!.charEnd));
      expect(shared).toBeGreaterThan(20);
      expect(shared).toBeLessThanOrEqual(30);
      expect(text[chunks[i]!.charStart - 1]).toMatch(/\s/);
    }
    const none = chunkDocument(d, { chunkSize: 100, chunkOverlap: 0 });
    for (let i = 1; i < none.length; i++) expect(none[i]!.charStart).toBeGreaterThan(none[i - 1]!.charEnd);
  });

  it('never cuts a word that fits, but hard-splits a blob longer than a chunk', () => {
    const next = rng(3);
    for (let round = 0; round < 30; round++) {
      const d = doc([{ text: prose(next, 60) }, { text: prose(next, 5), headingPath: ['x'] }]);
      const text = canonical(d);
      for (const c of chunkDocument(d, { chunkSize: 16 + Math.floor(next() * 100), chunkOverlap: 5 })) {
        expect(isLetter(text[c.charStart - 1]) && isLetter(text[c.charStart])).toBe(false);
        expect(isLetter(text[c.charEnd - 1]) && isLetter(text[c.charEnd])).toBe(false);
      }
    }
    const blob = 'QUJDRA'.repeat(2000);
    const d = doc([{ text: `Attachment:\n${blob}\nEnd of attachment.` }]);
    const chunks = chunkDocument(d, { chunkSize: 50, chunkOverlap: 10 });
    expect(chunks.length).toBeGreaterThan(50);
    for (const c of chunks) expect(c.tokenCount).toBeLessThanOrEqual(50);
    expect(chunks[0]!.text).toBe('Attachment:');
    expect(chunks.at(-1)!.text.endsWith('End of attachment.')).toBe(true);
    checkInvariants(d, chunks, 50, 10);
  });

  it('holds its invariants on random documents (property test)', () => {
    const next = rng(42);
    for (let round = 0; round < 300; round++) {
      const d = randomDoc(next);
      const size = 16 + Math.floor(next() * 300);
      const overlap = Math.floor(next() * Math.min(size, 80));
      const chunks = chunkDocument(d, { chunkSize: size, chunkOverlap: overlap });
      checkInvariants(d, chunks, size, overlap);
    }
  });

  it('re-counts with a model tokenizer and shrinks chunks to fit it', () => {
    const next = rng(9);
    // A stricter "model": one token per 2 characters, whitespace included.
    const model = (t: string) => Math.ceil(t.length / 2);
    let calls = 0;
    const counting = (t: string) => (calls++, model(t));
    for (let round = 0; round < 40; round++) {
      const d = randomDoc(next);
      const chunks = chunkDocument(d, { chunkSize: 64, chunkOverlap: 16 }, counting);
      const text = canonical(d);
      chunks.forEach((c, i) => {
        expect(c.ordinal).toBe(i);
        expect(text.slice(c.charStart, c.charEnd)).toBe(c.text);
        expect(c.tokenCount).toBe(model(c.text));
        // Only a single piece may exceed (it cannot be split further).
        if (c.tokenCount > 64) expect(countTokens(c.text)).toBe(1);
      });
    }
    expect(calls).toBeGreaterThan(0);
    // Shrinking still breaks between words.
    for (let round = 0; round < 20; round++) {
      const d = doc([{ text: prose(next, 40) }]);
      const text = canonical(d);
      for (const c of chunkDocument(d, { chunkSize: 40, chunkOverlap: 10 }, model)) {
        expect(c.tokenCount).toBeLessThanOrEqual(40);
        expect(isLetter(text[c.charStart - 1]) && isLetter(text[c.charStart])).toBe(false);
        expect(isLetter(text[c.charEnd - 1]) && isLetter(text[c.charEnd])).toBe(false);
      }
    }
    // Passing the approximator itself changes nothing.
    const d = randomDoc(rng(10));
    expect(chunkDocument(d, DEFAULT_CHUNK_OPTIONS, countTokens)).toEqual(
      chunkDocument(d, DEFAULT_CHUNK_OPTIONS),
    );
  });

  it('chunks a large single section with correct offsets throughout', () => {
    const next = rng(5);
    const paragraphs: string[] = [];
    for (let i = 0; i < 2000; i++) paragraphs.push(prose(next, 4));
    const d = doc([{ text: 'Preface.' }, { text: paragraphs.join('\n\n'), headingPath: ['Body'] }]);
    const chunks = chunkDocument(d, DEFAULT_CHUNK_OPTIONS);
    expect(chunks.length).toBeGreaterThan(100);
    checkInvariants(d, chunks, 400, 60);
  });
});
