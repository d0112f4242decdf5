// What OCR cannot read under the same settings is not tried again on every import: an unchanged
// file whose scanned page ran over its budget, or whose attached photo holds no readable text, is
// unchanged the next time (not re-read and re-recognised, seconds a page, import after import).
// And the time OCR takes inside a message does not eat the time of its other attachments: the
// pool gives the file a page's budget for each OCR page, and so does the message's own clock.
// Uses the scan fixtures of scripts/make-scan-fixtures.sh.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerPool, type WorkerPool } from '../core/base/thread-pool/pool.ts';
import type {
  FileTaskInput,
  FileTaskOutput,
  FileTaskProgress,
} from '../core/knowledge/import/file-task-types.ts';
import { DEFAULT_LIMITS } from '../core/knowledge/import/importer.ts';
import { openTestEngine, type TestEngine } from './support/engine.ts';
import { importWithPool } from './support/import-with-pool.ts';
import { checkInvariants } from './support/invariants.ts';
import { photoLike } from './support/raw-pictures.ts';
import { tempDir } from './support/temp-dir.ts';

const SCANS = path.resolve(import.meta.dirname, '../.fixtures/scans');
const MIXED = path.join(SCANS, 'mixed-en.pdf');
const PAGES = ['en-300-p1.png', 'en-300-p2.png', 'id-300-p1.png', 'id-300-p2.png'].map((f) =>
  path.join(SCANS, f),
);
const present = [MIXED, ...PAGES].every((f) => fs.existsSync(f));
const ci = !!process.env.CI && process.env.CI !== 'false';

/** An .eml with these pictures attached. */
function messageWith(dir: string, name: string, pictures: { name: string; bytes: Buffer }[]): string {
  const file = path.join(dir, name);
  const parts = pictures.map((p) =>
    [
      '--b1',
      `Content-Type: image/png; name="${p.name}"`,
      `Content-Disposition: attachment; filename="${p.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      p.bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
    ].join('\r\n'),
  );
  fs.writeFileSync(
    file,
    [
      'From: Ani <ani@example.id>',
      'To: Budi <budi@example.id>',
      `Subject: ${name}`,
      'Date: Mon, 2 Nov 2026 09:00:00 +0700',
      `Message-ID: <${name}@example.id>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The pictures are attached.',
      ...parts,
      '--b1--',
      '',
    ].join('\r\n'),
  );
  return file;
}

describe.skipIf(!present && !ci)(
  'OCR that cannot succeed is not repeated; OCR time is not charged to the rest',
  () => {
    if (!present && ci) throw new Error(`CI: scan fixtures missing under ${SCANS}`);
    let pool: WorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>;

    beforeAll(async () => {
      pool = createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
        entry: new URL('../core/knowledge/import/file-task.ts', import.meta.url),
        size: 1,
      });
    }, 120_000);

    afterAll(async () => {
      await pool?.close();
    });

    async function importInto(t: TestEngine, name: string, paths: string[], limits = DEFAULT_LIMITS) {
      const existing = (await t.client.call('collections.list', {})).find((c) => c.name === name);
      if (!existing) await t.client.call('collections.create', { name });
      return (await importWithPool(t, name, pool, paths, limits)).summary;
    }

    it('a scanned page over its budget leaves the unchanged file unchanged on the next import', async () => {
      const t = await openTestEngine();
      const tight = { ...DEFAULT_LIMITS, ocrPageBudgetMs: 1 };
      const first = await importInto(t, 'Budget', [MIXED], tight);
      expect(first).toMatchObject({ status: 'done', imported: 1, failed: [] });
      const [doc] = (await t.client.call('documents.list', { collection: 'Budget' })).items;
      expect(doc!.warnings).toContain('page 2: OCR took longer than 1 ms and was skipped');
      const second = await importInto(t, 'Budget', [MIXED], tight);
      expect(second).toMatchObject({ imported: 0, updated: 0, unchanged: 1 });
    }, 600_000);

    it('a photo attached to a message is not recognised again while the message is unchanged', async () => {
      const t = await openTestEngine();
      const eml = messageWith(tempDir(), 'holiday.eml', [{ name: 'beach.png', bytes: photoLike() }]);
      const first = await importInto(t, 'Photos', [eml]);
      expect(first).toMatchObject({ status: 'done', imported: 1 });
      const docs = (await t.client.call('documents.list', { collection: 'Photos' })).items;
      expect(docs.filter((d) => d.status === 'indexed').map((d) => d.sourcePath)).toEqual([eml]);
      for (let i = 0; i < 2; i++) {
        const again = await importInto(t, 'Photos', [eml]);
        expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 1 });
      }
    }, 600_000);

    it("a message's scanned attachments are each read, though together they take far longer than the file's limit", async () => {
      const t = await openTestEngine();
      const eml = messageWith(
        tempDir(),
        'permits.eml',
        PAGES.map((p) => ({ name: path.basename(p), bytes: fs.readFileSync(p) })),
      );
      // Five seconds for the file: each 300 dpi page takes seconds to recognise, four of them more.
      const short = { ...DEFAULT_LIMITS, timeoutMs: 5_000, msPerMb: 0 };
      const summary = await importInto(t, 'Permits', [eml], short);
      expect(summary.failed).toEqual([]);
      const docs = (await t.client.call('documents.list', { collection: 'Permits' })).items;
      expect(docs.filter((d) => d.status === 'indexed')).toHaveLength(5); // the message and 4 scans
      expect(docs.filter((d) => d.ocr).map((d) => d.ocr!.pages)).toEqual([[1], [1], [1], [1]]);
      expect(await checkInvariants(t.engine)).toEqual([]);
    }, 600_000);
  },
);
