// The documents inside a mailbox (its messages, their attachments) across imports: a message in
// two mailboxes, a Message-ID twice in one mailbox, a reader that stops on an attachment, a
// mailbox cut short, the look-up of a message by its Message-ID. Mailboxes are written here, as
// mbox files are ("From " lines between RFC 5322 messages).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkerPool } from '../core/base/thread-pool/pool.ts';
import type { ImportEvent } from '../core/contract/methods/imports.ts';
import { deleteDocument } from '../core/knowledge/documents/documents.ts';
import { FIND_INDEXED_MESSAGE } from '../core/knowledge/documents/member-documents.ts';
import type {
  FileTaskInput,
  FileTaskOutput,
  FileTaskProgress,
} from '../core/knowledge/import/file-task-types.ts';
import { DEFAULT_LIMITS, type ImportLimits, type runImport } from '../core/knowledge/import/importer.ts';
import { ATTACHMENT_CRASH_MARK, EML_CRASH_MARK } from './support/crashing-mail-task.ts';
import { DELAY_MARK } from './support/slow-attachment-task.ts';
import { openTestEngine, type TestEngine } from './support/engine.ts';
import { importWithPool } from './support/import-with-pool.ts';
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

describe('a message moved to another mailbox', () => {
  it('is indexed from the mailbox it moved to (the mail client rewrote both)', async () => {
    const dir = tempDir();
    const inbox = path.join(dir, 'Inbox.mbox');
    const archive = path.join(dir, 'Archive.mbox');
    const [x, y1, y2, y3, z] = ['pindah-x', 'pindah-y1', 'pindah-y2', 'pindah-y3', 'pindah-z'].map((id) =>
      mail(id),
    ) as [Mail, Mail, Mail, Mail, Mail];
    writeMbox(inbox, [x, y1, y2, y3]);
    writeMbox(archive, [z]);
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    writeMbox(inbox, [y1, y2, y3]);
    writeMbox(archive, [z, x]);
    await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    expect(await messages(t, x.id)).toEqual([{ source_path: `${archive}#${x.id}`, status: 'indexed' }]);
    const s = await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    expect(s).toMatchObject({ imported: 0, updated: 0, removed: 0, failed: [] });
    expect(await messages(t, x.id)).toEqual([{ source_path: `${archive}#${x.id}`, status: 'indexed' }]);
    expect(await checkInvariants(t.engine)).toEqual([]);
  });
});

describe('an .eml that fails after claiming its Message-ID', () => {
  it('does not keep the copy in a mailbox read after it out of the index', async () => {
    const dir = tempDir();
    const x = mail('klaim-x', EML_CRASH_MARK);
    // a.eml is read first (one worker): it claims the Message-ID, then its reader crashes.
    fs.writeFileSync(path.join(dir, 'a.eml'), message(x, 0));
    const box = path.join(dir, 'b.mbox');
    writeMbox(box, [mail('klaim-y'), x]);
    const t = await openTestEngine();
    await t.client.call('collections.create', { name: 'Mail' });
    const pool = createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
      entry: new URL('./support/crashing-mail-task.ts', import.meta.url),
      size: 1,
    });
    try {
      const s = await importWith(t, pool, [dir]);
      expect(s.failed).toEqual([expect.objectContaining({ path: path.join(dir, 'a.eml') })]);
      expect(await messages(t, x.id)).toEqual([{ source_path: `${box}#${x.id}`, status: 'indexed' }]);
      expect(await checkInvariants(t.engine)).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});

describe('quoted history', () => {
  const LINE_25 = 'Surat rekomendasi sponsor wajib dilegalisir notaris Jayapura sebelum diserahkan.';
  const agency = (id: string): Mail => ({
    id: `${id}@imigrasi.go.id`,
    subject: 'Persyaratan KITAS',
    body: Array.from({ length: 30 }, (_, i) =>
      i === 24 ? LINE_25 : `Butir ${i + 1}: dokumen pendukung permohonan izin tinggal terbatas.`,
    ).join('\n'),
  });
  const reply = (id: string, original: Mail): Mail => ({
    id: `${id}@konsultan-visa.co.id`,
    subject: 'RE: Persyaratan KITAS',
    body: [
      'Pak Budi, mohon lihat jawaban di bawah.',
      '',
      '-----Original Message-----',
      'From: Kantor Imigrasi <info@imigrasi.go.id>',
      'Sent: Monday, March 3, 2025 9:12 AM',
      'To: Sari Dewi <sari@konsultan-visa.co.id>',
      'Subject: Persyaratan KITAS',
      '',
      original.body,
    ].join('\n'),
  });
  const withReplyTo = (m: Mail, to: string, n: number) =>
    message(m, n).replace('MIME-Version: 1.0', `In-Reply-To: <${to}>\nMIME-Version: 1.0`);
  const textOf = async (t: TestEngine, source: string) =>
    (
      await t.engine.db.query<{ id: number }>(`SELECT id FROM documents WHERE source_path = $1`, [source])
    ).map((r) => r.id)[0]!;

  it('keeps the whole history of a reply to a message the collection does not have', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'balasan.eml');
    fs.writeFileSync(file, withReplyTo(reply('balas-1', agency('asli-1')), 'asli-1@imigrasi.go.id', 0));
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    const found = await t.client.call('search', {
      query: 'dilegalisir notaris Jayapura',
      collections: ['Mail'],
      mode: 'keyword',
    });
    expect(found.items.map((i) => i.documentId)).toContain(Number(await textOf(t, file)));
  });

  it('folds the history of a reply to a message the collection has', async () => {
    const dir = tempDir();
    const box = path.join(dir, 'inbox.mbox');
    const original = agency('asli-2');
    const answer = reply('balas-2', original);
    fs.writeFileSync(
      box,
      [message(original, 0), withReplyTo(answer, original.id, 1)]
        .map((m) => `From sari@konsultan-visa.co.id Mon Mar  3 09:12:00 2025\n${m}\n`)
        .join(''),
    );
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    const id = Number(await textOf(t, `${box}#${answer.id}`));
    const text = (await t.client.call('documents.chunks', { id })).items.map((c) => c.text).join('\n');
    expect(text).toContain('Pak Budi, mohon lihat jawaban di bawah.');
    expect(text).toMatch(/more quoted lines of the earlier message left out/);
    expect(text).not.toContain('dilegalisir notaris Jayapura');
  });
});

describe('a copy that leaves its mailbox', () => {
  it('is no longer listed as where else the message is', async () => {
    const dir = tempDir();
    const shared = mail('salin-1');
    const a = path.join(dir, 'a.mbox');
    const b = path.join(dir, 'b.mbox');
    writeMbox(a, [shared, mail('salin-a')]);
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [a] });
    writeMbox(b, [shared, mail('salin-b')]);
    await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    const alsoIn = async () =>
      (
        await t.engine.db.query<{ also: unknown }>(
          `SELECT metadata->'alsoIn' AS also FROM documents WHERE source_path = $1`,
          [`${a}#${shared.id}`],
        )
      )[0]!.also;
    expect(await alsoIn()).toEqual([{ path: `${b}#${shared.id}`, container: b }]);
    writeMbox(b, [mail('salin-b'), mail('salin-c')]);
    await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    expect(await alsoIn()).toEqual([]);
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

describe('an attachment whose reading never ends', () => {
  it('fails alone when the file’s time runs out on it, the messages after it are read, and it is read again next time', async () => {
    const dir = tempDir();
    const box = path.join(dir, 'inbox.mbox');
    const slow: Mail = {
      ...mail('lambat-1'),
      attachments: [{ name: 'laporan.lambat', text: 'Lampiran yang tidak pernah selesai dibaca.' }],
    };
    // The first message is reached late (as in a large mailbox): the file's time is mostly spent.
    writeMbox(box, [mail(DELAY_MARK.slice(0, -1)), slow, mail('lambat-2'), mail('lambat-3')]);
    const t = await openTestEngine();
    await t.client.call('collections.create', { name: 'Mail' });
    const pool = createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
      entry: new URL('./support/slow-attachment-task.ts', import.meta.url),
      size: 1,
    });
    // The file may take 3 s (the pool stops it 5 s later); the delay before its first message is 6 s.
    const tight: ImportLimits = { ...DEFAULT_LIMITS, timeoutMs: 3_000, msPerMb: 0 };
    try {
      const s = await importWith(t, pool, [box], tight);
      expect(s.failed).toEqual([
        expect.objectContaining({
          path: `${box}#${slow.id}#attachment/1-laporan.lambat`,
          reason: 'file_time',
          message: expect.stringContaining('It is read again on the next import'),
        }),
      ]);
      const rows = await t.engine.db.query<{ source_path: string; status: string }>(
        `SELECT source_path, status FROM documents WHERE source_path = ANY($1::text[]) ORDER BY source_path`,
        [[box, `${box}#lambat-2@konsultan-visa.co.id`, `${box}#lambat-3@konsultan-visa.co.id`]],
      );
      expect(rows.map((r) => r.status)).toEqual(['indexed', 'indexed', 'indexed']);
      // The mailbox unchanged, that attachment (no fault of its own) is read again.
      const again = await importWith(t, pool, [box], tight);
      expect(again.failed.map((f) => f.path)).toEqual([`${box}#${slow.id}#attachment/1-laporan.lambat`]);
    } finally {
      await pool.close();
    }
  }, 60_000);
});

describe('an unchanged mailbox with messages not indexed', () => {
  it('reads its failed messages and unfinished attachments again', async () => {
    const dir = tempDir();
    const box = path.join(dir, 'inbox.mbox');
    const withFile: Mail = {
      ...mail('ulang-2'),
      attachments: [{ name: 'paspor.txt', text: 'Salinan paspor pemohon visa.' }],
    };
    writeMbox(box, [mail('ulang-1'), withFile, mail('ulang-3')]);
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    const failedOne = `${box}#ulang-1@konsultan-visa.co.id`;
    const attachment = `${box}#${withFile.id}#attachment/1-paspor.txt`;
    // A transient failure (the embedder, memory), and an attachment the reader never got to.
    await t.engine.db.query(
      `UPDATE documents SET status = 'failed', error = 'out of memory' WHERE source_path = $1`,
      [failedOne],
    );
    await t.engine.db.query(`UPDATE documents SET status = 'pending' WHERE source_path = $1`, [attachment]);
    await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    const rows = await t.engine.db.query<{ source_path: string; status: string }>(
      `SELECT source_path, status FROM documents WHERE source_path = ANY($1::text[]) ORDER BY source_path`,
      [[failedOne, attachment]],
    );
    expect(rows).toEqual([
      { source_path: failedOne, status: 'indexed' },
      { source_path: attachment, status: 'indexed' },
    ]);
    expect(await checkInvariants(t.engine)).toEqual([]);
  });
});

describe('a reply that names only the message it answers (In-Reply-To, no References)', () => {
  it('joins the thread of that message', async () => {
    const dir = tempDir();
    const [a, b, c] = ['utas-a', 'utas-b', 'utas-c'].map((id) => mail(id)) as [Mail, Mail, Mail];
    const head = (m: Mail, n: number, extra: string) =>
      message(m, n).replace('MIME-Version: 1.0', `${extra}\nMIME-Version: 1.0`);
    fs.writeFileSync(
      path.join(dir, 'inbox.mbox'),
      [
        message(a, 0),
        head(b, 1, `In-Reply-To: <${a.id}>\nReferences: <${a.id}>`),
        head(c, 2, `In-Reply-To: <${b.id}>`),
      ]
        .map((m) => `From sari@konsultan-visa.co.id Mon Mar  3 09:12:00 2025\n${m}\n`)
        .join(''),
    );
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    const thread = await t.client.call('documents.list', { collection: 'Mail', thread: a.id });
    expect(thread.items.map((d) => d.email!.messageId)).toEqual([a.id, b.id, c.id]);
  });
});

describe('a message marked read by the mail program', () => {
  it('is unchanged (its status headers are not its content)', async () => {
    const dir = tempDir();
    const box = path.join(dir, 'inbox.mbox');
    const mails = [mail('status-1'), mail('status-2')];
    writeMbox(box, mails);
    const t = await openTestEngine();
    await t.client.call('import.run', { collection: 'Mail', create: true, paths: [dir] });
    const text = fs.readFileSync(box, 'utf8');
    fs.writeFileSync(
      box,
      text.replaceAll('MIME-Version: 1.0\n', 'MIME-Version: 1.0\nStatus: RO\nX-Mozilla-Status: 0001\n'),
    );
    const s = await t.client.call('import.run', { collection: 'Mail', paths: [dir] });
    // The mailbox file changed (it is read again); its messages did not.
    expect(s).toMatchObject({ imported: 0, updated: 1, unchanged: 2, failed: [] });
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

describe('deleting a mailbox whose name is the start of another file’s', () => {
  it('deletes its own messages only (not those of "Inbox#old.mbox" when "Inbox" goes)', async () => {
    const t = await openTestEngine();
    const c = await t.client.call('collections.create', { name: 'Mail' });
    const rows: [string, string | null, string | null][] = [
      ['/m/Inbox', null, null],
      ['/m/Inbox#a@x', '/m/Inbox', '/m/Inbox'],
      ['/m/Inbox#a@x#attachment/1-a.txt', '/m/Inbox', '/m/Inbox#a@x'],
      ['/m/Inbox#old.mbox', null, null],
      ['/m/Inbox#old.mbox#b@x', '/m/Inbox#old.mbox', '/m/Inbox#old.mbox'],
      ['/m/Inbox#old.mbox#b@x#attachment/1-b.txt', '/m/Inbox#old.mbox', '/m/Inbox#old.mbox#b@x'],
    ];
    const ids = new Map<string, number>();
    for (const [p, container, parent] of rows) {
      const [row] = await t.engine.db.query<{ id: number }>(
        `INSERT INTO documents (collection_id, source_path, content_hash, size_bytes, status, metadata)
         VALUES ($1, $2::text, encode(sha256(convert_to($2::text, 'UTF8')), 'hex'), 1, 'indexed',
                 CASE WHEN $3::text IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('container', $3::text, 'parent', $4::text) END)
         RETURNING id`,
        [c.id, p, container, parent],
      );
      ids.set(p, Number(row!.id));
    }
    await deleteDocument(t.engine.db, t.engine.vectors, ids.get('/m/Inbox')!);
    const left = async () =>
      (
        await t.engine.db.query<{ source_path: string }>(
          'SELECT source_path FROM documents ORDER BY source_path',
        )
      ).map((r) => r.source_path);
    expect(await left()).toEqual(rows.slice(3).map(([p]) => p));
    // A message inside still takes its attachments with it.
    await deleteDocument(t.engine.db, t.engine.vectors, ids.get('/m/Inbox#old.mbox#b@x')!);
    expect(await left()).toEqual(['/m/Inbox#old.mbox']);
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

async function importWith(
  t: TestEngine,
  pool: Parameters<typeof runImport>[0]['pool'],
  paths: string[],
  limits: ImportLimits = DEFAULT_LIMITS,
) {
  return (await importWithPool(t, 'Mail', pool, paths, limits)).summary;
}
