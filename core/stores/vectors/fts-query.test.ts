import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FTS_TERMS, ftsTerms, toFtsQuery } from './fts-query.ts';

// A real FTS5 table with the production tokenizer: every produced expression must be valid MATCH syntax.
let db: Database.Database;
beforeAll(() => {
  db = new Database(':memory:');
  db.exec(
    `CREATE VIRTUAL TABLE t USING fts5(text, heading_path, tokenize = 'unicode61 remove_diacritics 2');`,
  );
  db.prepare('INSERT INTO t (text, heading_path) VALUES (?, ?)').run(
    'Perjanjian kerja waktu tertentu. Le résumé du café. 合同条款 अनुबंध العقد',
    '["Bab 1"]',
  );
});
afterAll(() => db.close());

function matchCount(expr: string): number {
  return (db.prepare('SELECT count(*) AS n FROM t WHERE t MATCH ?').get(expr) as { n: number }).n;
}

const tenKb =
  'lorem ipsum dolor sit amet '.repeat(400) + Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');

const cases: Array<[label: string, input: string, expected: string | null | RegExp]> = [
  ['empty', '', null],
  ['whitespace', ' \t\n ', null],
  ['lone quote', '"', null],
  ['quotes only', '""""', null],
  ['operators only', 'AND OR NOT', null],
  ['NEAR keyword', 'NEAR', null],
  ['star', '*', null],
  ['open NEAR', 'NEAR(', null],
  ['parens', '((()', null],
  ['punctuation soup', '^+-:*(){}[],.;!?<>=&|~`\\/@#$%', null],
  ['emoji', '😀🎉👍🏽', null],
  ['NUL byte', '\u0000', null],
  ['lone surrogate', '\ud800', null],
  ['column filter', 'col:val', '"col" OR "val"'],
  ['column set', '{text heading_path}: gaji', '"text" OR "heading" OR "path" OR "gaji"'],
  ['prefix star', 'kerj*', '"kerj"'],
  ['caret', '^awal', '"awal"'],
  ['NEAR group', 'NEAR(kontrak kerja, 5)', '"kontrak" OR "kerja" OR "5"'],
  ['unterminated quote', '"perjanjian kerja', '"perjanjian" OR "kerja"'],
  ['sql injection', `'; DROP TABLE chunks; --`, '"drop" OR "table" OR "chunks"'],
  ['sql injection 2', `" OR 1=1 --`, '"1"'],
  ['mixed operator words', 'cuti AND gaji NOT lembur', '"cuti" OR "gaji" OR "lembur"'],
  ['lower-case words kept', 'not and or', '"not" OR "and" OR "or"'],
  ['dedupe + case fold', 'Gaji gaji GAJI', '"gaji"'],
  ['diacritics kept (tokenizer folds)', 'Résumé', '"résumé"'],
  ['NFD composed', 're\u0301sume\u0301', '"résumé"'],
  ['fullwidth NFKC', 'ＰＫＷＴ', '"pkwt"'],
  ['indonesian', 'Berapa lama masa percobaan PKWT?', '"berapa" OR "lama" OR "masa" OR "percobaan" OR "pkwt"'],
  ['hyphenated', 'Undang-Undang', '"undang"'],
  ['chinese', '合同条款', '"合同条款"'],
  ['devanagari with marks', 'अनुबंध', '"अनुबंध"'],
  ['arabic', 'العقد', '"العقد"'],
  ['NUL inside word', 'ab\u0000cd', '"ab" OR "cd"'],
  ['surrogate inside word', 'ab\ud800cd', '"ab" OR "cd"'],
  ['10 KB text', tenKb, /^("[^"]+" OR ){63}"[^"]+"$/],
];

describe('toFtsQuery', () => {
  it.each(cases)('%s', (_label, input, expected) => {
    const q = toFtsQuery(input);
    if (expected instanceof RegExp) expect(q).toMatch(expected);
    else expect(q).toBe(expected);
    if (q !== null) expect(() => matchCount(q)).not.toThrow();
  });

  it('caps the number of terms', () => {
    expect(ftsTerms(tenKb)).toHaveLength(MAX_FTS_TERMS);
    expect(ftsTerms('a b c d e', 3)).toEqual(['a', 'b', 'c']);
  });

  it('produced expressions actually match through the unicode61 tokenizer', () => {
    for (const text of ['resume', 'RÉSUMÉ', 'cafe', 'perjanjian', '合同条款', 'अनुबंध', 'العقد', 'bab']) {
      expect(matchCount(toFtsQuery(text)!), text).toBe(1);
    }
    expect(matchCount(toFtsQuery('tidak ada')!)).toBe(0);
  });

  it('never produces invalid MATCH syntax for random syntax-heavy input', () => {
    const alphabet = [
      '"',
      "'",
      '*',
      '^',
      ':',
      '(',
      ')',
      '{',
      '}',
      '-',
      '+',
      ',',
      ' ',
      'AND',
      'OR',
      'NOT',
      'NEAR',
      'a',
      'é',
      '1',
      '😀',
      '\u0301',
      '\u0000',
      '\ud800',
      'text',
      'heading_path',
      '合',
    ];
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let n = 0; n < 1000; n++) {
      let s = '';
      const len = 1 + Math.floor(rand() * 12);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const q = toFtsQuery(s);
      if (q !== null) expect(() => matchCount(q), JSON.stringify(s)).not.toThrow();
    }
  });

  it('tolerates non-string input at runtime', () => {
    expect(toFtsQuery(undefined as unknown as string)).toBeNull();
    expect(toFtsQuery(42 as unknown as string)).toBeNull();
  });
});
