// A data folder copied with its backups (`cp -a D P`) must not let the copy touch the original:
// archives belong to the folder they sit in. Before the catalogue stored names relative to
// `backups/`, P's maintenance run deleted D's archives through D's absolute paths, and P listed
// each of its own archives twice.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupInfo } from '../../core/contract/methods/backup.ts';
import { createBackup } from '../../core/operations/backup/index.ts';
import { openEngine } from '../../core/startup/open-engine.ts';
import { runCliCaptured } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const TIMEOUT_MS = 180_000;

/**
 * Every file under `dir` but the `skip` folder: relative path → SHA-256, or just "present" for the
 * stores' own files (opening a data folder to list its backups writes to them; the lock comes and
 * goes).
 */
function fileDigests(dir: string, skip: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, file);
    if (!entry.isFile() || file.startsWith(skip + path.sep) || rel.endsWith('pustaka.lock')) continue;
    const store = /(^|\/)(pg\/|collections\.db)/.test(rel);
    out[rel] = store ? 'present' : crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

async function cliJson<T>(args: string[]): Promise<T> {
  const res = await runCliCaptured([...args.slice(0, 2), '--json', ...args.slice(2)]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as T;
}

const listBackups = (dataDir: string, all = false) =>
  cliJson<{ backups: BackupInfo[]; dir: string }>([
    '--data-dir',
    dataDir,
    'backup',
    'list',
    ...(all ? ['--all'] : []),
  ]);

/** A catalogue row the way a restored or hand-edited catalogue may hold it. */
async function addRow(dataDir: string, file: string, daysAgo: number): Promise<number> {
  const engine = await openEngine({ dataDir });
  try {
    const [row] = await engine.db.query<{ id: number }>(
      `INSERT INTO backups (path, kind, status, size_bytes, created_at)
       VALUES ($1, 'scheduled', 'ok', 8, now() - $2 * interval '1 day') RETURNING id`,
      [file, daysAgo],
    );
    return Number(row!.id);
  } finally {
    await engine.close();
  }
}

/**
 * What a Pustaka that stored absolute paths left in the copy: the original's rows, and a second
 * row for each archive, added when the copy was first listed (the same file counted twice).
 */
async function addRowsAnOlderSyncAdded(dataDir: string): Promise<void> {
  const engine = await openEngine({ dataDir });
  try {
    for (const name of fs.readdirSync(engine.paths.backups)) {
      const file = path.join(engine.paths.backups, name);
      await engine.db.query(
        `INSERT INTO backups (path, kind, status, size_bytes)
         VALUES ($1, $2, 'ok', $3)`,
        [file, /-(manual|scheduled)\./.exec(name)![1], fs.statSync(file).size],
      );
    }
  } finally {
    await engine.close();
  }
}

async function auditOf(dataDir: string, action: string): Promise<Record<string, unknown>[]> {
  const engine = await openEngine({ dataDir });
  try {
    const rows = await engine.db.query<{ details: Record<string, unknown> }>(
      'SELECT details FROM audit_logs WHERE action = $1 ORDER BY id',
      [action],
    );
    return rows.map((r) => r.details);
  } finally {
    await engine.close();
  }
}

describe('a copied data folder', () => {
  it.each([
    ['names', false],
    ['absolute paths, from an older Pustaka', true],
  ])(
    "the copy's maintenance run leaves the original's archives alone and lists each archive once (catalogue with %s)",
    async (_what, legacy) => {
      const root = tempDir('pustaka-copied-');
      const original = path.join(root, 'D');
      const copy = path.join(root, 'P');
      const engine = await openEngine({ dataDir: original });
      try {
        await createBackup(engine, { kind: 'scheduled' });
        await createBackup(engine, { kind: 'manual' });
        await createBackup(engine, { kind: 'scheduled' });
        if (legacy) {
          await engine.db.query("UPDATE backups SET path = $1 || '/' || path", [engine.paths.backups]);
        }
      } finally {
        await engine.close();
      }
      fs.cpSync(original, copy, { recursive: true });
      if (legacy) await addRowsAnOlderSyncAdded(copy);
      // A restored catalogue may name any file: one outside the copy, old enough to prune.
      const elsewhere = path.join(root, 'elsewhere', 'pustaka-20250101-030000-scheduled.pustaka-backup');
      fs.mkdirSync(path.dirname(elsewhere));
      fs.writeFileSync(elsewhere, 'not ours');
      const foreignId = await addRow(copy, elsewhere, 400);
      const before = fileDigests(root, copy);
      const originalList = await listBackups(original);
      expect(originalList.backups).toHaveLength(3);

      const run = await cliJson<{ status: string; steps: Record<string, { status: string }> }>([
        '--data-dir',
        copy,
        'worker',
        'run',
        '--steps',
        'maintenance',
      ]);
      expect(run.steps.maintenance?.status).toBe('done');

      // Nothing outside the copy's backups folder was deleted or changed: the original's archives
      // included, and the file the foreign row names.
      expect(fileDigests(root, copy)).toEqual(before);
      expect(fs.existsSync(path.join(copy, 'collections.db'))).toBe(true);
      const originalAfter = await listBackups(original);
      expect(originalAfter.backups.map((b) => [b.id, b.status, b.fileExists])).toEqual(
        originalList.backups.map((b) => [b.id, b.status, true]),
      );

      // The copy lists each of its archives once, at its own path; the foreign row is history.
      const listed = await listBackups(copy);
      const local = listed.backups.filter((b) => b.fileExists);
      const onDisk = fs.readdirSync(path.join(copy, 'backups')).sort();
      expect(local.map((b) => b.fileName).sort()).toEqual(onDisk);
      expect(new Set(listed.backups.map((b) => b.fileName)).size).toBe(listed.backups.length);
      for (const b of local) expect(b.path).toBe(path.join(copy, 'backups', b.fileName));
      expect(listed.backups.filter((b) => !b.fileExists).map((b) => b.id)).toEqual([foreignId]);
      // The copy's own retention ran on its own archives: the manual one stays, and so does the
      // newest scheduled one; only the older scheduled copy went.
      expect(local.map((b) => b.kind).sort()).toEqual(['manual', 'scheduled']);
      expect(onDisk).toHaveLength(2);
      const all = await listBackups(copy, true);
      expect(all.backups.filter((b) => b.status === 'deleted').map((b) => b.fileName)).toEqual(
        originalList.backups
          .filter((b) => b.kind === 'scheduled')
          .map((b) => b.fileName)
          .slice(1),
      );
      // The extra rows the older sync added were merged away, on the record.
      const merged = await auditOf(copy, 'backup.catalog');
      expect(merged.map((d) => d.duplicateOf !== undefined)).toEqual(legacy ? [true, true, true] : []);
    },
    TIMEOUT_MS,
  );

  it(
    'a catalogue row naming a file outside backups/ is never deleted, by `backup delete` or prune',
    async () => {
      const root = tempDir('pustaka-foreign-row-');
      const dataDir = path.join(root, 'data');
      const outside = path.join(root, 'keep-me.pustaka-backup');
      fs.writeFileSync(outside, 'a file the user keeps');
      const absolute = await addRow(dataDir, outside, 400);
      // Names that climb out of backups/ (a relative row from a tampered catalogue).
      const climbing = await addRow(dataDir, '../collections.db', 300);
      const sideways = await addRow(dataDir, '../backups-elsewhere/x.pustaka-backup', 200);
      fs.mkdirSync(path.join(dataDir, 'backups-elsewhere'));
      fs.writeFileSync(path.join(dataDir, 'backups-elsewhere', 'x.pustaka-backup'), 'also kept');
      const before = fileDigests(root, path.join(dataDir, 'pg'));

      const d = ['--data-dir', dataDir];
      const pruned = await cliJson<{ deleted: BackupInfo[] }>([
        ...d,
        'backup',
        'prune',
        '--daily',
        '0',
        '--weekly',
        '0',
        '--monthly',
        '0',
        '--include-manual',
      ]);
      expect(pruned.deleted).toEqual([]);
      for (const id of [absolute, climbing, sideways]) {
        const res = await runCliCaptured([...d, 'backup', 'delete', String(id), '--yes']);
        expect(res.code).toBe(0);
        expect(res.stdout).toMatch(/outside .* left alone/);
      }
      expect(fileDigests(root, path.join(dataDir, 'pg'))).toEqual(before);
      expect((await auditOf(dataDir, 'backup.delete')).map((d) => d.fileKept)).toEqual([
        outside,
        path.join(dataDir, 'collections.db'),
        path.join(dataDir, 'backups-elsewhere', 'x.pustaka-backup'),
      ]);
    },
    TIMEOUT_MS,
  );
});
