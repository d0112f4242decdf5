// Scans through the whole pipeline (worker threads, chunking, embedding, both stores, search, ask,
// the CLI): image-only PDFs and pictures made by scripts/make-scan-fixtures.sh from Debian
// handbook pages (fetch-real-docs.sh --scans). OCR pages are recorded on the document, searches
// and citations from them say "OCR", progress names the page being recognised, and a collection
// with OCR turned off reads no pictures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import type { DocumentInfo } from '../core/contract/methods/documents.ts';
import type { ImportEvent } from '../core/contract/methods/imports.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { extractFile } from '../core/knowledge/import/extract.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { runCliCaptured } from './support/cli.ts';

const SCANS = path.resolve(import.meta.dirname, '../.fixtures/scans');
const FILES = ['src/en.pdf', 'en-300.pdf', 'id-150-p2.png', 'id-300.tif', 'en-150.pdf', 'en-300-p1.png'];
const present = FILES.every((f) => fs.existsSync(path.join(SCANS, f)));
const ci = !!process.env.CI && process.env.CI !== 'false';

describe.skipIf(!present && !ci)('scans imported into a collection (OCR)', () => {
  if (!present && ci)
    throw new Error(`CI: scan fixtures missing under ${SCANS}; run scripts/fetch-real-docs.sh --scans first`);

  let root: string;
  let engine: Engine | null = null;
  let client: ApiClient;
  const events: ImportEvent[] = [];
  let docs: Map<string, DocumentInfo>;

  const scan = (f: string) => path.join(SCANS, f);
  /** A sentence of the printout's page 2: the scan of that page must be found by it. */
  let sentence: string;

  beforeAll(async () => {
    const printout = await extractFile(scan('src/en.pdf'));
    const page2 = printout.sections.find((s) => s.page === 2)!.text.replace(/\s+/g, ' ');
    sentence = page2.match(/[A-Z][^.]{60,160}\./)![0];

    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-ocr-'));
    engine = await openEngine({ dataDir: root });
    const dispatcher = createDispatcher(engine);
    client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
    const created = await client.call('collections.create', { name: 'Scans' });
    expect(created.ocr).toBe(true);
    const summary = await client.call(
      'import.run',
      { collection: 'Scans', paths: ['en-300.pdf', 'id-150-p2.png', 'id-300.tif'].map(scan) },
      { onEvent: (e) => events.push(e as ImportEvent) },
    );
    expect(summary).toMatchObject({ status: 'done', imported: 3, failed: [] });
    const list = await client.call('documents.list', { collection: 'Scans' });
    docs = new Map(list.items.map((d) => [path.basename(d.sourcePath), d]));
  }, 300_000);

  afterAll(async () => {
    await engine?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('documents record their OCR pages and confidence; pictures are of type image', () => {
    expect(docs.get('en-300.pdf')).toMatchObject({
      status: 'indexed',
      fileType: 'pdf',
      pageCount: 2,
      ocr: { pages: [1, 2], lowConfidencePages: [] },
      warnings: [],
    });
    expect(docs.get('en-300.pdf')!.ocr!.confidence).toBeGreaterThan(80);
    expect(docs.get('id-150-p2.png')).toMatchObject({
      fileType: 'image',
      mime: 'image/png',
      pageCount: 1,
      ocr: { pages: [1] },
    });
    expect(docs.get('id-300.tif')).toMatchObject({
      mime: 'image/tiff',
      pageCount: 2,
      ocr: { pages: [1, 2] },
    });
  });

  it('progress named the page being recognised ("OCR page 2 of 2")', () => {
    const ocrPages = events.flatMap((e) =>
      e.type === 'progress' ? (e.pages ?? []).filter((p) => p.ocrPage !== undefined) : [],
    );
    expect(ocrPages.length).toBeGreaterThan(0);
    for (const p of ocrPages) {
      expect(p.ocrPage).toBe(p.done + 1);
      expect(p.ocrPage).toBeLessThanOrEqual(p.total);
    }
  });

  it('a search for a sentence of a scanned page finds that page, marked OCR; filters by type image', async () => {
    for (const mode of ['hybrid', 'keyword'] as const) {
      const { items } = await client.call('search', { query: sentence, collections: ['Scans'], mode });
      expect(items[0], mode).toMatchObject({ documentId: docs.get('en-300.pdf')!.id, page: 2, ocr: true });
    }
    const images = await client.call('search', {
      query: 'administrator',
      collections: ['Scans'],
      types: ['image'],
    });
    expect(images.items.length).toBeGreaterThan(0);
    expect(new Set(images.items.map((i) => path.basename(i.sourcePath)))).toEqual(
      new Set(['id-150-p2.png', 'id-300.tif']),
    );
  });

  it('an answer citing a scanned page marks the citation OCR', async () => {
    const answer = await client.call('ask', { question: sentence, collections: ['Scans'] });
    expect(answer.citations.length).toBeGreaterThan(0);
    const cited = answer.citations.find((c) => c.documentId === docs.get('en-300.pdf')!.id);
    expect(cited).toMatchObject({ page: 2, ocr: true });
  }, 120_000);

  it('a collection archive carries the OCR pages and the OCR switch to the other side', async () => {
    await client.call('collections.setOcr', { collection: 'Scans', ocr: false });
    const out = path.join(root, 'scans.pustaka-collection');
    await client.call('collections.export', { collection: 'Scans', out });
    const moved = await client.call('collections.importArchive', { path: out, as: 'Scans moved' });
    const copy = await client.call('collections.get', { collection: moved.collection.id });
    expect(copy.ocr).toBe(false);
    const list = await client.call('documents.list', { collection: copy.id });
    const pdf = list.items.find((d) => path.basename(d.sourcePath) === 'en-300.pdf')!;
    expect(pdf.ocr).toEqual(docs.get('en-300.pdf')!.ocr);
    const { items } = await client.call('search', {
      query: sentence,
      collections: [copy.id],
      mode: 'keyword',
    });
    expect(items[0]).toMatchObject({ documentId: pdf.id, page: 2, ocr: true });
    await client.call('collections.setOcr', { collection: 'Scans', ocr: true });
  }, 120_000);

  it('with OCR off, pictures fail saying so and scans stay unread; turned on again, they are read', async () => {
    const off = await client.call('collections.setOcr', { collection: 'Scans', ocr: false });
    expect(off.ocr).toBe(false);
    const summary = await client.call('import.run', {
      collection: 'Scans',
      paths: [scan('en-150.pdf'), scan('en-300-p1.png')],
    });
    const failed = summary.failed.map((f) => [path.basename(f.path), f.message]).sort();
    expect(failed).toEqual([
      [
        'en-150.pdf',
        'en-150.pdf contains no text (2 pages have no text (scanned?); OCR is off for this collection)',
      ],
      [
        'en-300-p1.png',
        "en-300-p1.png is a picture, and OCR is off for this collection: turn OCR on in the collection's settings to read the text in it",
      ],
    ]);
    expect((await client.call('collections.setOcr', { collection: 'Scans', ocr: true })).ocr).toBe(true);
    const again = await client.call('import.run', { collection: 'Scans', paths: [scan('en-300-p1.png')] });
    expect(again).toMatchObject({ imported: 1, failed: [] });
  }, 300_000);

  it('the CLI: collections ocr on/off, OCR beside search results and in the document', async () => {
    await engine!.close();
    engine = null;
    const cli = (...args: string[]) => runCliCaptured(['--data-dir', root, ...args]);
    const off = await cli('collections', 'ocr', 'Scans', 'off');
    expect(off).toMatchObject({ code: 0 });
    expect(off.stdout).toContain('OCR is off for "Scans"');
    expect((await cli('collections', 'show', 'Scans')).stdout).toContain('OCR off');
    expect((await cli('collections', 'ocr', 'Scans', 'maybe')).stderr).toContain(
      'say "on" or "off", not "maybe"',
    );
    expect((await cli('collections', 'ocr', 'Scans', 'on')).stdout).toContain('OCR is on for "Scans"');
    expect(await cli('collections', 'create', 'Typed only', '--no-ocr')).toMatchObject({ code: 0 });
    expect((await cli('collections', 'show', 'Typed only')).stdout).toContain('OCR off');
    expect(await cli('collections', 'create', 'Default')).toMatchObject({ code: 0 });
    expect((await cli('collections', 'show', 'Default')).stdout).toContain('OCR on');
    const found = await cli('search', sentence, '--collection', 'Scans', '--mode', 'keyword');
    expect(found.stdout.split('\n')[0]).toMatch(/p\. 2 \(OCR\)$/);
    const id = String(docs.get('en-300.pdf')!.id);
    expect((await cli('documents', 'show', id)).stdout).toMatch(/OCR +pages 1, 2 \(confidence \d+\)/);
  }, 120_000);
});
