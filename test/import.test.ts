import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportEvent } from '../core/contract/methods/imports.ts';
import type { Engine } from '../core/engine/engine.ts';
import { openTestEngine } from './support/engine.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

const write = writeFile;
const VISA_MD = VISA_GUIDE_MD;

const PAJAK_TXT = `Pajak penghasilan untuk warga negara asing yang tinggal lebih dari 183 hari dihitung sebagai wajib pajak dalam negeri.
NPWP wajib dimiliki sebelum melapor SPT tahunan.`;

const COMPANY_HTML = `<!doctype html><html><head><title>PT PMA set-up</title></head><body>
<nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<main><h1>Setting up a PT PMA</h1><p>A foreign-owned company (PT PMA) needs a business identification number (NIB) through OSS.</p>
<h2>Capital</h2><p>The minimum paid-up capital is set by the investment regulation.</p></main>
<footer>Copyright 2026</footer></body></html>`;

/** Checks the two stores agree: every indexed document has exactly its chunks, nothing else exists. */
async function expectConsistent(engine: Engine, collectionId: number): Promise<void> {
  const docs = await engine.db.query<{ id: number; status: string; chunk_count: number }>(
    'SELECT id, status, chunk_count FROM documents WHERE collection_id = $1',
    [collectionId],
  );
  const indexed = docs.filter((d) => d.status === 'indexed');
  for (const d of indexed) expect(engine.vectors.documentChunks(Number(d.id))).toHaveLength(d.chunk_count);
  const withChunks = engine.vectors.documentIds(collectionId).sort((a, b) => a - b);
  expect(withChunks).toEqual(
    indexed
      .filter((d) => d.chunk_count > 0)
      .map((d) => Number(d.id))
      .sort((a, b) => a - b),
  );
  expect(engine.vectors.countChunks(collectionId)).toBe(indexed.reduce((n, d) => n + d.chunk_count, 0));
}

describe('import', () => {
  it('imports a folder recursively, skipping hidden, system and unsupported files, with progress events', async () => {
    const root = tempDir();
    write(root, 'visa/guide.md', VISA_MD);
    write(root, 'tax/pajak.txt', PAJAK_TXT);
    write(root, 'company/pt-pma.html', COMPANY_HTML);
    write(root, '.secret/notes.md', '# hidden');
    write(root, '.DS_Store', 'x');
    write(root, 'Thumbs.db', 'x');
    write(root, 'clip.gif', Buffer.from('GIF89a\0\0\0\0', 'latin1'));
    fs.symlinkSync(root, path.join(root, 'visa', 'loop')); // a symlink loop back to the root

    const { engine, client } = await openTestEngine();
    const events: ImportEvent[] = [];
    const s = await client.call(
      'import.run',
      { collection: 'Knowledge', create: true, paths: [root], tags: ['2026'] },
      { onEvent: (e) => events.push(e) },
    );
    expect(s).toMatchObject({
      status: 'done',
      filesTotal: 3,
      imported: 3,
      updated: 0,
      unchanged: 0,
      failed: [],
    });
    expect(s.ignored.byReason).toMatchObject({ hidden: 2, system: 1, unsupported: 1 });
    expect(s.chunks).toBeGreaterThanOrEqual(3);
    expect(events[0]).toMatchObject({ type: 'scanned', filesTotal: 3 });
    expect(events.filter((e) => e.type === 'file').map((e) => (e as { outcome: string }).outcome)).toEqual([
      'imported',
      'imported',
      'imported',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'progress', filesDone: 3, filesTotal: 3 });

    const list = await client.call('documents.list', { collection: 'knowledge' });
    expect(list.items.map((d) => [path.relative(root, d.sourcePath), d.fileType, d.status])).toEqual([
      ['company/pt-pma.html', 'html', 'indexed'],
      ['tax/pajak.txt', 'text', 'indexed'],
      ['visa/guide.md', 'markdown', 'indexed'],
    ]);
    expect(list.items.every((d) => d.tags.join() === '2026')).toBe(true);

    const md = list.items.find((d) => d.sourcePath.endsWith('guide.md'))!;
    const chunks = await client.call('documents.chunks', { id: md.id });
    expect(
      chunks.items.some(
        (c) => c.headingPath.join('/') === 'Visa guide/KITAS' && c.text.includes('limited stay permit'),
      ),
    ).toBe(true);
    const html = list.items.find((d) => d.sourcePath.endsWith('.html'))!;
    const htmlText = (await client.call('documents.chunks', { id: html.id })).items
      .map((c) => c.text)
      .join('\n');
    expect(htmlText).toContain('PT PMA');
    expect(htmlText).not.toContain('About us');
    expect(htmlText).not.toContain('Copyright');

    const shown = await client.call('documents.get', { id: md.id });
    expect(shown.steps.map((st) => `${st.step}:${st.status}`)).toEqual([
      'extract:done',
      'chunk:done',
      'embed:done',
      'index:done',
    ]);
    await expectConsistent(engine, s.collection.id);
  });

  it('re-import skips unchanged files, replaces changed ones, drops duplicates and removes vanished files on request', async () => {
    const root = tempDir();
    const guide = write(root, 'guide.md', VISA_MD);
    const pajak = write(root, 'pajak.txt', PAJAK_TXT);
    const { engine, client } = await openTestEngine();
    const first = await client.call('import.run', { collection: 'K', create: true, paths: [root] });
    expect(first.imported).toBe(2);
    const before = await client.call('documents.list', { collection: 'K' });
    const guideDoc = before.items.find((d) => d.sourcePath === guide)!;
    const oldChunkIds = (await client.call('documents.chunks', { id: guideDoc.id })).items.map((c) => c.id);

    const again = await client.call('import.run', { collection: 'K', paths: [root] });
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 2, chunks: 0 });

    fs.writeFileSync(
      guide,
      `${VISA_MD}\n## Visa on arrival\n\nA visa on arrival is valid for 30 days and can be extended once.\n`,
    );
    write(root, 'copy-of-pajak.txt', PAJAK_TXT);
    const changed = await client.call('import.run', { collection: 'K', paths: [root] });
    expect(changed).toMatchObject({ imported: 0, updated: 1, unchanged: 1, duplicates: 1 });
    const newChunks = (await client.call('documents.chunks', { id: guideDoc.id })).items;
    expect(newChunks.some((c) => c.text.includes('visa on arrival'))).toBe(true);
    expect(newChunks.some((c) => oldChunkIds.includes(c.id))).toBe(false);

    fs.rmSync(pajak);
    const removed = await client.call('import.run', { collection: 'K', paths: [root], removeMissing: true });
    expect(removed.removed).toBe(1);
    const after = await client.call('documents.list', { collection: 'K' });
    expect(after.items.map((d) => d.sourcePath)).toEqual([guide]);
    await expectConsistent(engine, first.collection.id);
  });

  it('reports bad files one by one and never loses what was already imported', async () => {
    const root = tempDir();
    const guide = write(root, 'guide.md', VISA_MD);
    write(root, 'binary.txt', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    write(root, 'empty.txt', '');
    write(root, 'broken.pdf', '%PDF-1.7\nthis is not really a pdf');
    write(root, 'fake.docx', 'plain text pretending to be a docx');
    write(
      root,
      'naïve café — 日本 😀.md',
      '# Odd name\n\nA file whose name has spaces, accents, CJK and an emoji.',
    );
    const { engine, client } = await openTestEngine();
    const s = await client.call('import.run', {
      collection: 'K',
      create: true,
      paths: [root, path.join(root, 'no-such-file.md')],
    });
    expect(s.imported).toBe(2);
    const reasons = Object.fromEntries(s.failed.map((f) => [path.basename(f.path), f.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      'binary.txt',
      'broken.pdf',
      'empty.txt',
      'fake.docx',
      'no-such-file.md',
    ]);
    expect(reasons['no-such-file.md']).toBe('missing');
    for (const f of s.failed) expect(f.message.length).toBeGreaterThan(10);

    const failedDocs = await client.call('documents.list', { collection: 'K', status: 'failed' });
    expect(failedDocs.total).toBe(4);
    expect(failedDocs.items.every((d) => d.error && d.chunkCount === 0)).toBe(true);

    // A good document that turns bad keeps serving its last good version.
    const good = (await client.call('documents.list', { collection: 'K', status: 'indexed' })).items.find(
      (d) => d.sourcePath === guide,
    )!;
    fs.writeFileSync(guide, Buffer.alloc(2048, 0));
    const again = await client.call('import.run', { collection: 'K', paths: [guide] });
    expect(again.failed).toHaveLength(1);
    const kept = await client.call('documents.get', { id: good.id });
    expect(kept).toMatchObject({ status: 'indexed', chunkCount: good.chunkCount });
    expect(kept.error).toMatch(/^re-import failed/);
    expect((await client.call('documents.chunks', { id: good.id })).total).toBe(good.chunkCount);
    await expectConsistent(engine, s.collection.id);
  });

  it('applies include/exclude globs relative to each folder', async () => {
    const root = tempDir();
    write(root, 'a/keep.md', '# Keep\n\nkept text');
    write(root, 'a/drafts/skip.md', '# Skip\n\ndraft');
    write(root, 'b/notes.txt', 'notes text');
    const { client } = await openTestEngine();
    const s = await client.call('import.run', {
      collection: 'K',
      create: true,
      paths: [root],
      include: ['**/*.md'],
      exclude: ['**/drafts/**'],
    });
    expect(s.imported).toBe(1);
    expect(s.ignored.byReason).toMatchObject({ 'not-included': 1, excluded: 1 });
  });

  it('deletes documents and collections from both stores', async () => {
    const root = tempDir();
    write(root, 'guide.md', VISA_MD);
    write(root, 'pajak.txt', PAJAK_TXT);
    const { engine, client } = await openTestEngine();
    const s = await client.call('import.run', { collection: 'K', create: true, paths: [root] });
    const docs = await client.call('documents.list', { collection: 'K' });
    const del = await client.call('documents.delete', { id: docs.items[0]!.id });
    expect(del.chunks).toBe(docs.items[0]!.chunkCount);
    await expectConsistent(engine, s.collection.id);
    const gone = await client.call('collections.delete', { collection: 'K' });
    expect(gone.documents).toBe(1);
    expect(engine.vectors.countChunks()).toBe(0);
    expect(await engine.db.query('SELECT 1 FROM documents')).toHaveLength(0);
    expect(await engine.db.query('SELECT 1 FROM import_jobs')).toHaveLength(0);
  });

  it('stops cleanly when cancelled and finishes the job later with resume', async () => {
    const root = tempDir();
    for (let i = 0; i < 40; i++)
      write(root, `note-${String(i).padStart(2, '0')}.md`, `# Note ${i}\n\n${PAJAK_TXT}\n\nnumber ${i}`);
    const { engine, client, dispatcher } = await openTestEngine();
    const ctrl = new AbortController();
    let files = 0;
    const res = await dispatcher.call(
      'import.run',
      { collection: 'K', create: true, paths: [root] },
      {
        signal: ctrl.signal,
        onEvent: (e) => {
          if ((e as ImportEvent).type === 'file' && ++files === 5) ctrl.abort();
        },
      },
    );
    expect(res).toMatchObject({ ok: true, result: { status: 'cancelled' } });
    const jobs = await client.call('jobs.list', {});
    expect(jobs[0]).toMatchObject({ status: 'cancelled' });
    const collection = await client.call('collections.get', { collection: 'K' });
    await expectConsistent(engine, collection.id);

    const done = await client.call('import.run', { collection: 'K', paths: [root] });
    expect(done.imported + done.unchanged).toBe(40);
    expect(done.unchanged).toBeGreaterThanOrEqual(4);
    expect((await client.call('documents.list', { collection: 'K', limit: 1000 })).total).toBe(40);
    await expectConsistent(engine, collection.id);
  });
});

describe('import --watch', () => {
  it('keeps a collection in sync with a folder until cancelled', async () => {
    const root = tempDir();
    write(root, 'guide.md', VISA_MD);
    const { dispatcher, client } = await openTestEngine();
    const ctrl = new AbortController();
    const waiters: { pass: number; resolve: () => void }[] = [];
    const files: string[] = [];
    const running = dispatcher.call(
      'import.watch',
      { collection: 'W', create: true, paths: [root] },
      {
        signal: ctrl.signal,
        onEvent: (raw) => {
          const e = raw as ImportEvent;
          if (e.type === 'file' && e.outcome !== 'unchanged')
            files.push(`${e.outcome} ${path.basename(e.path)}`);
          if (e.type === 'synced') waiters.filter((w) => w.pass === e.pass).forEach((w) => w.resolve());
          if (e.type === 'watching') waiters.filter((w) => w.pass === 0).forEach((w) => w.resolve());
        },
      },
    );
    const reach = (pass: number) => new Promise<void>((resolve) => waiters.push({ pass, resolve }));

    await reach(0);
    write(root, 'sub/pajak.txt', PAJAK_TXT);
    await reach(2);
    fs.rmSync(path.join(root, 'guide.md'));
    await reach(3);
    ctrl.abort();
    const res = await running;
    expect(res).toMatchObject({ ok: true, result: { passes: 3 } });
    expect(files).toEqual(['imported guide.md', 'imported pajak.txt', 'removed guide.md']);
    const docs = await client.call('documents.list', { collection: 'W' });
    expect(docs.items.map((d) => path.basename(d.sourcePath))).toEqual(['pajak.txt']);
  });
});
