// Issue 16, cause 5: extractive answers quote the sentences that answer — chosen for the
// question's content words (question and stop words, English and Indonesian, ignored), the
// defining sentence first for "what is X?", never a heading alone or a navigation line — each
// cited. Passages as search returns them (highlights from the real highlighter).
import { describe, expect, it } from 'vitest';
import { definitionTerm, extractiveAnswer } from '../core/assistant/ask/extractive.ts';
import { highlightText, queryWords } from '../core/knowledge/retrieval/highlight.ts';
import type { SearchItem } from '../core/contract/methods/search.ts';

function passage(
  n: number,
  question: string,
  text: string,
  headingPath: string[],
  title: string,
): SearchItem {
  return {
    rank: n,
    score: 1 / n,
    chunkId: 100 + n,
    documentId: 10 + n,
    collectionId: 1,
    title,
    sourcePath: `/manual/page${n}.html`,
    headingPath,
    page: null,
    text,
    highlights: highlightText(text, queryWords(question)),
  };
}

const lines = (text: string) => text.split('\n').filter((l) => l.startsWith('- '));

describe('extractive answers that answer', () => {
  it('quotes the definition first, not the "What Is …" heading, the index line or the FAQ question', () => {
    const q = 'What is a KITAS?';
    const items = [
      // A FAQ page: the heading asks the question back; a sentence full of "what" and "is".
      passage(
        1,
        q,
        'What Is a KITAS?\nWhat it is and what it is not is what this page is about.\nKITAS, KITAP, visa on arrival, 12, 14',
        ['Visa FAQ', 'What Is a KITAS?'],
        'Visa FAQ',
      ),
      passage(
        2,
        q,
        'Foreign workers must hold one before starting work. A KITAS is a limited stay permit for foreigners working in Indonesia. The sponsor company applies for the KITAS.',
        ['Permits', 'KITAS'],
        'Stay permits',
      ),
    ];
    const a = extractiveAnswer(q, items);
    const got = lines(a.text);
    expect(got[0]).toBe('- A KITAS is a limited stay permit for foreigners working in Indonesia. [2]');
    expect(a.text).not.toContain('What Is a KITAS?');
    expect(a.text).not.toContain('12, 14');
    expect(a.text).not.toContain('what this page is about');
    for (const l of got) expect(l).toMatch(/\[\d+\]$/);
    expect(a.cited).toContain(2);
  });

  it('does the same for an Indonesian question', () => {
    const q = 'Apa itu NPWP?';
    const items = [
      passage(1, q, 'Apa itu NPWP?\nNPWP, SPT, 3, 9', ['Pajak', 'Apa itu NPWP?'], 'Pajak'),
      passage(
        2,
        q,
        'Setiap wajib pajak wajib mendaftar. NPWP adalah nomor pokok wajib pajak yang diberikan kepada wajib pajak. NPWP dipakai untuk melapor SPT.',
        ['Pajak', 'Pendaftaran'],
        'Pendaftaran pajak',
      ),
    ];
    const a = extractiveAnswer(q, items);
    expect(lines(a.text)[0]).toBe(
      '- NPWP adalah nomor pokok wajib pajak yang diberikan kepada wajib pajak. [2]',
    );
    expect(a.text).not.toContain('Apa itu NPWP?');
  });

  it('quotes a table row that ends in a figure (it is no index line)', () => {
    const q = 'Berapa jumlah kantor di Jawa Barat?';
    const text = 'Jumlah kantor per provinsi\nJawa Barat, 4812\nBali, 812\nAceh, 530';
    const a = extractiveAnswer(q, [passage(1, q, text, ['Kantor', 'Per provinsi'], 'Statistik kantor')]);
    expect(lines(a.text)).toContain('- Jawa Barat, 4812 [1]');
  });

  it('finds the term of a definition question', () => {
    expect(definitionTerm('What is a KITAS?')).toBe('KITAS');
    expect(definitionTerm('what are environment variables')).toBe('environment variables');
    expect(definitionTerm('Apa yang dimaksud dengan wajib pajak?')).toBe('wajib pajak');
    expect(definitionTerm('Apa itu NPWP?')).toBe('NPWP');
    expect(definitionTerm('How long does renewing a KITAS take?')).toBeNull();
  });
});
