// What OCR leaves unread, through the whole import. Turning OCR on for a collection reads what it
// left unread while it was off: a mixed PDF imported with OCR off keeps its text page and notes its
// scanned page as unread (metadata.ocrUnread); the next import with OCR on reads the file again
// although it has not changed. And a photo found in a folder (no text: OCR reads it with a
// confidence of some 25) is ignored, not indexed as gibberish nor failed, while the scan beside
// it is indexed. Uses the scan fixtures of scripts/make-scan-fixtures.sh.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { grayPng, photoLike } from './support/raw-pictures.ts';

const SCANS = path.resolve(import.meta.dirname, '../.fixtures/scans');
const MIXED = path.join(SCANS, 'mixed-en.pdf');
const SCAN_PNG = path.join(SCANS, 'en-300-p1.png');
const present = fs.existsSync(MIXED) && fs.existsSync(SCAN_PNG);

const ci = !!process.env.CI && process.env.CI !== 'false';

describe.skipIf(!present && !ci)('OCR turned on again reads what it left unread', () => {
  if (!present && ci) throw new Error(`CI: scan fixtures missing under ${SCANS}`);
  let root: string;
  let engine: Engine | null = null;
  let client: ApiClient;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-ocr-reread-'));
    engine = await openEngine({ dataDir: root });
    const dispatcher = createDispatcher(engine);
    client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
    await client.call('collections.create', { name: 'S' });
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const onlyDocument = async () => (await client.call('documents.list', { collection: 'S' })).items[0]!;

  it('a mixed PDF imported with OCR off is read again, with OCR, once OCR is on', async () => {
    await client.call('collections.setOcr', { collection: 'S', ocr: false });
    const off = await client.call('import.run', { collection: 'S', paths: [MIXED] });
    expect(off).toMatchObject({ status: 'done', imported: 1, failed: [] });
    let doc = await onlyDocument();
    expect(doc.status).toBe('indexed');
    expect(doc.ocr ?? null).toBeNull();
    expect(doc.warnings).toEqual(['1 page has no text (scanned?); OCR is off for this collection']);

    // Still off: nothing has changed, nothing is read.
    const again = await client.call('import.run', { collection: 'S', paths: [MIXED] });
    expect(again).toMatchObject({ imported: 0, unchanged: 1 });

    await client.call('collections.setOcr', { collection: 'S', ocr: true });
    const on = await client.call('import.run', { collection: 'S', paths: [MIXED] });
    expect(on).toMatchObject({ status: 'done', failed: [], unchanged: 0 });
    doc = await onlyDocument();
    expect(doc.ocr).toMatchObject({ pages: [2] });
    expect(doc.warnings).toEqual([]);

    // Read: the next import finds it unchanged.
    const settled = await client.call('import.run', { collection: 'S', paths: [MIXED] });
    expect(settled).toMatchObject({ imported: 0, unchanged: 1 });
  }, 600_000);

  it('a photo found in a folder is ignored, the scan beside it indexed; named outright it fails saying why', async () => {
    await client.call('collections.create', { name: 'Folder' });
    const folder = path.join(root, 'letters');
    fs.mkdirSync(folder);
    fs.copyFileSync(SCAN_PNG, path.join(folder, 'letter.png'));
    const photo = path.join(folder, 'board.png');
    fs.writeFileSync(photo, photoLike());
    const first = await client.call('import.run', { collection: 'Folder', paths: [folder] });
    expect(first).toMatchObject({ status: 'done', imported: 1, failed: [] });
    expect(first.ignored.byReason).toEqual({ 'no-readable-text': 1 });
    const list = await client.call('documents.list', { collection: 'Folder' });
    const indexed = list.items.filter((d) => d.status === 'indexed').map((d) => path.basename(d.sourcePath));
    expect(indexed).toEqual(['letter.png']);

    // Unchanged, it is passed over again (not read, not failed).
    const second = await client.call('import.run', { collection: 'Folder', paths: [folder] });
    expect(second).toMatchObject({ imported: 0, unchanged: 1, failed: [] });
    expect(second.ignored.byReason).toEqual({ 'no-readable-text': 1 });

    // Named outright, it fails with the reason.
    const named = await client.call('import.run', { collection: 'Folder', paths: [photo] });
    expect(named.failed).toEqual([
      {
        path: photo,
        reason: 'no_readable_text',
        message: expect.stringMatching(
          /^board\.png has no readable text: OCR read it with a confidence of \d+% \(text below 40% is not kept/,
        ) as unknown as string,
      },
    ]);
  }, 600_000);

  it("a message's pictures follow the same rule: a logo, or any picture with OCR off, is listed as not imported", async () => {
    await client.call('collections.create', { name: 'Mail' });
    await client.call('collections.setOcr', { collection: 'Mail', ocr: false });
    const part = (name: string, bytes: Buffer) =>
      [
        '--b1',
        `Content-Type: image/png; name="${name}"`,
        `Content-Disposition: attachment; filename="${name}"`,
        'Content-Transfer-Encoding: base64',
        '',
        bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
      ].join('\r\n');
    const eml = path.join(root, 'letter.eml');
    fs.writeFileSync(
      eml,
      [
        'From: Ani <ani@example.id>',
        'To: Budi <budi@example.id>',
        'Subject: Scanned permit',
        'Date: Mon, 2 Nov 2026 09:00:00 +0700',
        'Message-ID: <permit-1@example.id>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The scanned permit is attached, with our logo.',
        part('logo.png', grayPng(48, 24)),
        part('permit.png', fs.readFileSync(SCAN_PNG)),
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const off = await client.call('import.run', { collection: 'Mail', paths: [eml] });
    expect(off).toMatchObject({ status: 'done', imported: 1, failed: [] });
    const message = (await client.call('documents.list', { collection: 'Mail' })).items.find(
      (d) => d.sourcePath === eml,
    )!;
    expect(message.email?.notImported).toEqual([
      { name: 'logo.png', why: 'a picture, and OCR is off for this collection' },
      { name: 'permit.png', why: 'a picture, and OCR is off for this collection' },
    ]);

    // With OCR on, the logo is still passed over (the permit is read: it is the scan).
    await client.call('collections.create', { name: 'Mail on' });
    const on = await client.call('import.run', { collection: 'Mail on', paths: [eml] });
    expect(on).toMatchObject({ status: 'done', imported: 2, failed: [] });
    const onMessage = (await client.call('documents.list', { collection: 'Mail on' })).items.find(
      (d) => d.sourcePath === eml,
    )!;
    expect(onMessage.email?.notImported).toEqual([
      { name: 'logo.png', why: 'a 48 × 24 picture, too small to hold text' },
    ]);
  }, 600_000);

  it('pictures a folder import passes over are counted as ignored: all with OCR off, icons with OCR on', async () => {
    const folder = path.join(root, 'notes');
    fs.mkdirSync(folder);
    fs.writeFileSync(
      path.join(folder, 'note.md'),
      '# KITAS\n\nThe sponsor applies first, then the permit is issued.\n',
    );
    fs.writeFileSync(path.join(folder, 'bullet.png'), grayPng(48, 24));
    await client.call('collections.create', { name: 'Off' });
    await client.call('collections.setOcr', { collection: 'Off', ocr: false });
    const withScan = path.join(root, 'notes-and-scan');
    fs.cpSync(folder, withScan, { recursive: true });
    fs.copyFileSync(SCAN_PNG, path.join(withScan, 'letter.png'));
    const off = await client.call('import.run', { collection: 'Off', paths: [withScan] });
    expect(off).toMatchObject({ status: 'done', imported: 1, failed: [] });
    expect(off.ignored).toMatchObject({ total: 2, byReason: { 'ocr-off': 2 } });

    await client.call('collections.create', { name: 'On' });
    const on = await client.call('import.run', { collection: 'On', paths: [folder] });
    expect(on).toMatchObject({ status: 'done', imported: 1, failed: [] });
    expect(on.ignored).toMatchObject({ total: 1, byReason: { 'tiny-picture': 1 } });
  }, 600_000);
});
