import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../../core/contract/client.ts';
import { createDispatcher } from '../../core/api/dispatcher.ts';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { rawHandleForTests } from '../../core/stores/vectors/store.ts';
import { collectionEmbedderId } from '../../core/stores/vectors/reembed.ts';
import { BUILTIN_EMBEDDER } from '../../core/models/embed/builtin-spec.ts';
import { PART_CHUNKS } from '../../core/knowledge/import/file-task-types.ts';
import { manyPagePdf, pageWord } from '../support/big-pdf.ts';
import { writeTinyLlama } from '../support/gguf/tiny-llama.ts';
import { addGoldenAnswer, checkInvariants } from '../support/invariants.ts';
import { countEmbeds, logStaging } from '../support/staging-log.ts';
import { rng } from '../support/prng.ts';
import { writeCorpus } from '../support/fault-corpus.ts';
import { FAULT_ROUNDS, FAULT_SEED, runDriver } from './run-driver.ts';

// Not tempDir(): these folders outlive single tests (one reference run serves every round).
const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pustaka-faults-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const folder = path.join(root, 'corpus');
const next = rng(FAULT_SEED);
const FAULT_COLLECTION = 'Faults';

/** What an import leaves behind, independent of ids and timings: compared with a clean run. */
async function snapshot(engine: Engine) {
  const docs = await engine.db.query<{
    id: number;
    source_path: string;
    content_hash: string;
    status: string;
    chunk_count: number;
    title: string | null;
    file_type: string | null;
    error: string | null;
  }>(
    'SELECT id, source_path, content_hash, status, chunk_count, title, file_type, error FROM documents ORDER BY source_path',
  );
  return docs.map(({ id, ...doc }) => ({
    ...doc,
    chunks: engine.vectors
      .documentChunks(Number(id))
      .map((c) => `${c.ordinal}|${c.headingPath.join('>')}|${c.charStart}-${c.charEnd}|${c.text}`),
  }));
}

/** Reopens a killed data dir: the stale lock is taken over, the reconciler runs, invariants hold. */
async function reopenAndCheck(dataDir: string): Promise<void> {
  const engine = await openEngine({ dataDir });
  try {
    expect(engine.lock.recoveredStale).not.toBeNull();
    expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
  } finally {
    await engine.close();
  }
}

/** A data dir with its golden answer, so every check also proves no fault lost one. */
async function freshDataDir(name: string): Promise<string> {
  const dataDir = path.join(root, name);
  const engine = await openEngine({ dataDir });
  await addGoldenAnswer(engine, 'How long does a KITAS renewal take?');
  await engine.close();
  return dataDir;
}

const killPoint = (lines: number) => ({
  afterLines: 1 + Math.floor(next() * Math.max(1, lines - 1)),
  delayMs: Math.floor(next() * 25),
});

/** The engine, in this process, behind the typed client (what the CLI and the app use). */
async function withClient<T>(
  dataDir: string,
  fn: (client: ApiClient, engine: Engine) => Promise<T>,
): Promise<T> {
  const engine = await openEngine({ dataDir });
  try {
    const dispatcher = createDispatcher(engine);
    return await fn(
      createApiClient((m, p, o) => dispatcher.call(m, p, o)),
      engine,
    );
  } finally {
    await engine.close();
  }
}

/**
 * Kills the driver `rounds` times on one data dir — so later kills land in the resume of an
 * earlier one — checking invariants after each; a run that ends before its kill point starts
 * over on a new data dir. Returns the data dir to finish and how many kills landed.
 */
async function killRounds(op: string, arg: string, lines: number, newDataDir: () => Promise<string>) {
  let dataDir = await newDataDir();
  let kills = 0;
  for (let round = 1; round <= FAULT_ROUNDS; round++) {
    const run = await runDriver([op, dataDir, arg], killPoint(lines));
    if (run.killed) {
      kills++;
      await reopenAndCheck(dataDir);
    } else {
      dataDir = await newDataDir();
    }
  }
  return { dataDir, kills };
}

// Each kill round costs a node start plus two engine opens (~5 s on a busy 2-core machine).
const TIMEOUT_MS = 60_000 + FAULT_ROUNDS * 25_000;
let dirs = 0;
let reference: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  writeCorpus(folder, 30, 400);
  reference = await withClient(await freshDataDir('reference'), async (client, engine) => {
    await client.call('import.run', { collection: FAULT_COLLECTION, create: true, paths: [folder] });
    return snapshot(engine);
  });
  console.info(`kill -9 faults: seed ${FAULT_SEED}, ${FAULT_ROUNDS} rounds per operation`);
}, TIMEOUT_MS);

describe('kill -9 at random points', () => {
  it(
    'during an import and its resumes: invariants hold after each kill, and the end result is that of an uninterrupted import',
    async () => {
      expect(reference.filter((d) => d.status === 'indexed').length).toBeGreaterThanOrEqual(27);
      expect(reference.some((d) => d.status === 'failed')).toBe(true);
      // Lines: opened, resumed, scanned, one per file (plus progress lines, which only add room).
      const { dataDir, kills } = await killRounds('import', folder, 3 + 30, () =>
        freshDataDir(`import-${++dirs}`),
      );
      // A kill point can fall after the end of a short resume; most must land inside the work.
      expect(kills).toBeGreaterThanOrEqual(Math.ceil(FAULT_ROUNDS / 2));
      await withClient(dataDir, async (client, engine) => {
        await client.call('import.resume', {});
        await client.call('import.run', { collection: FAULT_COLLECTION, paths: [folder] });
        expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
        expect(await snapshot(engine)).toEqual(reference);
        const jobs = await engine.db.query("SELECT status FROM import_jobs WHERE status <> 'done'");
        expect(jobs).toEqual([]);
      });
    },
    TIMEOUT_MS,
  );

  it(
    'during a switch to a GGUF embedding model: invariants hold, and the resumed switch re-embeds every chunk exactly once',
    async () => {
      const model = path.join(root, 'tiny-embed.gguf');
      await writeTinyLlama(model, { quant: 'q8_0', seed: 7 });
      // One imported data dir, copied for each round (the import is not what is under test here).
      const imported = await freshDataDir('reembed-base');
      await withClient(imported, (client) =>
        client.call('import.run', { collection: FAULT_COLLECTION, create: true, paths: [folder] }),
      );
      const clean = path.join(root, 'reembed-clean');
      fs.cpSync(imported, clean, { recursive: true });
      const cleanRun = await runDriver(['reembed', clean, model]);
      const expected = await withClient(clean, async (_client, engine) => {
        const ids = engine.vectors
          .documentIds()
          .flatMap((d) => engine.vectors.documentChunks(d).map((c) => c.id));
        return { state: await snapshot(engine), ids, vectors: engine.vectors.getVectors(ids) };
      });

      const { dataDir, kills } = await killRounds('reembed', model, cleanRun.lines.length, async () => {
        const dir = path.join(root, `reembed-${++dirs}`);
        fs.cpSync(imported, dir, { recursive: true });
        return dir;
      });
      expect(kills).toBeGreaterThanOrEqual(Math.ceil(FAULT_ROUNDS / 2));
      await withClient(dataDir, async (client, engine) => {
        // What the killed runs left staged (kept, never embedded again), and what is left to embed:
        // nothing when the last kill fell after SQLite's swap (only PG was left to tell).
        const { id } = await client.call('collections.get', { collection: FAULT_COLLECTION });
        const swapped = collectionEmbedderId(engine.vectors, id) !== BUILTIN_EMBEDDER.id;
        const log = logStaging(engine);
        const stagedBefore = new Set(log.stagedIds());
        const remaining = swapped ? [] : expected.ids.filter((c) => !stagedBefore.has(c));
        const embeds = countEmbeds(await engine.embedders.loadModel(model));

        await client.call('import.resume', {});
        await client.call('collections.setEmbedder', { collection: FAULT_COLLECTION, model });
        // Every chunk was embedded exactly once: by a killed run (staged before the resume) or by
        // the resume, never both, and none twice.
        expect(log.writes()).toEqual(new Map(remaining.map((c) => [c, 1])));
        expect(embeds.texts()).toBe(remaining.length);
        if (!swapped) {
          expect([...stagedBefore, ...remaining].sort((a, b) => a - b)).toEqual(
            [...expected.ids].sort((a, b) => a - b),
          );
        }
        expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
        expect(await snapshot(engine)).toEqual(expected.state);
        const c = await client.call('collections.get', { collection: FAULT_COLLECTION });
        expect(c).toMatchObject({ embeddingDim: 64, embedderModel: model });
        expect(
          rawHandleForTests(engine.vectors).prepare('SELECT count(*) AS n FROM reembed_staging').get(),
        ).toEqual({
          n: 0,
        });
        // Chunk ids survive a re-embed, so each vector can be compared with the clean run's.
        const vectors = engine.vectors.getVectors(expected.ids);
        expect(vectors.size).toBe(expected.ids.length);
        for (const id of expected.ids) {
          const a = vectors.get(id)!;
          const b = expected.vectors.get(id)!;
          let dot = 0;
          for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
          expect(dot).toBeGreaterThan(0.9999);
        }
      });
    },
    TIMEOUT_MS,
  );

  it(
    'during large documents after some of their parts were written: nothing of them is visible after the kill, an old version stays whole, and resume completes them',
    async () => {
      const dataDir = await freshDataDir('large-documents');
      const docs = path.join(root, 'large-document-files');
      fs.mkdirSync(docs);
      const changed = path.join(docs, 'handbook.pdf');
      const added = path.join(docs, 'annex.pdf');
      fs.writeFileSync(changed, manyPagePdf(300));
      expect((await runDriver(['import', dataDir, docs])).killed).toBe(false);
      const before = await withClient(dataDir, (_client, engine) => snapshot(engine));
      const old = before.find((d) => d.source_path === changed)!;
      expect(old).toMatchObject({ status: 'indexed' });

      // A longer version of one, a new one beside it: several parts each (a chunk or so a page).
      fs.writeFileSync(changed, manyPagePdf(1_500));
      fs.writeFileSync(added, manyPagePdf(1_500, 12));
      // Killed as soon as two parts are staged, seen through a connection of our own.
      const watch = new Database(path.join(dataDir, 'collections.db'), { readonly: true });
      try {
        const staged = watch.prepare('SELECT count(*) FROM staged_chunks').pluck();
        const run = await runDriver(['import', dataDir, docs], {
          afterLines: Infinity,
          delayMs: 0,
          when: () => (staged.get() as number) >= 2 * PART_CHUNKS,
        });
        expect(run.killed).toBe(true);
      } finally {
        watch.close();
      }

      await withClient(dataDir, async (client, engine) => {
        expect(engine.lock.recoveredStale).not.toBeNull();
        expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
        // What the killed import staged is gone; the old version is there, whole; the new
        // document has no chunks; no search finds a page only the new versions have.
        expect(engine.vectors.stagedChunkCount()).toBe(0);
        const after = await snapshot(engine);
        expect(after.find((d) => d.source_path === changed)).toEqual(old);
        expect(after.find((d) => d.source_path === added)).toMatchObject({ status: 'pending', chunks: [] });
        const found = await client.call('search', {
          query: pageWord(1_400),
          collections: [FAULT_COLLECTION],
          mode: 'keyword',
        });
        expect(found.items).toEqual([]);

        await client.call('import.resume', {});
        expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
        expect(engine.vectors.stagedChunkCount()).toBe(0);
        const done = await snapshot(engine);
        for (const file of [changed, added]) {
          const doc = done.find((d) => d.source_path === file)!;
          expect(doc.status).toBe('indexed');
          expect(doc.chunks.length).toBe(doc.chunk_count);
          expect(doc.chunk_count).toBeGreaterThanOrEqual(1_500);
        }
        const late = await client.call('search', {
          query: pageWord(1_400),
          collections: [FAULT_COLLECTION],
          mode: 'keyword',
          k: 5,
        });
        expect(new Set(late.items.map((i) => i.sourcePath))).toEqual(new Set([changed, added]));
        expect(late.items.every((i) => i.page === 1_400)).toBe(true);
        const jobs = await engine.db.query("SELECT status FROM import_jobs WHERE status <> 'done'");
        expect(jobs).toEqual([]);
      });
    },
    TIMEOUT_MS,
  );
});
