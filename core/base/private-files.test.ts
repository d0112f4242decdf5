import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.ts';
import { makePrivate, restrictTree, SHARED_READ_ONLY_BITS } from './private-files.ts';

const mode = (p: string) => fs.lstatSync(p).mode & 0o777;

describe.runIf(process.platform !== 'win32')('restrictTree', () => {
  it("clears group and other bits, keeps the owner's own, and does not follow symbolic links", () => {
    const root = tempDir();
    const outside = tempDir();
    fs.chmodSync(outside, 0o755);
    fs.mkdirSync(path.join(root, 'sub'), { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'sub', 'wal'), 'x', { mode: 0o666 });
    fs.writeFileSync(path.join(root, 'read-only'), 'x', { mode: 0o444 });
    fs.writeFileSync(path.join(root, 'tool'), 'x', { mode: 0o755 });
    fs.writeFileSync(path.join(outside, 'theirs'), 'x', { mode: 0o644 });
    fs.symlinkSync(outside, path.join(root, 'link'));
    fs.chmodSync(path.join(root, 'sub', 'wal'), 0o666);
    fs.chmodSync(root, 0o755);

    const report = makePrivate(root);
    expect([mode(root), mode(path.join(root, 'sub')), mode(path.join(root, 'sub', 'wal'))]).toEqual([
      0o700, 0o700, 0o600,
    ]);
    expect([mode(path.join(root, 'read-only')), mode(path.join(root, 'tool'))]).toEqual([0o400, 0o700]);
    expect([mode(outside), mode(path.join(outside, 'theirs'))]).toEqual([0o755, 0o644]);
    expect(report).toMatchObject({ entries: 5, changed: 5, failed: [] });
    expect(makePrivate(root).changed).toBe(0);
  });

  it('for the template: removes write access by others only', () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, 'pg_control'), 'x');
    fs.chmodSync(path.join(root, 'pg_control'), 0o666);
    fs.chmodSync(root, 0o777);
    restrictTree(root, SHARED_READ_ONLY_BITS);
    expect([mode(root), mode(path.join(root, 'pg_control'))]).toEqual([0o755, 0o644]);
  });

  it('never walks a home folder or a disk given as the data folder', () => {
    expect(makePrivate(os.homedir())).toMatchObject({ entries: 0, changed: 0 });
    expect(makePrivate(path.parse(process.cwd()).root)).toMatchObject({ entries: 0, changed: 0 });
  });
});
