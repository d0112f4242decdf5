import { describe, expect, it } from 'vitest';
import { countTokens, tokenOffsets, TokenScanner } from './tokens.ts';
import { rng } from '../../test/support/prng.ts';

const pieces = (text: string): string[] => {
  const o = tokenOffsets(text);
  const out: string[] = [];
  for (let i = 0; i < o.length; i += 2) out.push(text.slice(o[i], o[i + 1]));
  return out;
};

describe('countTokens', () => {
  it('counts nothing in empty or whitespace-only text', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens(' \n\t\r\n\u00a0\u3000\u200b')).toBe(0);
  });

  it('counts short words, punctuation and numbers like a BPE model roughly would', () => {
    expect(pieces('Hello, world!')).toEqual(['Hello', ',', 'world', '!']);
    expect(countTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(pieces('2024-01-15')).toEqual(['202', '4', '-', '01', '-', '15']);
    expect(pieces('PT123abc')).toEqual(['PT', '123', 'abc']);
  });

  it('cuts long words into ~4-character pieces', () => {
    expect(pieces('resume')).toEqual(['resume']);
    expect(pieces('internationally')).toEqual(['inte', 'rnat', 'iona', 'lly']);
    expect(countTokens('a'.repeat(7))).toBe(2);
    expect(countTokens('a'.repeat(400))).toBe(100);
    // Indonesian affixes make words long: more pieces than short English words.
    expect(countTokens('mempertanggungjawabkan')).toBeGreaterThan(3);
  });

  it('keeps accented and combining letters inside the word', () => {
    expect(pieces('résumé café')).toEqual(['résumé', 'café']);
    expect(pieces('re\u0301sume\u0301')).toEqual([
      're\u0301sume\u0301'.slice(0, 4),
      're\u0301sume\u0301'.slice(4),
    ]);
    expect(pieces('Straße über')).toEqual(['Straße', 'über']);
  });

  it('counts each CJK character as a token and splits them from latin words', () => {
    expect(pieces('東京は日本の首都です。')).toEqual([
      '東',
      '京',
      'は',
      '日',
      '本',
      'の',
      '首',
      '都',
      'で',
      'す',
      '。',
    ]);
    expect(pieces('한국어abc')).toEqual(['한', '국', '어', 'abc']);
  });

  it('handles other scripts as words (Arabic, Cyrillic, Devanagari)', () => {
    expect(countTokens('مرحبا بالعالم')).toBe(3);
    expect(pieces('Привет мир')).toEqual(['Привет', 'мир']);
    expect(countTokens('नमस्ते')).toBe(1);
  });

  it('compresses repeated punctuation and never splits a surrogate pair', () => {
    expect(pieces('----------')).toEqual(['----', '----', '--']);
    expect(pieces('|---|')).toEqual(['|', '---', '|']);
    expect(pieces('a😀😀b')).toEqual(['a', '😀', '😀', 'b']);
    const astral = '𝐀𝐁𝐂𝐃𝐄'; // mathematical letters: astral, letter class
    for (const p of pieces(astral)) expect(p.length % 2).toBe(0);
    expect(pieces(astral).join('')).toBe(astral);
  });

  it('reports whitespace, line breaks and pieces before each token', () => {
    const s = new TokenScanner().reset('a b\nc\n\nd internationally');
    const seen: string[] = [];
    while (s.next())
      seen.push(`${s.text.slice(s.start, s.end)}:${s.spaced ? 's' : '-'}${s.newlines}${s.piece ? 'p' : ''}`);
    expect(seen).toEqual(['a:-0', 'b:s0', 'c:s1', 'd:s2', 'inte:s0', 'rnat:-0p', 'iona:-0p', 'lly:-0p']);
  });

  it('re-counts any slice between token boundaries to exactly the tokens in it', () => {
    const next = rng(7);
    const parts = [
      'word',
      'kata',
      'pertanggungjawaban',
      'internationalisation',
      '2024',
      '1234567',
      ',',
      '.',
      '---',
      '!!',
      '東京',
      '😀',
      'é',
      ' ',
      '\n',
      '\n\n',
      'x'.repeat(30),
    ];
    for (let round = 0; round < 200; round++) {
      let text = '';
      const n = 1 + Math.floor(next() * 40);
      for (let i = 0; i < n; i++) text += parts[Math.floor(next() * parts.length)]!;
      const o = tokenOffsets(text);
      const count = o.length / 2;
      expect(countTokens(text)).toBe(count);
      if (count === 0) continue;
      const i = Math.floor(next() * count);
      const j = i + 1 + Math.floor(next() * (count - i));
      expect(countTokens(text.slice(o[2 * i], o[2 * j - 1]))).toBe(j - i);
    }
  });
});
