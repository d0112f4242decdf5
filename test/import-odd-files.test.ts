import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import { describe, expect, it } from 'vitest';
import { renderImportSummary } from '../core/cli/render-import.ts';
import type { ImportEvent } from '../core/contract/methods/imports.ts';
import { openTestEngine } from './support/engine.ts';
import { writeFile } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

/** `root/<prefix><raw bytes><suffix>` as a Buffer path: names that are not valid UTF-8 have no string form. */
function rawPath(root: string, prefix: string, bytes: number[], suffix: string): Buffer {
  return Buffer.concat([Buffer.from(path.join(root, prefix)), Buffer.from(bytes), Buffer.from(suffix)]);
}

describe('import: file names that are not valid UTF-8', () => {
  it('imports them under an escaped name, skips them when unchanged and removes them when deleted', async () => {
    const root = tempDir();
    writeFile(root, 'plain.txt', 'An ordinary note about the KITAS sponsor letter.');
    const badFile = rawPath(root, 'bad-', [0xff, 0xfe], '-name.txt');
    fs.writeFileSync(badFile, 'Catatan rahasia tentang perpanjangan izin tinggal terbatas.');
    const badDir = rawPath(root, 'folder-', [0xe9], '');
    fs.mkdirSync(badDir);
    fs.writeFileSync(
      Buffer.concat([badDir, Buffer.from('/inside.md')]),
      '# Inside\n\nKantor imigrasi buka jam delapan.',
    );
    // A valid name that merely looks like an escape must keep its own meaning.
    writeFile(root, 'looks-like-\\xe9-escape.txt', 'Literal backslash names are ordinary names.');

    const { client } = await openTestEngine();
    const first = await client.call('import.run', { collection: 'K', create: true, paths: [root] });
    expect(first.failed).toEqual([]);
    expect(first.ignored.total).toBe(0);
    expect(first.imported).toBe(4);

    const docs = (await client.call('documents.list', { collection: 'K' })).items;
    const names = docs.map((d) => path.relative(root, d.sourcePath)).sort();
    expect(names).toEqual([
      'bad-\\xff\\xfe-name.txt',
      'folder-\\xe9/inside.md',
      'looks-like-\\\\xe9-escape.txt',
      'plain.txt',
    ]);
    const bad = docs.find((d) => d.sourcePath.includes('bad-'))!;
    expect(bad.status).toBe('indexed');
    const text = (await client.call('documents.chunks', { id: bad.id })).items.map((c) => c.text).join('\n');
    expect(text).toContain('perpanjangan izin tinggal');
    const literal = docs.find((d) => d.sourcePath.includes('looks-like'))!;
    expect((await client.call('documents.chunks', { id: literal.id })).items[0]!.text).toContain(
      'Literal backslash',
    );

    const again = await client.call('import.run', { collection: 'K', paths: [root] });
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 4, failed: [] });

    fs.rmSync(badFile);
    const removed = await client.call('import.run', { collection: 'K', paths: [root], removeMissing: true });
    expect(removed.removed).toBe(1);
    expect((await client.call('documents.list', { collection: 'K' })).total).toBe(3);
  });
});

describe('import: a folder whose valid name looks like an escape', () => {
  it('finds, re-finds and removes a file that is not UTF-8 inside a folder named `x\\x41y` or `a\\\\b`', async () => {
    // Literal backslashes in valid folder names: the path to the odd file must escape them too,
    // or reading it back would decode `\x41` to `A` and `\\` to `\` and name another file.
    const odd = path.join(tempDir(), 'x\\x41y');
    fs.mkdirSync(path.join(odd, 'a\\\\b'), { recursive: true });
    const bad = rawPath(odd, 'caf', [0xe9], '.txt');
    fs.writeFileSync(bad, 'Surat sponsor untuk perpanjangan izin tinggal.');
    fs.writeFileSync(rawPath(odd, 'a\\\\b/n', [0xff], '.md'), '# Catatan\n\nKantor pajak tutup hari Jumat.');
    writeFile(odd, 'a\\\\b/plain.md', '# Biasa\n\nNama berkas biasa.');
    // Decoding the whole path would land here instead: these must never be imported.
    fs.mkdirSync(path.join(path.dirname(odd), 'xAy'));
    fs.writeFileSync(rawPath(path.dirname(odd), 'xAy/caf', [0xe9], '.txt'), 'The wrong file.');

    const { client } = await openTestEngine();
    const first = await client.call('import.run', { collection: 'K', create: true, paths: [odd] });
    expect(first).toMatchObject({ imported: 3, failed: [] });
    expect(first.ignored.total).toBe(0);
    const docs = (await client.call('documents.list', { collection: 'K' })).items;
    expect(docs.map((d) => d.sourcePath.slice(path.dirname(odd).length)).sort()).toEqual([
      '/x\\\\x41y/a\\\\\\\\b/n\\xff.md',
      '/x\\\\x41y/caf\\xe9.txt',
      '/x\\x41y/a\\\\b/plain.md',
    ]);
    const cafe = docs.find((d) => d.sourcePath.endsWith('caf\\xe9.txt'))!;
    const text = (await client.call('documents.chunks', { id: cafe.id })).items.map((c) => c.text).join('\n');
    expect(text).toContain('Surat sponsor');

    const again = await client.call('import.run', { collection: 'K', paths: [odd] });
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 3, failed: [] });
    expect((await client.call('documents.list', { collection: 'K' })).total).toBe(3);

    fs.rmSync(bad);
    const removed = await client.call('import.run', { collection: 'K', paths: [odd], removeMissing: true });
    expect(removed.removed).toBe(1);
    const left = (await client.call('documents.list', { collection: 'K' })).items.map((d) => d.sourcePath);
    expect(left).toHaveLength(2);
    expect(left.some((p) => p.includes('caf'))).toBe(false);
  });
});

describe('import: documents that hold only headings', () => {
  it('imports Markdown, HTML and DOCX files whose only text is headings', async () => {
    const root = tempDir();
    writeFile(root, 'outline.md', '# Rencana kerja\n\n## Bab satu: perizinan\n\n## Bab dua: pajak\n');
    writeFile(root, 'outline.html', '<html><body><h1>Daftar isi</h1><h2>Visa kunjungan</h2></body></html>');
    const docx = new Document({
      sections: [
        {
          children: [
            new Paragraph({ text: 'Agenda rapat', heading: HeadingLevel.HEADING_1 }),
            new Paragraph({ text: 'Laporan keuangan', heading: HeadingLevel.HEADING_2 }),
          ],
        },
      ],
    });
    writeFile(root, 'outline.docx', await Packer.toBuffer(docx));

    const { client } = await openTestEngine();
    const s = await client.call('import.run', { collection: 'K', create: true, paths: [root] });
    expect(s.failed).toEqual([]);
    expect(s.imported).toBe(3);
    const docs = (await client.call('documents.list', { collection: 'K' })).items;
    const textOf = async (suffix: string) =>
      (
        await client.call('documents.chunks', { id: docs.find((d) => d.sourcePath.endsWith(suffix))!.id })
      ).items
        .map((c) => c.text)
        .join('\n');
    expect(await textOf('.md')).toMatch(/Bab satu: perizinan[\s\S]*Bab dua: pajak/);
    expect(await textOf('.html')).toContain('Visa kunjungan');
    expect(await textOf('.docx')).toContain('Laporan keuangan');
    expect(docs.find((d) => d.sourcePath.endsWith('.md'))!.title).toBe('Rencana kerja');
  });
});

describe('import: files that change while they are imported', () => {
  const BODY = Array.from(
    { length: 400 },
    (_, i) => `Baris ${i}: izin tinggal terbatas diperpanjang di kantor imigrasi.`,
  ).join('\n');

  it('reads a file again when it changed after it was found, and indexes what is on disk', async () => {
    const root = tempDir();
    const file = writeFile(root, 'growing.md', `# Log\n\n${BODY}\n`);
    const { client, engine } = await openTestEngine();
    const onEvent = (e: ImportEvent) => {
      // Found and counted, not yet hashed or read: the writer adds a line now.
      if (e.type === 'scanned') fs.appendFileSync(file, '\nAppended later: kelapa muda.\n');
    };
    const s = await client.call('import.run', { collection: 'K', create: true, paths: [root] }, { onEvent });
    expect(s).toMatchObject({ imported: 1, failed: [], warnings: [] });
    const bytes = fs.readFileSync(file);
    const [row] = await engine.db.query<{ size_bytes: number; content_hash: string; id: number }>(
      'SELECT id, size_bytes, content_hash FROM documents',
    );
    expect(Number(row!.size_bytes)).toBe(bytes.length);
    expect(row!.content_hash).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
    const text = (await client.call('documents.chunks', { id: Number(row!.id) })).items
      .map((c) => c.text)
      .join('\n');
    expect(text).toContain('kelapa muda');
  });

  it('after a few tries imports the last snapshot of a file that keeps growing, with a warning', async () => {
    const root = tempDir();
    const file = writeFile(root, 'busy.log.md', `# Busy\n\n${BODY}\n`);
    writeFile(root, 'calm.md', '# Calm\n\nA file nobody writes to.');
    const { client } = await openTestEngine();
    // A writer that appends on every turn of the event loop until the import ends.
    let writing = true;
    let n = 0;
    const append = () => {
      if (!writing) return;
      fs.appendFileSync(file, `line ${n++}\n`);
      setImmediate(append);
    };
    append();
    let s;
    try {
      s = await client.call('import.run', { collection: 'K', create: true, paths: [root] });
    } finally {
      writing = false;
    }
    expect(s).toMatchObject({ imported: 2, failed: [] });
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]!.path).toBe(file);
    expect(s.warnings[0]!.message).toMatch(/busy\.log\.md changed while it was being imported/);
    const doc = (await client.call('documents.list', { collection: 'K' })).items.find(
      (d) => d.sourcePath === file,
    )!;
    expect(doc.status).toBe('indexed');
    expect(doc.warnings.join('\n')).toMatch(/changed while it was being imported/);
    expect(renderImportSummary(s)).toMatch(
      /Warnings \(1\):\n {2}! busy\.log\.md changed while it was being imported/,
    );
  });
});
