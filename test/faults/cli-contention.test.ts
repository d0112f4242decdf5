import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../core/startup/open-engine.ts';
import { BIN, runPustaka } from '../support/cli.ts';
import { VISA_GUIDE_MD, writeFile } from '../support/files.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('two processes on one data dir (CLI)', () => {
  it('a second command while `import --watch` runs is refused with the PID; a killed watcher leaves a lock the next command takes over', async () => {
    const folder = tempDir();
    writeFile(folder, 'visa.md', VISA_GUIDE_MD);
    const dataDir = tempDir();
    const watcher = spawn(
      process.execPath,
      [BIN, '--data-dir', dataDir, 'import', folder, '-c', 'Visa', '--watch'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        let stderr = '';
        watcher.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('Watching')) resolve();
        });
        watcher.on('exit', (code) => reject(new Error(`watcher exited (${code}): ${stderr}`)));
      });

      const second = await runPustaka(['--data-dir', dataDir, 'import', folder, '-c', 'Visa']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(`^pustaka: data directory .* is in use by PID ${watcher.pid}\\b`),
      );
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      const json = await runPustaka(['--data-dir', dataDir, '--json', 'status']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'data_dir_in_use' } });
      expect(watcher.exitCode).toBeNull(); // the watcher was not disturbed
    } finally {
      watcher.kill('SIGKILL');
      await new Promise((r) =>
        watcher.exitCode !== null || watcher.signalCode ? r(null) : watcher.once('exit', r),
      );
    }

    const after = await runPustaka(['--data-dir', dataDir, '--json', 'status']);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    const engine = await openEngine({ dataDir });
    const docs = await engine.db.query<{ status: string }>('SELECT status FROM documents');
    expect(docs).toEqual([{ status: 'indexed' }]);
    await engine.close();
  });
});

describe('a data dir written by a newer Pustaka (CLI)', () => {
  it('refuses to start on a newer Postgres schema or collections.db schema, and changes neither', async () => {
    const dataDir = tempDir();
    const engine = await openEngine({ dataDir });
    await engine.db.query(
      "INSERT INTO collections (name, embedder_id, embedding_dim) VALUES ('Kept', 'e', 8)",
    );
    await engine.db.query(
      "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'from_the_future', 'x')",
    );
    await engine.close();

    const cli = await runPustaka(['--data-dir', dataDir, 'collections']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(
      /^pustaka: the database has schema migration 9999_from_the_future, .*newer Pustaka/,
    );
    const json = await runPustaka(['--data-dir', dataDir, '--json', 'status']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'schema_too_new' } });
    const pg = new PGlite(path.join(dataDir, 'pg'));
    expect((await pg.query('SELECT name FROM collections')).rows).toEqual([{ name: 'Kept' }]);
    await pg.query('DELETE FROM schema_migrations WHERE version = 9999');
    await pg.close();

    const sqliteFile = path.join(dataDir, 'collections.db');
    const sqlite = new Database(sqliteFile);
    const version = sqlite.pragma('user_version', { simple: true }) as number;
    sqlite.pragma(`user_version = ${version + 50}`);
    sqlite.close();
    const newer = await runPustaka(['--data-dir', dataDir, '--json', 'status']);
    expect(newer.code).toBe(1);
    expect(JSON.parse(newer.stdout)).toMatchObject({
      ok: false,
      error: {
        code: 'schema_too_new',
        message: expect.stringContaining('collections.db was written by a newer Pustaka'),
      },
    });
    // Not mistaken for damage: the file stays where it is, untouched.
    expect(fs.readdirSync(dataDir).filter((f) => f.includes('damaged'))).toEqual([]);
    const check = new Database(sqliteFile, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(version + 50);
    check.close();
  });
});
