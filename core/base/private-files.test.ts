import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.ts';
import { makeDataFolderPrivate, makePrivate, restrictTree, SHARED_READ_ONLY_BITS } from './private-files.ts';

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

  it("a data folder: the folder and Pustaka's own entries, never the user's other files in it", () => {
    const root = tempDir();
    const made = (name: string, fileMode: number, dir = false) => {
      const p = path.join(root, name);
      if (dir) fs.mkdirSync(p, { recursive: true });
      else fs.writeFileSync(p, 'x');
      fs.chmodSync(p, fileMode);
      return p;
    };
    const ours = [
      made('collections.db', 0o644),
      made('collections.db-wal', 0o644),
      made('backups', 0o755, true),
      made('backups/pustaka-20260101-000000-manual.pustaka-backup', 0o644),
      made('install-key', 0o644),
      made('restore-staging-1', 0o755, true),
    ];
    const pg = made('pg', 0o755, true);
    const theirs = [made('notes.docx', 0o644), made('Cache', 0o755, true), made('Cache/data_0', 0o644)];
    fs.chmodSync(root, 0o755);

    makeDataFolderPrivate(root, ['pg']);
    expect(mode(root)).toBe(0o700);
    expect(ours.map(mode)).toEqual([0o600, 0o600, 0o700, 0o600, 0o600, 0o700]);
    expect(theirs.map(mode)).toEqual([0o644, 0o755, 0o644]);
    expect(mode(pg)).toBe(0o755); // left to openDb
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
