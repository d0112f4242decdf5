import { describe, expect, it } from 'vitest';
import { fsPathBytes, joinRawName, pathFromBytes, toFsPath } from './raw-path.ts';

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

  it('escapes a joined path as a whole, so a folder name that looks like an escape keeps its meaning', () => {
    const cases: [string, Buffer, string][] = [
      ['/tmp/x\\x41y', bytes('caf', [0xe9]), '/tmp/x\\\\x41y/caf\\xe9'],
      ['/tmp/a\\\\b', bytes('caf', [0xe9]), '/tmp/a\\\\\\\\b/caf\\xe9'],
      ['/tmp/looks-\\\\xe9', bytes('plain.txt'), '/tmp/looks-\\\\xe9/plain.txt'],
      ['/d/caf\\xe9', bytes('a\\b'), '/d/caf\\xe9/a\\\\b'],
    ];
    for (const [dir, name, joined] of cases) {
      expect(joinRawName(dir, name)).toBe(joined);
      expect(fsPathBytes(joined)).toEqual(Buffer.concat([fsPathBytes(dir), Buffer.from('/'), name]));
    }
  });

  it('leaves a joined path that needs no escaping as path.join would write it', () => {
    expect(joinRawName('/a/b', bytes('c.txt'))).toBe('/a/b/c.txt');
    expect(joinRawName('/', bytes('etc'))).toBe('/etc');
    expect(joinRawName('/x\\x41y', bytes('back\\slash.md'))).toBe('/x\\x41y/back\\slash.md');
  });
});
