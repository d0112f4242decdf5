// A mailbox import killed half-way (kill -9) resumes where it stopped: the messages committed
// before the kill are not read again, the rest are, and every message ends up indexed exactly once.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkerPool } from '../core/base/thread-pool/pool.ts';
import type {
  FileTaskInput,
  FileTaskOutput,
  FileTaskProgress,
} from '../core/knowledge/import/file-task-types.ts';
import { DEFAULT_LIMITS, type ImportLimits, type runImport } from '../core/knowledge/import/importer.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { runDriver } from './faults/run-driver.ts';
import { CRASH_MARK } from './support/crashing-mail-task.ts';
import { SLOW_MARK } from './support/slow-mail-task.ts';
import { engineClient, openTestEngine, type TestEngine } from './support/engine.ts';
import { importWithPool } from './support/import-with-pool.ts';
import { checkInvariants } from './support/invariants.ts';
import { tempDir } from './support/temp-dir.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const HANDBOOK = path.join(ROOT, '.fixtures/root/usr/share/doc/debian-handbook/html');
const present = fs.existsSync(path.join(HANDBOOK, 'id-ID/sect.apt-get.html'));
const ci = !!process.env.CI && process.env.CI !== 'false';
const MESSAGES = 400;

describe.skipIf(!present && !ci)('a mailbox import killed half-way', () => {
  if (!present && ci)
    throw new Error(`CI: handbook missing under ${HANDBOOK}; run scripts/fetch-real-docs.sh`);

  it('resumes: what was committed is not read again, and every message is indexed once', async () => {
    const folder = tempDir();
    execFileSync('python3', [
      path.join(ROOT, 'test/support/mail-fixtures.py'),
      HANDBOOK,
      '-',
      folder,
      '--bulk',
      String(MESSAGES),
    ]);
    const dataDir = tempDir();
    // Killed at a point in the work (the 150th message reported), not in time.
    const run = await runDriver(['import', dataDir, folder], {
      afterLines: 150,
      counting: (line) => line === 'event file',
      delayMs: 0,
    });
    expect(run.killed).toBe(true);

    const engine = await openEngine({ dataDir });
    try {
      expect(engine.interruptedJobs).toHaveLength(1);
      const [{ n: before }] = (await engine.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM documents WHERE status = 'indexed' AND metadata ? 'email'",
      )) as [{ n: number }];
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(MESSAGES);

      const client = engineClient(engine);
      const { imports } = await client.call('import.resume', {});
      const [summary] = imports;
      expect(summary).toMatchObject({ status: 'done', failed: [], duplicates: 0 });
      // Committed messages were skipped by their hash; only the rest were read.
      expect(summary!.unchanged).toBe(before);
      expect(summary!.imported + summary!.updated).toBe(MESSAGES - before + 1); // + the mailbox itself

      const rows = await engine.db.query<{ source_path: string; status: string; message_id: string | null }>(
        "SELECT source_path, status, metadata->'email'->>'messageId' AS message_id FROM documents",
      );
      expect(rows).toHaveLength(MESSAGES + 1);
      expect(rows.every((r) => r.status === 'indexed')).toBe(true);
      expect(new Set(rows.map((r) => r.message_id).filter(Boolean)).size).toBe(MESSAGES);
      expect(await checkInvariants(engine)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('a message that stops the reader is recorded failed, the rest of the mailbox is read, and unchanged it is skipped next time', async () => {
    const folder = tempDir();
    execFileSync('python3', [
      path.join(ROOT, 'test/support/mail-fixtures.py'),
      HANDBOOK,
      '-',
      folder,
      '--bulk',
      '8',
    ]);
    const mailbox = path.join(folder, 'bulk.mbox');
    const t = await openTestEngine();
    await t.client.call('collections.create', { name: 'Mail' });
    // The real reader, in a worker thread that dies when it reaches message 4 (bulk-3@…).
    const pool = createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
      entry: new URL('./support/crashing-mail-task.ts', import.meta.url),
      size: 1,
    });
    try {
      const first = await importWith(t, pool, [mailbox]);
      const crashed = `${mailbox}#${CRASH_MARK}konsultan-visa.co.id`;
      expect(first.summary).toMatchObject({ status: 'done', imported: 8 }); // the mailbox and 7 messages
      expect(first.summary.failed).toEqual([
        {
          path: crashed,
          reason: 'crashed',
          message: expect.stringMatching(
            /reading it stopped the reader \(worker exited with code 3\); it was skipped and the rest of bulk\.mbox was read/,
          ),
        },
      ]);
      const rows = await t.engine.db.query<{ source_path: string; status: string }>(
        'SELECT source_path, status FROM documents ORDER BY source_path',
      );
      expect(rows.filter((r) => r.status === 'indexed')).toHaveLength(8);
      expect(rows.find((r) => r.source_path === crashed)).toMatchObject({ status: 'failed' });

      // The mailbox grows by a message: read again, the message that stopped the reader is not.
      execFileSync('python3', [
        '-c',
        `import mailbox, sys
from email.message import EmailMessage
box = mailbox.mbox(sys.argv[1])
m = EmailMessage()
m['Subject'] = 'Pesan baru'
m['Message-ID'] = '<baru-1@konsultan-visa.co.id>'
m.set_content('Loket dibuka pukul 07.30.')
box.add(mailbox.mboxMessage(m))
box.flush()`,
        mailbox,
      ]);
      const second = await importWith(t, pool, [mailbox]);
      expect(second.summary).toMatchObject({ imported: 1, updated: 1, unchanged: 7 });
      expect(second.summary.failed).toEqual([
        {
          path: crashed,
          reason: 'skipped',
          message: expect.stringContaining(
            'it stopped the reader when it was last imported and has not changed since',
          ),
        },
      ]);
      expect(await checkInvariants(t.engine)).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('a mailbox that runs out of its whole-file time fails as a file: the message being read is not blamed, and is read next time', async () => {
    const folder = tempDir();
    execFileSync('python3', [
      path.join(ROOT, 'test/support/mail-fixtures.py'),
      HANDBOOK,
      '-',
      folder,
      '--bulk',
      '8',
    ]);
    const mailbox = path.join(folder, 'bulk.mbox');
    const t = await openTestEngine();
    await t.client.call('collections.create', { name: 'Mail' });
    // The real reader, which never finishes message 4 (bulk-3@…) though it keeps reporting progress.
    const slow = createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
      entry: new URL('./support/slow-mail-task.ts', import.meta.url),
      size: 1,
    });
    const tight: ImportLimits = { ...DEFAULT_LIMITS, timeoutMs: 6_000, msPerMb: 0 };
    try {
      const first = await importWith(t, slow, [mailbox], tight);
      expect(first.summary.failed).toEqual([
        {
          path: mailbox,
          reason: 'timeout',
          message: expect.stringContaining('bulk.mbox: reading took longer than'),
        },
      ]);
      const blamed = await t.engine.db.query<{ source_path: string }>(
        "SELECT source_path FROM documents WHERE metadata ? 'readerStopped'",
      );
      expect(blamed).toEqual([]);
    } finally {
      await slow.close();
    }
    const pool = createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
      entry: new URL('../core/knowledge/import/file-task.ts', import.meta.url),
      size: 1,
    });
    try {
      const second = await importWith(t, pool, [mailbox]);
      expect(second.summary.failed).toEqual([]);
      const rows = await t.engine.db.query<{ source_path: string; status: string }>(
        'SELECT source_path, status FROM documents',
      );
      const slowOne = rows.filter((r) => r.source_path.includes(`#${SLOW_MARK}`));
      expect(slowOne).toEqual([{ source_path: expect.any(String), status: 'indexed' }]);
      expect(rows.filter((r) => r.status === 'indexed')).toHaveLength(9); // the mailbox and 8 messages
      expect(await checkInvariants(t.engine)).toEqual([]);
    } finally {
      await pool.close();
    }
  }, 120_000);
});

async function importWith(
  t: TestEngine,
  pool: Parameters<typeof runImport>[0]['pool'],
  paths: string[],
  limits: ImportLimits = DEFAULT_LIMITS,
) {
  return importWithPool(t, 'Mail', pool, paths, limits);
}
