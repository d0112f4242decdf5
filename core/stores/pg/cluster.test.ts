import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { isCompleteCluster } from './cluster.ts';
import { loadMigrations } from './migrations.ts';
import { openDb } from './pg-store.ts';
import { DEFAULT_TEMPLATE_DIR, readTemplate, templateKey } from './template.ts';

describe('opening the Postgres cluster', () => {
  it('restores a new data dir from the template, then reopens the existing one', async () => {
    expect(readTemplate(DEFAULT_TEMPLATE_DIR)?.key).toBe(templateKey(loadMigrations()));
    const pgDir = path.join(tempDir(), 'pg');
    const db = await openDb({ pgDir });
    expect(db.cluster.origin).toBe('template');
    expect(db.schemaVersion).toBe(loadMigrations().length);
    await db.query("INSERT INTO collections (name, embedder_id, embedding_dim) VALUES ('kept', 'e', 8)");
    await db.close();

    const again = await openDb({ pgDir });
    expect(again.cluster.origin).toBe('existing');
    expect(await again.query('SELECT name FROM collections')).toEqual([{ name: 'kept' }]);
    await again.close();
  });

  it('opens a template that lost its empty folders, as an installer ships it', async () => {
    // electron-builder copies extraResources file by file and never creates an empty folder, so
    // the installed pg-template lacks pg_tblspc, pg_notify, pg_stat… (test/package-smoke.test.ts).
    const templateDir = path.join(tempDir(), 'pg-template');
    fs.cpSync(DEFAULT_TEMPLATE_DIR, templateDir, { recursive: true });
    const emptied = removeEmptyDirs(path.join(templateDir, 'pgdata'));
    expect(emptied).toContain('pg_tblspc');
    const pgDir = path.join(tempDir(), 'pg');
    const db = await openDb({ pgDir, templateDir });
    expect(db.cluster.origin).toBe('template');
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM profile'))[0]!.n).toBe(1);
    await db.close();
  });

  it('runs initdb when no template fits, and never leaves a partial directory', async () => {
    const root = tempDir();
    const pgDir = path.join(root, 'pg');
    const db = await openDb({ pgDir, templateDir: null });
    expect(db.cluster.origin).toBe('initdb');
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM profile'))[0]!.n).toBe(1);
    await db.close();
    expect(fs.readdirSync(root)).toEqual(['pg']);
  });

  it('replaces a cluster whose first start died mid-initdb instead of opening it', async () => {
    const root = tempDir();
    const pgDir = path.join(root, 'pg');
    fs.mkdirSync(path.join(pgDir, 'base', '1'), { recursive: true });
    fs.writeFileSync(path.join(pgDir, 'postgresql.conf'), '# half written');
    fs.mkdirSync(`${pgDir}.partial-1-1`); // a copy cut short
    expect(isCompleteCluster(pgDir)).toBe(false);

    const db = await openDb({ pgDir });
    expect(db.cluster.replacedIncomplete).toBe(true);
    expect(isCompleteCluster(pgDir)).toBe(true);
    await db.close();
    expect(fs.readdirSync(root)).toEqual(['pg']);
  });

  it('fails with a clear error on a corrupt cluster rather than starting empty', async () => {
    const pgDir = path.join(tempDir(), 'pg');
    const db = await openDb({ pgDir });
    await db.close();
    fs.writeFileSync(path.join(pgDir, 'global', 'pg_control'), Buffer.alloc(8192, 0x5a));
    await expect(openDb({ pgDir })).rejects.toMatchObject({ code: 'data_dir_unusable' });
    expect(fs.existsSync(path.join(pgDir, 'PG_VERSION'))).toBe(true);
  });
});

/** Removes every empty folder under `dir` (deepest first); returns them, relative, with '/'. */
function removeEmptyDirs(dir: string, rel = ''): string[] {
  const removed: string[] = [];
  for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const child = rel ? `${rel}/${d.name}` : d.name;
    removed.push(...removeEmptyDirs(dir, child));
    if (fs.readdirSync(path.join(dir, child)).length === 0) {
      fs.rmdirSync(path.join(dir, child));
      removed.push(child);
    }
  }
  return removed;
}
