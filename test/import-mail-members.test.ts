// The documents inside a mailbox (its messages, their attachments) across imports: a message in
// two mailboxes, a Message-ID twice in one mailbox, a reader that stops on an attachment, a
// mailbox cut short, the look-up of a message by its Message-ID. Mailboxes are written here, as
// mbox files are ("From " lines between RFC 5322 messages).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkerPool } from '../core/base/thread-pool/pool.ts';
import type { ImportEvent } from '../core/contract/methods/imports.ts';
import { getCollection } from '../core/knowledge/collections/collections.ts';
import { FIND_INDEXED_MESSAGE } from '../core/knowledge/documents/member-documents.ts';
import type {
  FileTaskInput,
  FileTaskOutput,
  FileTaskProgress,
} from '../core/knowledge/import/file-task-types.ts';
import { DEFAULT_LIMITS, runImport } from '../core/knowledge/import/importer.ts';
import { ATTACHMENT_CRASH_MARK } from './support/crashing-mail-task.ts';
import { openTestEngine, type TestEngine } from './support/engine.ts';
import { checkInvariants } from './support/invariants.ts';
import { tempDir } from './support/temp-dir.ts';

interface Mail {
  id: string;
  subject: string;
  body: string;
  attachments?: { name: string; text: string }[];
}

function message(m: Mail, n: number): string {
  const head = [
    `From: Sari Dewi <sari@konsultan-visa.co.id>`,
    `To: Budi Santoso <budi@konsultan-visa.co.id>`,
    `Subject: ${m.subject}`,
    `Date: Mon, ${String(1 + (n % 28)).padStart(2, '0')} Mar 2025 09:12:00 +0700`,
    `Message-ID: <${m.id}>`,
    'MIME-Version: 1.0',
  ];
  if (!m.attachments?.length)
    return [...head, 'Content-Type: text/plain; charset=utf-8', '', m.body, ''].join('\n');
  const parts = [
    ['Content-Type: text/plain; charset=utf-8', '', m.body].join('\n'),
    ...m.attachments.map((a) =>
      [
        'Content-Type: text/plain; charset=utf-8',
        `Content-Disposition: attachment; filename="${a.name}"`,
        '',
        a.text,
      ].join('\n'),
    ),
  ];
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="batas"',
    '',
    ...parts.map((p) => `--batas\n${p}`),
    '--batas--',
    '',
  ].join('\n');
}

function writeMbox(file: string, mails: Mail[]): void {
  const text = mails
    .map((m, i) => `From sari@konsultan-visa.co.id Mon Mar  3 09:12:00 2025\n${message(m, i)}\n`)
    .join('');
  fs.writeFileSync(file, text);
}

const mail = (id: string, words = ''): Mail => ({
  id: `${id}@konsultan-visa.co.id`,
  subject: `Perihal ${id}`,
  body: `Pesan ${id}. Dokumen visa ${words || id} sudah kami terima dan sedang diproses di kantor imigrasi.`,
});

async function messages(t: TestEngine, messageId: string) {
  return t.engine.db.query<{ source_path: string; status: string }>(
    `SELECT source_path, status FROM documents WHERE metadata->'email'->>'messageId' = $1 ORDER BY source_path`,
    [messageId],
  );
}

describe('a message in two mailboxes', () => {
  it('imported together, then the mailbox it was indexed from deleted: it is indexed from the other', async () => {
    const dir = tempDir();
    const shared = mail('sama-1');
    writeMbox(path.join(dir, 'a.mbox'), [mail('a-1'), shared, mail('a-2')]);
    writeMbox(path.join(dir, 'b.mbox'), [mail('b-1'), shared, mail('b-2')]);
    const t = await openTestEngine();
    const s = await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    expect(s).toMatchObject({ status: 'done', duplicates: 1, failed: [] });
    const [primary, ...others] = await messages(t, shared.id);
    expect(others).toEqual([]);
    const gone = primary!.source_path.split('#')[0]!;
    const kept = gone.endsWith('a.mbox') ? path.join(dir, 'b.mbox') : path.join(dir, 'a.mbox');

    fs.rmSync(gone);
    await t.client.call('import.run', { collection: 'Mail', paths: [dir], removeMissing: true });
    // The mailbox still holding the message is read again (at the latest by the next import).
    await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    expect(await messages(t, shared.id)).toEqual([
      { source_path: `${kept}#${shared.id}`, status: 'indexed' },
    ]);
    expect(await checkInvariants(t.engine)).toEqual([]);
  });

  it('keeps where else a message is when the message is read again', async () => {
    const dir = tempDir();
    const shared = mail('sama-2');
    writeMbox(path.join(dir, 'a.mbox'), [shared, mail('a-3')]);
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    writeMbox(path.join(dir, 'b.mbox'), [shared]);
    await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    // The message changes in a.mbox (same Message-ID): read again, it still knows about b.mbox.
    writeMbox(path.join(dir, 'a.mbox'), [{ ...shared, body: `${shared.body} Diperbarui.` }, mail('a-3')]);
    await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    fs.rmSync(path.join(dir, 'a.mbox'));
    await t.client.call('import.run', { collection: 'Mail', paths: [dir], removeMissing: true });
    await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    expect(await messages(t, shared.id)).toEqual([
      { source_path: `${path.join(dir, 'b.mbox')}#${shared.id}`, status: 'indexed' },
    ]);
  });
});

describe('the same Message-ID twice in one mailbox', () => {
  it('indexes the first copy and reports the second as a duplicate', async () => {
    const dir = tempDir();
    const first = mail('kembar-1');
    writeMbox(path.join(dir, 'inbox.mbox'), [
      mail('x-1'),
      first,
      mail('x-2'),
      { ...first, body: `${first.body} Salinan kedua.` },
    ]);
    const t = await openTestEngine();
    const events: ImportEvent[] = [];
    const s = await t.client.call(
      'import.run',
      { collection: 'Mail', create: true, paths: [dir] },
      { onEvent: (e) => events.push(e) },
    );
    expect(s).toMatchObject({ status: 'done', imported: 4, duplicates: 1, failed: [] });
    expect(await messages(t, first.id)).toEqual([
      { source_path: `${path.join(dir, 'inbox.mbox')}#${first.id}`, status: 'indexed' },
    ]);
    expect(events.filter((e) => e.type === 'file' && e.outcome === 'duplicate')).toHaveLength(1);
    expect(await checkInvariants(t.engine)).toEqual([]);
  });
});

describe('a reader that stops on an attachment', () => {
  it('reads the attachments after it when the file is read again, and keeps those before it', async () => {
    const dir = tempDir();
    const box = path.join(dir, 'inbox.mbox');
    const withFiles: Mail = {
      ...mail('lampiran-1'),
      attachments: [
        { name: 'satu.txt', text: 'Lampiran pertama: paspor dan foto.' },
        { name: `${ATTACHMENT_CRASH_MARK}.txt`, text: 'Lampiran kedua: surat sponsor.' },
        { name: 'tiga.txt', text: 'Lampiran ketiga: bukti pembayaran.' },
      ],
    };
    writeMbox(box, [mail('y-1'), withFiles, mail('y-2')]);
    const t = await openTestEngine();
    await t.client.call('collections.create', { name: 'Mail' });
    const pool = createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
      entry: new URL('./support/crashing-mail-task.ts', import.meta.url),
      size: 1,
    });
    try {
      const s = await importWith(t, pool, [box]);
      expect(s.failed).toEqual([
        expect.objectContaining({ path: expect.stringContaining(ATTACHMENT_CRASH_MARK), reason: 'crashed' }),
      ]);
      const rows = await t.engine.db.query<{ source_path: string; status: string }>(
        `SELECT source_path, status FROM documents WHERE source_path LIKE '%#attachment/%' ORDER BY source_path`,
      );
      const at = `${box}#${withFiles.id}#attachment/`;
      expect(rows).toEqual([
        { source_path: `${at}1-satu.txt`, status: 'indexed' },
        { source_path: `${at}2-${ATTACHMENT_CRASH_MARK}.txt`, status: 'failed' },
        { source_path: `${at}3-tiga.txt`, status: 'indexed' },
      ]);
      expect(await checkInvariants(t.engine)).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});

describe('a mailbox cut short', () => {
  it('keeps the messages it no longer shows, with a warning', async () => {
    const dir = tempDir();
    const box = path.join(dir, 'inbox.mbox');
    writeMbox(
      box,
      Array.from({ length: 6 }, (_, i) => mail(`z-${i}`)),
    );
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    // Cut in the middle of the third message (a copy that stopped half-way).
    const text = fs.readFileSync(box, 'utf8');
    const third = text.indexOf('From sari', text.indexOf('z-1@') + 1);
    fs.writeFileSync(box, text.slice(0, third + 200));
    const s = await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    expect(s.removed).toBe(0);
    expect(s.warnings).toEqual([{ path: box, message: expect.stringContaining('were kept') }]);
    const [{ n }] = (await t.engine.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM documents WHERE source_path = ANY($1::text[]) AND status = 'indexed'`,
      [Array.from({ length: 6 }, (_, i) => `${box}#z-${i}@konsultan-visa.co.id`)],
    )) as [{ n: number }];
    expect(n).toBe(6);
    const [doc] = await t.engine.db.query<{ warnings: unknown }>(
      `SELECT metadata->'warnings' AS warnings FROM documents WHERE source_path = $1`,
      [box],
    );
    expect(JSON.stringify(doc)).toContain('were kept');
  });
});

describe('finding a message by its Message-ID', () => {
  it('uses documents_message_id_idx', async () => {
    const t = await openTestEngine();
    const c = await t.client.call('collections.create', { name: 'Mail' });
    await t.engine.db.query(
      `INSERT INTO documents (collection_id, source_path, content_hash, size_bytes, status, metadata)
       SELECT $1, '/m/box.mbox#' || i, encode(sha256(i::text::bytea), 'hex'), 100, 'indexed',
              jsonb_build_object('email', jsonb_build_object('messageId', 'm' || i || '@x'))
         FROM generate_series(1, 4000) AS i`,
      [c.id],
    );
    await t.engine.db.query('ANALYZE documents');
    const plan = await t.engine.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${FIND_INDEXED_MESSAGE}`, [
      c.id,
      'm17@x',
      '/m/other',
    ]);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('documents_message_id_idx');
  });
});

async function importWith(t: TestEngine, pool: Parameters<typeof runImport>[0]['pool'], paths: string[]) {
  const c = await getCollection(t.engine.db, t.engine.vectors, 'Mail');
  return runImport(
    { db: t.engine.db, vectors: t.engine.vectors, events: t.engine.events, pool, embedder: null },
    {
      id: c.id,
      name: c.name,
      embedderId: c.embedderId,
      chunkSize: c.chunkSize,
      chunkOverlap: c.chunkOverlap,
    },
    { paths },
    { limits: DEFAULT_LIMITS, onEvent: () => {} },
  );
}
