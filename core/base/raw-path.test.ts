import { describe, expect, it } from 'vitest';
import { pathFromBytes, toFsPath } from './raw-path.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe.skipIf(process.platform === 'win32')('raw paths', () => {
  it('keeps ordinary paths as they are', () => {
    for (const p of ['/a/b.txt', '/naïve café/日本 😀.md', '/back\\slash', '/x\\x41y']) {
      expect(pathFromBytes(Buffer.from(p))).toBe(p);
      expect(toFsPath(p)).toBe(p);
    }
  });

  it('escapes bytes that are not UTF-8, and literal escapes, and reads both back exactly', () => {
    const cases: [Buffer, string][] = [
      [bytes('/d/bad-', [0xff, 0xfe], '-name.txt'), '/d/bad-\\xff\\xfe-name.txt'],
      [bytes('/d/caf', [0xe9], '/é.txt'), '/d/caf\\xe9/é.txt'],
      [bytes('/d/a\\b-', [0x80]), '/d/a\\\\b-\\x80'],
      [bytes('/d/looks-like-\\xe9'), '/d/looks-like-\\\\xe9'],
      [bytes('/d/', [0xed, 0xa0, 0x80], '-surrogate'), '/d/\\xed\\xa0\\x80-surrogate'],
    ];
    for (const [raw, escaped] of cases) {
      expect(pathFromBytes(raw)).toBe(escaped);
      expect(Buffer.from(toFsPath(escaped))).toEqual(raw);
    }
  });

  it('round-trips any byte string', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (let i = 0; i < 2000; i++) {
      const raw = Buffer.from(Array.from({ length: 1 + (i % 24) }, () => next() || 0x5c));
      expect(Buffer.from(toFsPath(pathFromBytes(raw)))).toEqual(raw);
    }
  });
});
