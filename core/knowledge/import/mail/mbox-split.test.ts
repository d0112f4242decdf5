import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { splitMbox, type MboxMessage } from './mbox-split.ts';

setFlagsFromString('--expose-gc');

async function split(file: string, opts: { readBytes?: number; max?: number } = {}): Promise<MboxMessage[]> {
  const out: MboxMessage[] = [];
  for await (const m of splitMbox(file, { maxMessageBytes: opts.max ?? 1 << 20, readBytes: opts.readBytes }))
    out.push(m);
  return out;
}

/**
 * A mailbox written by Python's mailbox module (mboxo: "From " body lines quoted as ">From "),
 * and the messages as Python reads them back, unquoted: what the splitter must produce.
 */
function pythonMailbox(dir: string): { file: string; messages: string[] } {
  const file = path.join(dir, 'box.mbox');
  const json = execFileSync(
    'python3',
    [
      '-c',
      `import json, mailbox, re, sys
from email.message import EmailMessage
box = mailbox.mbox(sys.argv[1])
bodies = [
    'Selamat pagi,\\n\\nFrom now on the office opens at 08:00.\\nFrom: this line looks like a header\\n',
    'Dua baris.\\n\\n\\nFrom 2025 on, fees rise.\\n',
    'Terakhir, tanpa baris kosong di akhir',
]
for i, body in enumerate(bodies):
    m = EmailMessage()
    m['From'] = 'Budi <budi@example.co.id>'
    m['Subject'] = f'Pesan {i}'
    m['Message-ID'] = f'<m{i}@example.co.id>'
    m.set_content(body)
    box.add(mailbox.mboxMessage(m))
box.flush()
out = [re.sub(rb'(?m)^>(>*From )', rb'\\1', box.get_bytes(k)).decode() for k in box.keys()]
box.close()
print(json.dumps(out))`,
      file,
    ],
    { encoding: 'utf8' },
  );
  return { file, messages: JSON.parse(json) };
}

describe('splitMbox', () => {
  it('gives back the messages Python wrote, with their ">From " lines unquoted', async () => {
    const { file, messages } = pythonMailbox(tempDir());
    const got = await split(file);
    expect(got.map((m) => m.bytes!.toString())).toEqual(messages);
    expect(got[0]!.bytes!.toString()).toContain('\nFrom now on the office opens at 08:00.\n');
    expect(got.map((m) => m.index)).toEqual([1, 2, 3]);
  });

  it('splits the same wherever its reads end (a From_ line across two reads)', async () => {
    const { file } = pythonMailbox(tempDir());
    const whole = await split(file);
    for (const readBytes of [1, 7, 64, 333]) {
      const parts = await split(file, { readBytes });
      expect(parts.map((m) => [m.bytes!.toString(), m.hash, m.offset, m.end])).toEqual(
        whole.map((m) => [m.bytes!.toString(), m.hash, m.offset, m.end]),
      );
    }
  });

  it('reads a message the same once another is appended after it (its hash does not change)', async () => {
    const { file } = pythonMailbox(tempDir());
    const before = await split(file);
    execFileSync('python3', [
      '-c',
      `import mailbox, sys
from email.message import EmailMessage
box = mailbox.mbox(sys.argv[1])
m = EmailMessage()
m['Subject'] = 'Pesan baru'
m.set_content('baru')
box.add(mailbox.mboxMessage(m))
box.flush()`,
      file,
    ]);
    // Another writer's way: an extra blank line before its From_ line.
    fs.appendFileSync(file, '\nFrom sari@example.co.id Tue Mar  4 11:00:00 2025\nSubject: lagi\n\nisi\n');
    const after = await split(file);
    expect(after).toHaveLength(5);
    expect(after.slice(0, 3).map((m) => m.hash)).toEqual(before.map((m) => m.hash));
    expect(after[3]!.bytes!.toString()).toMatch(/\nbaru\n$/);
  });

  it('unquotes mboxrd (">>From " → ">From "), reads CRLF mailboxes, and ignores text before the first message', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'rd.mbox');
    fs.writeFileSync(
      file,
      [
        'junk a mailbox program left before the first message',
        'From budi@example.co.id Mon Mar  3 10:15:00 2025',
        'Subject: satu',
        '',
        '>From quoted once',
        '>>From quoted twice',
        '',
        'From sari@example.co.id Tue Mar  4 11:00:00 2025',
        'Subject: dua',
        '',
        'isi',
        '',
      ].join('\r\n'),
    );
    const got = await split(file);
    expect(got.map((m) => m.bytes!.toString())).toEqual([
      'Subject: satu\r\n\r\nFrom quoted once\r\n>From quoted twice\r\n',
      'Subject: dua\r\n\r\nisi\r\n',
    ]);
  });

  it('takes a "From " line for a separator only after a blank line, or in full From_ form', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'loose.mbox');
    fs.writeFileSync(
      file,
      [
        'From a@example.co.id Mon Mar  3 10:15:00 2025',
        'Subject: satu',
        '',
        'Baris pertama.',
        'From what I heard, 2 offices close early.', // no blank line before: body text
        '',
        'From b@example.co.id Tue Mar  4 11:00:00 2025', // a separator
        'Subject: dua',
        '',
        'x',
      ].join('\n'),
    );
    const got = await split(file);
    expect(got).toHaveLength(2);
    expect(got[0]!.bytes!.toString()).toContain('From what I heard, 2 offices close early.');
  });

  it('does not take prose after a blank line for a separator ("From 2019 to 2021 …": no time of day)', async () => {
    const file = path.join(tempDir(), 'prose.mbox');
    fs.writeFileSync(
      file,
      [
        'From a@example.co.id Mon Mar  3 10:15:00 2025',
        'Subject: biaya',
        '',
        'Ringkasan biaya:',
        '',
        'From 2019 to 2021 the KITAS fee was Rp 3.000.000.',
        'Sesudahnya naik.',
        '',
      ].join('\n'),
    );
    const got = await split(file);
    expect(got).toHaveLength(1);
    expect(got[0]!.bytes!.toString()).toContain(
      'From 2019 to 2021 the KITAS fee was Rp 3.000.000.\nSesudahnya naik.',
    );
  });

  it('does not hold a long line whole while it is read (a message over the limit on one line)', async () => {
    const gc = runInNewContext('gc') as () => void;
    const file = path.join(tempDir(), 'oneline.mbox');
    // Written a MB at a time: no buffer the size of the line is ever made here, so any rise in
    // ArrayBuffer memory below is the splitter's (a freed 12 MB buffer may be swept after gc()).
    const lineLength = 12 << 20;
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, 'From a@example.co.id Mon Mar  3 10:15:00 2025\nSubject: x\n\n');
    const mb = Buffer.alloc(1 << 20, 'a');
    for (let i = 0; i < lineLength / mb.length; i++) fs.writeSync(fd, mb);
    fs.closeSync(fd);
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const rises: number[] = [];
    const got: MboxMessage[] = [];
    for await (const m of splitMbox(file, { maxMessageBytes: 64 << 10, readBytes: 128 << 10 })) {
      // What is still held while the message is handed over. V8 frees the memory of dead
      // ArrayBuffers on a thread of its own after a collection: given time, then collected again,
      // the read buffers it has not swept yet are not counted as held.
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
      rises.push(process.memoryUsage().arrayBuffers - before);
      got.push(m);
    }
    expect(got.map((m) => [m.bytes, m.size])).toEqual([[null, lineLength + 'Subject: x\n\n'.length]]);
    expect(Math.max(...rises)).toBeLessThan(4 << 20);
  });

  it('hashes a message the same when only its read/unread status headers changed', async () => {
    const dir = tempDir();
    const write = (file: string, status: string[]) =>
      fs.writeFileSync(
        file,
        [
          'From a@example.co.id Mon Mar  3 10:15:00 2025',
          'Subject: satu',
          ...status,
          'Message-ID: <s@x>',
          '',
          'isi',
          '',
        ].join('\n'),
      );
    write(path.join(dir, 'a.mbox'), []);
    write(path.join(dir, 'b.mbox'), [
      'Status: RO',
      'X-Mozilla-Status: 0001',
      'X-Mozilla-Status2: 00000000',
      'X-Status: A',
      'X-Keywords: $label1',
      'X-UID: 17',
    ]);
    const [a] = await split(path.join(dir, 'a.mbox'));
    const [b] = await split(path.join(dir, 'b.mbox'));
    expect(b!.hash).toBe(a!.hash);
    const [big] = await split(path.join(dir, 'b.mbox'), { max: 10 });
    const [small] = await split(path.join(dir, 'a.mbox'), { max: 10 });
    expect(big!.hash).toBe(small!.hash);
  });

  it('hands a message over the limit over without its bytes, with its head, size and a hash', async () => {
    const { file } = pythonMailbox(tempDir());
    const whole = await split(file);
    const got = await split(file, { max: 100, readBytes: 16 });
    expect(got.map((m) => m.bytes)).toEqual([null, null, null]);
    expect(got.map((m) => m.size)).toEqual(whole.map((m) => m.size));
    expect(got[0]!.head.toString()).toMatch(/^From: Budi <budi@example.co.id>/);
    expect(new Set(got.map((m) => m.hash)).size).toBe(3);
  });
});
