import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { walkPaths } from './walk.ts';

const touch = (root: string, rel: string) => {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, rel);
  return f;
};
const supported = (f: string) => /\.(md|txt|pdf)$/i.test(f);

describe('walkPaths', () => {
  it('finds files recursively in name order and says why others were left out', () => {
    const root = tempDir();
    touch(root, 'b.md');
    touch(root, 'a/z.txt');
    touch(root, 'a/.hidden.md');
    touch(root, '.git/config.txt');
    touch(root, '~$report.docx');
    touch(root, 'desktop.ini');
    touch(root, 'clip.mp4');
    const { files, ignored } = walkPaths([root], { isSupported: supported });
    expect(files.map((f) => path.relative(root, f.path))).toEqual(['a/z.txt', 'b.md']);
    expect(files[0]!.size).toBe('a/z.txt'.length);
    const why = Object.fromEntries(ignored.map((i) => [path.relative(root, i.path), i.reason]));
    expect(why).toEqual({
      '.git': 'hidden',
      'a/.hidden.md': 'hidden',
      '~$report.docx': 'system',
      'desktop.ini': 'system',
      'clip.mp4': 'unsupported',
    });
  });

  it('survives symlink loops and takes a file reached twice only once', () => {
    const root = tempDir();
    touch(root, 'docs/a.md');
    fs.symlinkSync(root, path.join(root, 'docs', 'back-to-root'));
    fs.symlinkSync(path.join(root, 'docs', 'a.md'), path.join(root, 'alias.md'));
    const { files, ignored } = walkPaths([root, path.join(root, 'docs')], { isSupported: supported });
    expect(files).toHaveLength(1);
    expect(ignored.some((i) => i.reason === 'symlink-loop')).toBe(true);
  });

  it('takes an explicitly named file even when hidden, and reports missing paths', () => {
    const root = tempDir();
    const hidden = touch(root, '.notes.md');
    const { files, ignored } = walkPaths([hidden, path.join(root, 'nope.md')], { isSupported: supported });
    expect(files.map((f) => f.path)).toEqual([hidden]);
    expect(ignored).toEqual([{ path: path.join(root, 'nope.md'), reason: 'missing', detail: 'ENOENT' }]);
  });

  it('applies include and exclude globs (case-insensitive) relative to the folder', () => {
    const root = tempDir();
    touch(root, 'Contracts/2026/a.PDF');
    touch(root, 'Contracts/drafts/b.pdf');
    touch(root, 'notes/c.md');
    const { files } = walkPaths([root], {
      isSupported: supported,
      include: ['contracts/**/*.pdf'],
      exclude: ['**/drafts'],
    });
    expect(files.map((f) => path.relative(root, f.path))).toEqual(['Contracts/2026/a.PDF']);
  });
});
