import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesProgress } from '../core/contract/methods/imports.ts';
import { DEFAULT_LIMITS, type ImportDeps, type ImportLimits } from '../core/knowledge/import/importer.ts';
import { createWorkerPool } from '../core/base/thread-pool/pool.ts';
import type {
  FileTaskInput,
  FileTaskOutput,
  FileTaskProgress,
} from '../core/knowledge/import/file-task-types.ts';
import { ingestPoolService } from '../core/knowledge/import/ingest-pool.ts';
import { manyPagePdf, pageSentence, pageWord } from './support/big-pdf.ts';
import { openTestEngine, type TestEngine } from './support/engine.ts';
import { importWithPool } from './support/import-with-pool.ts';
import { STALL_AFTER_PAGE, STALL_PAGES_TOTAL } from './support/stalling-file-task.ts';
import { writeFile } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

const PAGES = 5_000;

/**
 * Imports `paths` into the collection "Handbook" under `limits` (import.run takes none), after the
 * collection was created and the ingest workers started by a one-line file, so a short limit is
 * not spent starting them.
 */
async function importWithLimits(
  t: TestEngine,
  paths: string[],
  limits: ImportLimits,
  pool: ImportDeps['pool'] = t.engine.services.get(ingestPoolService),
) {
  const warm = writeFile(tempDir(), 'warm.txt', 'Stay permits are renewed at the immigration office.');
  await t.client.call('import.run', { collection: 'Handbook', create: true, paths: [warm] });
  return importWithPool(t, 'Handbook', pool, paths, limits);
}

describe('importing a large PDF', () => {
  it('reads a 5,000-page PDF far past the time-out while its pages keep coming, with page progress and page-exact citations', async () => {
    const file = writeFile(tempDir(), 'handbook.pdf', manyPagePdf(PAGES));
    const t = await openTestEngine();
    // Reading takes several seconds here (6–20 s on two loaded cores); 3 s without a page read is
    // a stall, which a steadily read document never comes near. A fixed 3 s wall stopped it.
    const { summary, events } = await importWithLimits(t, [file], { ...DEFAULT_LIMITS, timeoutMs: 3_000 });

    expect(summary.failed).toEqual([]);
    expect(summary).toMatchObject({ status: 'done', imported: 1 });
    const [doc] = (await t.client.call('documents.list', { collection: 'Handbook', limit: 10 })).items.filter(
      (d) => d.sourcePath === file,
    );
    expect(doc).toMatchObject({ status: 'indexed', fileType: 'pdf', pageCount: PAGES });
    expect(doc!.chunkCount).toBeGreaterThanOrEqual(PAGES);

    // Progress reported pages while the file was being read, in order, out of the right total.
    const progress = events.filter((e) => e.type === 'progress');
    const pages = progress.flatMap((e) => e.pages ?? []);
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.every((p) => p.path === file && p.total === PAGES)).toBe(true);
    expect(pages.some((p) => p.done > 0 && p.done < PAGES)).toBe(true);
    const done = pages.map((p) => p.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // While the file was read the bar moved by its pages, not only when it was done.
    expect(progress.some((e) => filesProgress(e) > 0 && filesProgress(e) < 1)).toBe(true);
    // Once the file settled it is no longer "being read".
    expect(progress.at(-1)).toMatchObject({ filesDone: 1, filesTotal: 1 });
    expect(progress.at(-1)!.pages).toBeUndefined();

    // A sentence from page 4,321 is found there, and cited with that page.
    const query = `permit office of ${pageWord(4321)} stamps the sponsor letter`;
    const hits = await t.client.call('search', { query, collections: ['Handbook'], k: 3 });
    expect(hits.items[0]).toMatchObject({ sourcePath: file, page: 4321 });
    expect(hits.items[0]!.text).toContain(pageSentence(4321));
    const answer = await t.client.call('ask', { question: query, collections: ['Handbook'], k: 3 });
    expect(answer.citations[0]).toMatchObject({ sourcePath: file, page: 4321 });
    expect(path.basename(answer.citations[0]!.sourcePath)).toBe('handbook.pdf');
  }, 240_000); // tens of seconds on two loaded cores

  it('still stops a file whose reading stalls, saying how far it got, and leaves no half document', async () => {
    const file = writeFile(tempDir(), 'stuck.pdf', manyPagePdf(10));
    const t = await openTestEngine();
    // A real worker pool running a reader that reads three pages, then hangs.
    const pool = createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
      entry: new URL('./support/stalling-file-task.ts', import.meta.url),
      size: 1,
    });
    try {
      await pool.run({ path: 'warm' } as FileTaskInput); // started, so the limit is not spent starting it
      const limits = { ...DEFAULT_LIMITS, timeoutMs: 1_000 };
      const { summary, events } = await importWithLimits(t, [file], limits, pool);
      expect(summary).toMatchObject({ status: 'done', imported: 0 });
      expect(summary.failed).toEqual([
        {
          path: file,
          reason: 'timeout',
          message: `stuck.pdf: reading made no progress for 1 s and was stopped; it got to page ${STALL_AFTER_PAGE} of ${STALL_PAGES_TOTAL}. The file may be damaged: open it and save a new copy, then import that.`,
        },
      ]);
      expect(events).toContainEqual(expect.objectContaining({ type: 'file', path: file, outcome: 'failed' }));
      // Marked failed, with no chunks: nothing of it is searchable as if it were imported.
      const [doc] = await t.engine.db.query<{ id: number; status: string }>(
        'SELECT id, status FROM documents WHERE source_path = $1',
        [file],
      );
      expect(doc!.status).toBe('failed');
      expect(t.engine.vectors.documentChunks(Number(doc!.id))).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
