import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../core/api/dispatcher.ts';
import { openEngine } from '../../core/startup/open-engine.ts';
import { runPustaka } from '../support/cli.ts';
import { addGoldenAnswer, checkInvariants } from '../support/invariants.ts';
import { writeCorpus } from '../support/fault-corpus.ts';

/**
 * A real full disk: the data dir lives on a small tmpfs that a filler file then fills. Mounting
 * needs root (or CAP_SYS_ADMIN); without it the test is skipped and says why.
 */
const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pustaka-diskfull-'));
const mnt = path.join(root, 'mnt');
fs.mkdirSync(mnt);
let mountError: string | null = null;
try {
  // 96 MB: the 41 MB cluster, a small corpus, and room that the filler then takes away.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mnt], { stdio: 'pipe' });
} catch (err) {
  mountError = `cannot mount a tmpfs to fill (${String((err as { stderr?: Buffer }).stderr ?? err).trim()}); run the suite as root to test a full disk`;
}
afterAll(() => {
  if (!mountError) execFileSync('umount', [mnt]);
  fs.rmSync(root, { recursive: true, force: true });
});

const dataDir = path.join(mnt, 'data');
const filler = path.join(mnt, 'filler');
const small = path.join(root, 'small');
const large = path.join(root, 'large');
const LARGE_FILES = 8;

/** Fills the disk, then frees `leave` bytes again (a disk is never exactly full for long). */
function fillDisk(leave: number): void {
  const fd = fs.openSync(filler, 'w');
  try {
    for (const size of [1 << 20, 4096]) {
      const buf = Buffer.alloc(size, 1);
      try {
        for (;;) fs.writeSync(fd, buf);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - leave));
}

async function chunkTexts(): Promise<Record<string, string[]>> {
  const engine = await openEngine({ dataDir });
  try {
    const docs = await engine.db.query<{ id: number; source_path: string }>(
      "SELECT id, source_path FROM documents WHERE status = 'indexed' AND source_path LIKE $1 ORDER BY 2",
      [`${small}%`],
    );
    return Object.fromEntries(
      docs.map((d) => [d.source_path, engine.vectors.documentChunks(Number(d.id)).map((c) => c.text)]),
    );
  } finally {
    await engine.close();
  }
}

describe.skipIf(mountError !== null)('disk full', () => {
  let before: Record<string, string[]>;
  beforeAll(async () => {
    writeCorpus(small, 6, 400);
    writeCorpus(large, LARGE_FILES, 6_000); // ~200 chunks, ~1 MB in collections.db: more than is left
    const engine = await openEngine({ dataDir });
    const dispatcher = createDispatcher(engine);
    expect(
      await dispatcher.call('import.run', { collection: 'Docs', create: true, paths: [small] }),
    ).toMatchObject({ ok: true });
    await addGoldenAnswer(engine, 'What is a KITAS?');
    await engine.close();
    before = await chunkTexts();
  }, 120_000);

  it('an import fails with a clear "disk is full" error, loses nothing, and works once space is freed', async () => {
    fillDisk(128 * 1024);
    const cli = await runPustaka(['--data-dir', dataDir, 'import', large, '-c', 'Docs']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(
      /^pustaka: the disk is full \(no space left to write: .*\)\. Free some space/m,
    );
    expect(cli.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const json = await runPustaka(['--data-dir', dataDir, '--json', 'import', large, '-c', 'Docs']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'storage_error' } });

    // Postgres too: a write that must grow a table fails cleanly, and the engine keeps serving.
    const engine = await openEngine({ dataDir });
    await expect(
      engine.db.query(
        `INSERT INTO audit_logs (action, details)
         SELECT 'fill', jsonb_build_object('p', (SELECT string_agg(md5(random()::text || g || s), '') FROM generate_series(1, 300) s))
         FROM generate_series(1, 4000) g`,
      ),
    ).rejects.toMatchObject({ code: '53100' });
    expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
    const search = await createDispatcher(engine).call('search', { query: 'kitas sponsor' });
    expect(search).toMatchObject({ ok: true });
    await engine.close();
    expect(await chunkTexts()).toEqual(before);

    fs.rmSync(filler);
    const again = await runPustaka(['--data-dir', dataDir, '--json', 'import', large, '-c', 'Docs']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'done', imported: LARGE_FILES - 3 });
    const after = await openEngine({ dataDir });
    expect(await checkInvariants(after, { goldenAnswers: 1 })).toEqual([]);
    const [{ n }] = (await after.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM documents WHERE status = 'pending'",
    )) as [{ n: number }];
    expect(n).toBe(0);
    await after.close();
    expect(await chunkTexts()).toEqual(before);
  }, 240_000);

  it('a disk with no space at all: every command stops with the same clear error', async () => {
    fillDisk(0);
    try {
      const cli = await runPustaka(['--data-dir', dataDir, 'import', large, '-c', 'Docs']);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/^pustaka: the disk is full/m);
    } finally {
      fs.rmSync(filler);
    }
    expect(await chunkTexts()).toEqual(before);
  }, 120_000);
});
