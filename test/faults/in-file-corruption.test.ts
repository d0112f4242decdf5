/**
 * Damage inside collections.db (the search index, derived data) and the time until it is rebuilt:
 * garbage pages in the middle of the file — found at open (quick_check beside Postgres) or by the
 * first search that reads them — are set aside and rebuilt like a truncated file; until the
 * rebuild is done, status, search and ask say that the index is being rebuilt and how far it is,
 * and a long-lived engine runs the rebuild by itself.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeImports } from '../../core/knowledge/import/import-service.ts';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { rawHandleForTests } from '../../core/stores/vectors/store.ts';
import { runCliCaptured } from '../support/cli.ts';
import { writeCorpus } from '../support/fault-corpus.ts';
import { engineClient } from '../support/engine.ts';
import { addGoldenAnswer, checkInvariants, chunksByFile } from '../support/invariants.ts';

const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pustaka-infile-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const base = path.join(root, 'base');
const PAGE = 4096;
let copies = 0;
let chunksBefore: Record<string, string[]>;
let documents: number;

function copyOfBase(): string {
  const dir = path.join(root, `copy-${++copies}`);
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

/**
 * `dd if=/dev/urandom of=collections.db bs=4096 seek=S count=N conv=notrunc`, with the pages
 * chosen inside the file: the middle third, where vectors and the keyword index lie.
 */
function overwritePagesWithRandomBytes(file: string): { first: number; count: number } {
  const pages = Math.floor(fs.statSync(file).size / PAGE);
  const first = Math.max(2, Math.floor(pages / 3));
  const count = Math.max(16, Math.floor(pages / 3));
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, crypto.randomBytes(count * PAGE), 0, count * PAGE, first * PAGE);
  } finally {
    fs.closeSync(fd);
  }
  return { first, count };
}

const damagedCopies = (dataDir: string) =>
  fs.readdirSync(dataDir).filter((n) => /^collections\.db\.damaged-[^.]*$/.test(n) && !/-(wal|shm)$/.test(n));

beforeAll(async () => {
  const a = path.join(root, 'corpus-a');
  const b = path.join(root, 'corpus-b');
  writeCorpus(a, 48, 2_000);
  writeCorpus(b, 10, 1_500);
  const engine = await openEngine({ dataDir: base });
  await engineClient(engine).call('import.run', { collection: 'Docs', create: true, paths: [a] });
  await engineClient(engine).call('import.run', { collection: 'More', create: true, paths: [b] });
  await addGoldenAnswer(engine, 'What is a KITAS?');
  engine.vectors.checkpoint();
  chunksBefore = await chunksByFile(engine);
  documents = Object.keys(chunksBefore).length;
  await engine.close();
  // Large enough that page 512 exists, like the file of the report.
  expect(fs.statSync(path.join(base, 'collections.db')).size).toBeGreaterThan(520 * PAGE);
});

describe('garbage pages inside collections.db', () => {
  it('found at open: set aside, rebuilt by import --resume, and search works again', async () => {
    const dataDir = copyOfBase();
    const file = path.join(dataDir, 'collections.db');
    overwritePagesWithRandomBytes(file);
    const damaged = fs.readFileSync(file);

    const engine = await openEngine({ dataDir });
    expect(engine.repair.collectionsDbSetAside).toMatch(/collections\.db\.damaged-/);
    expect(fs.readFileSync(engine.repair.collectionsDbSetAside!)).toEqual(damaged);
    expect(engine.repair.requeuedDocuments).toBe(documents);
    expect(engine.interruptedJobs).toEqual(engine.repair.rebuildJobs);

    const api = engineClient(engine);
    const status = await api.call('status', {});
    expect(status.rebuilding).toEqual({
      documentsDone: 0,
      documentsTotal: documents,
      running: false,
      setAside: engine.repair.collectionsDbSetAside,
    });
    const during = await api.call('search', { query: 'kitas sponsor' });
    expect(during.items).toEqual([]);
    expect(during.rebuilding).toMatchObject({ documentsDone: 0, documentsTotal: documents });

    const { imports } = await api.call('import.resume', {});
    expect(imports.map((i) => i.status)).toEqual(['done', 'done']);
    expect(await chunksByFile(engine)).toEqual(chunksBefore);
    expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
    const after = await api.call('search', { query: 'kitas sponsor' });
    expect(after.items.length).toBeGreaterThan(0);
    expect(after.rebuilding).toBeUndefined();
    expect((await api.call('status', {})).rebuilding).toBeUndefined();
    await engine.close();
  });

  it('met by a search at run time: no internal error; the file is replaced and rebuilt', async () => {
    const dataDir = copyOfBase();
    const engine = await openEngine({ dataDir });
    const api = engineClient(engine);
    // Damage under the open engine: the pages a search reads were never in its page cache.
    overwritePagesWithRandomBytes(path.join(dataDir, 'collections.db'));

    const hybrid = await api.call('search', { query: 'kitas sponsor perusahaan' });
    expect(hybrid.rebuilding).toMatchObject({ documentsTotal: documents, running: false });
    expect(hybrid.rebuilding!.setAside).toMatch(/collections\.db\.damaged-/);
    expect(damagedCopies(dataDir)).toHaveLength(1);
    const vector = await api.call('search', { query: 'pajak penghasilan', mode: 'vector' });
    expect(vector.rebuilding).toBeDefined();
    const answer = await api.call('ask', { question: 'Who sponsors a KITAS?' });
    expect(answer.rebuilding).toBeDefined();

    const { imports } = await api.call('import.resume', {});
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.every((i) => i.status === 'done' && i.failed.length === 0)).toBe(true);
    expect(await chunksByFile(engine)).toEqual(chunksBefore);
    const again = await api.call('search', { query: 'kitas sponsor perusahaan' });
    expect(again.items.length).toBeGreaterThan(0);
    expect(again.rebuilding).toBeUndefined();
    expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
    await engine.close();
  });
});

describe('until the search index is rebuilt, Pustaka says so', () => {
  for (const [name, damage] of [
    ['truncated', (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 3))],
    ['deleted', (file: string) => fs.rmSync(file)],
  ] as const) {
    it(`${name}: status, search and ask report the rebuild and its progress; the CLI warns on stderr`, async () => {
      const dataDir = copyOfBase();
      damage(path.join(dataDir, 'collections.db'));

      const engine = await openEngine({ dataDir });
      const api = engineClient(engine);
      const status = await api.call('status', {});
      expect(status.counts.chunks).toBe(0);
      expect(status.rebuilding).toEqual({
        documentsDone: 0,
        documentsTotal: documents,
        running: false,
        setAside: name === 'deleted' ? null : engine.repair.collectionsDbSetAside,
      });
      const found = await api.call('search', { query: 'kitas sponsor' });
      expect(found.items).toEqual([]);
      expect(found.rebuilding).toEqual(status.rebuilding);
      expect((await api.call('ask', { question: 'Who sponsors a KITAS?' })).rebuilding).toEqual(
        status.rebuilding,
      );

      // Half-way: one collection rebuilt, the other not yet.
      const [first] = engine.repair.rebuildJobs;
      await resumeImports(
        engine,
        { signal: new AbortController().signal, emit: () => undefined },
        {
          only: (j) => Number(j.id) === first,
        },
      );
      const half = (await api.call('status', {})).rebuilding!;
      expect(half.documentsDone).toBeGreaterThan(0);
      expect(half.documentsDone).toBeLessThan(documents);
      expect(half.documentsTotal).toBe(documents);
      const partial = await api.call('search', { query: 'kitas sponsor' });
      expect(partial.items.length).toBeGreaterThan(0);
      expect(partial.rebuilding).toEqual(half);
      await engine.close();

      const cliStatus = await runCliCaptured(['--data-dir', dataDir, 'status']);
      expect(cliStatus.code).toBe(0);
      expect(cliStatus.stdout).toContain(
        `being rebuilt from the source files: ${half.documentsDone} of ${documents}`,
      );
      expect(cliStatus.stderr).toContain(
        `the search index is being rebuilt: ${half.documentsDone} of ${documents} documents done; results are incomplete`,
      );
      expect(cliStatus.stderr).toContain('pustaka import --resume');
      const cliSearch = await runCliCaptured(['--data-dir', dataDir, 'search', 'kitas sponsor']);
      expect(cliSearch.code).toBe(0);
      expect(cliSearch.stderr).toContain('the search index is being rebuilt');
      const json = await runCliCaptured(['--data-dir', dataDir, '--json', 'search', 'kitas sponsor']);
      expect(JSON.parse(json.stdout).rebuilding).toEqual(half);

      // Once rebuilt, the warnings go.
      await runCliCaptured(['--data-dir', dataDir, 'import', '--resume']);
      const done = await runCliCaptured(['--data-dir', dataDir, 'search', 'kitas sponsor']);
      expect(done.stderr).toBe('');
      expect(done.stdout).not.toContain('No results');
    });
  }
});

describe('a long-lived engine rebuilds by itself', () => {
  async function waitForRebuild(engine: Engine): Promise<void> {
    const api = engineClient(engine);
    for (let i = 0; i < 600; i++) {
      if (!(await api.call('status', {})).rebuilding) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the rebuild did not finish');
  }

  it('after a deleted collections.db, and after damage met at run time', async () => {
    const dataDir = copyOfBase();
    fs.rmSync(path.join(dataDir, 'collections.db'));
    const engine = await openEngine({ dataDir, background: true });
    await waitForRebuild(engine);
    expect(await chunksByFile(engine)).toEqual(chunksBefore);

    overwritePagesWithRandomBytes(path.join(dataDir, 'collections.db'));
    // The engine just wrote the file: make it read the pages again instead of its page cache.
    rawHandleForTests(engine.vectors).pragma('shrink_memory');
    const met = await engineClient(engine).call('search', { query: 'kitas sponsor perusahaan' });
    expect(met.rebuilding).toBeDefined();
    await waitForRebuild(engine);
    expect(await chunksByFile(engine)).toEqual(chunksBefore);
    expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
    await engine.close();
  });

  it('closing it mid-rebuild leaves the rebuild to resume at the next start, not cancelled', async () => {
    const dataDir = copyOfBase();
    fs.rmSync(path.join(dataDir, 'collections.db'));
    const engine = await openEngine({ dataDir, background: true });
    const api = engineClient(engine);
    let seen = await api.call('status', {});
    for (let i = 0; i < 600 && seen.rebuilding && !seen.rebuilding.running; i++) {
      await new Promise((r) => setTimeout(r, 20));
      seen = await api.call('status', {});
    }
    expect(seen.rebuilding?.running).toBe(true);
    await engine.close();

    const again = await openEngine({ dataDir });
    const jobs = await again.db.query<{ status: string; error: string | null }>(
      `SELECT status, error FROM import_jobs WHERE options @> '{"rebuild": true}'::jsonb ORDER BY id`,
    );
    expect(jobs.map((j) => j.status)).not.toContain('cancelled');
    expect(
      jobs.some((j) => j.status === 'interrupted' && /stopped when Pustaka closed/.test(j.error ?? '')),
    ).toBe(true);
    const status = await engineClient(again).call('status', {});
    expect(status.rebuilding?.documentsTotal).toBe(documents);
    expect(status.rebuilding!.documentsDone).toBeLessThan(documents);
    await engineClient(again).call('import.resume', {});
    expect(await chunksByFile(again)).toEqual(chunksBefore);
    expect((await engineClient(again).call('status', {})).rebuilding).toBeUndefined();
    await again.close();
  });
});
