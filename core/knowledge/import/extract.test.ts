import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { ExtractError, extractFile, normalizeText } from './extract.ts';
import type { ExtractReason } from './extract.ts';
import { formatBytes } from './extract-error.ts';
import { FORMATS, detectFormat, isSupportedPath } from './formats.ts';
import { assertSafeZip } from './zip-guard.ts';
import { deflatedZeros, makeZip, writeFixture } from '../../../test/support/extractor-fixtures.ts';
import type { ExtractInput, Extractor } from './types.ts';

/**
 * The PDF parser, made to hang for chosen files: their parse never settles (and ignores its
 * signal), so the time-out and cancellation tests do not depend on how fast a real parse is.
 * Other files get the real parser. Calls are recorded per file, so a late call (the parser is
 * loaded lazily, and a time-out may strike before it is reached) never counts for another test.
 */
interface StuckParse {
  calls: ExtractInput[];
  onCall?: () => void;
}
const stuckPdfs = vi.hoisted(() => new Map<string, StuckParse>());
vi.mock('./extractors/pdf.ts', async (importOriginal) => {
  const real = await importOriginal<{ extractPdf: Extractor }>();
  return {
    ...real,
    extractPdf: (input: ExtractInput) => {
      const stuck = stuckPdfs.get(input.path);
      if (!stuck) return real.extractPdf(input);
      stuck.calls.push(input);
      stuck.onCall?.();
      return new Promise<never>(() => {});
    },
  };
});

async function failure(promise: Promise<unknown>): Promise<ExtractError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExtractError);
  return err as ExtractError;
}

async function expectFailure(file: string, reason: ExtractReason, message: string | RegExp): Promise<void> {
  const err = await failure(extractFile(file));
  expect(err.reason).toBe(reason);
  expect(err.file).toBe(file);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
}

const MB = 1024 * 1024;

describe('extractFile: shared post-processing', () => {
  it('normalises text: NFC, CRLF, control characters, blank lines, trailing spaces', async () => {
    const dir = tempDir();
    const long = 'x'.repeat(300);
    const raw = `\r\n\r\n  indented first line   \r\nCafe\u0301 \u00a0\r\n\u0000ta\u0007b\tkept\u00ad\r\n\r\n\r\n\r\nnext\f\u0085page\r\n${long}\r\n\r\n`;
    const out = await extractFile(writeFixture(dir, 'raw.txt', raw));
    expect(out.sections).toEqual([
      { headingPath: [], text: `  indented first line\nCafé\ntab\tkept\n\nnext\npage\n${long}`, page: null },
    ]);
    expect(normalizeText('a  \n\n\n\nb\u3000\n')).toBe('a\n\nb');
  });

  it('drops empty sections and falls back to the first heading for the title', async () => {
    const dir = tempDir();
    const out = await extractFile(
      writeFixture(dir, 'doc.md', '# Title Only\n\n## Empty\n\n## Filled\n\nText.\n'),
    );
    expect(out.title).toBe('Title Only');
    expect(out.sections).toEqual([{ headingPath: ['Title Only', 'Filled'], text: 'Text.', page: null }]);
  });

  it('handles file names with spaces, emoji and non-Latin scripts', async () => {
    const dir = tempDir();
    for (const name of [
      'laporan akhir 2024.txt',
      'notes 📝 final.md',
      'дневник.txt',
      '会議メモ.txt',
      'تقرير.txt',
    ]) {
      const file = writeFixture(dir, name, `isi dari ${name}\n`);
      const out = await extractFile(file);
      expect(out.title).toBe(path.parse(name).name);
      expect(out.sections[0]?.text).toBe(`isi dari ${name}`);
    }
  });

  // How fast this is: `npm run bench -- extract` (bench/ingest.ts), not a test.
  it('extracts a ~20 MB text file in one piece', async () => {
    const dir = tempDir();
    const line = 'Baris ke-%d: pajak penghasilan dan “PPN” dihitung per bulan — naïve café.\r\n';
    const lines: string[] = [];
    for (let i = 0; i < 250_000; i++) lines.push(line.replace('%d', String(i)));
    const file = writeFixture(dir, 'big.txt', lines.join(''));
    expect(fs.statSync(file).size).toBeGreaterThan(20 * 1000 * 1000);
    const out = await extractFile(file);
    expect(out).toMatchObject({ title: 'big', fileType: 'text', warnings: [] });
    expect(out.sections).toHaveLength(1);
    const text = out.sections[0]!.text;
    expect(text.includes('\r')).toBe(false);
    expect(text.startsWith('Baris ke-0: pajak')).toBe(true);
    expect(
      text.endsWith('Baris ke-249999: pajak penghasilan dan “PPN” dihitung per bulan — naïve café.'),
    ).toBe(true);
    expect(text.split('\n')).toHaveLength(250_000);
  });
});

describe('extractFile: refusals', () => {
  it('refuses files over the size limit, naming the size and the limit', async () => {
    const dir = tempDir();
    const huge = path.join(dir, 'huge.txt');
    fs.closeSync(fs.openSync(huge, 'w'));
    fs.truncateSync(huge, Math.round(2.1 * 1024 ** 3)); // sparse: no disk used
    await expectFailure(huge, 'too_large', 'huge.txt is 2.1 GB; the limit is 200 MB');
    const small = writeFixture(dir, 'small.txt', 'x'.repeat(3000));
    const err = await failure(extractFile(small, { maxBytes: 1024 }));
    expect(err).toMatchObject({ reason: 'too_large', message: 'small.txt is 2.9 KB; the limit is 1 KB' });
  });

  it('reports missing files and folders as unreadable', async () => {
    const dir = tempDir();
    await expectFailure(path.join(dir, 'gone.txt'), 'unreadable', 'gone.txt does not exist');
    fs.mkdirSync(path.join(dir, 'folder.txt'));
    await expectFailure(path.join(dir, 'folder.txt'), 'unreadable', 'folder.txt is not a file');
  });

  it('reports empty and whitespace-only files as empty', async () => {
    const dir = tempDir();
    await expectFailure(writeFixture(dir, 'empty.txt', ''), 'empty', 'empty.txt contains no text');
    await expectFailure(
      writeFixture(dir, 'blank.md', ' \n\t\r\n\u00a0\u00ad\n'),
      'empty',
      'blank.md contains no text',
    );
  });

  it('refuses a binary file named .txt', async () => {
    const dir = tempDir();
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    await expectFailure(
      writeFixture(dir, 'notes.txt', binary),
      'unsupported',
      'notes.txt is not a text file (it contains binary data)',
    );
    const controls = Buffer.from('ab\u0001\u0002\u0003\u0004cd\u0005\u0006\u0007\u0008', 'latin1');
    await expectFailure(
      writeFixture(dir, 'ctl.txt', controls),
      'unsupported',
      /^ctl\.txt is not a text file/,
    );
  });

  it('says what a file really is when its content does not match its extension', async () => {
    const dir = tempDir();
    const zip = makeZip([{ name: 'a.txt', data: 'hello' }]);
    await expectFailure(
      writeFixture(dir, 'x.pdf', zip),
      'unsupported',
      'x.pdf is not a PDF (it looks like a ZIP archive)',
    );
    await expectFailure(
      writeFixture(dir, 'y.docx', '%PDF-1.4\n...'),
      'unsupported',
      'y.docx is not a DOCX document (it looks like a PDF document)',
    );
    await expectFailure(
      writeFixture(dir, 'z.xlsx', 'just some text'),
      'corrupt',
      'z.xlsx is not an XLSX workbook: its content is damaged or of another kind',
    );
    await expectFailure(
      writeFixture(dir, 'photo.md', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
      'unsupported',
      'photo.md is not a Markdown file (it looks like a PNG image)',
    );
  });

  it('accepts text with an unknown extension and refuses unknown binaries and old Office files', async () => {
    const dir = tempDir();
    const out = await extractFile(writeFixture(dir, 'Makefile.orig', 'all:\n\techo hi\n'));
    expect(out).toMatchObject({ fileType: 'text', mime: 'text/plain' });
    expect(out.sections[0]?.text).toBe('all:\n\techo hi');
    await expectFailure(
      writeFixture(dir, 'blob.bin', Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0])),
      'unsupported',
      'blob.bin is not a supported file type (.bin) and does not look like text',
    );
    await expectFailure(
      writeFixture(dir, 'memo.doc', 'whatever'),
      'unsupported',
      'memo.doc: old Word documents (.doc) are not supported; save it as .docx',
    );
    await expectFailure(
      writeFixture(dir, 'archive.dat', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0])),
      'unsupported',
      'archive.dat is not a supported file type (it looks like a gzip archive)',
    );
  });
});

describe('extractFile: time-out and cancellation', () => {
  /** A file detected as PDF whose parse never finishes (see `stuckPdfs`). */
  function stuckPdf(): { file: string; parse: StuckParse } {
    const file = writeFixture(tempDir(), 'stuck.pdf', '%PDF-1.7\n% a parse that never ends\n');
    const parse: StuckParse = { calls: [] };
    stuckPdfs.set(file, parse);
    return { file, parse };
  }

  it('gives up after the time-out, even on a parser that never returns', async () => {
    const { file, parse } = stuckPdf();
    const err = await failure(extractFile(file, { timeoutMs: 50 }));
    expect(err).toMatchObject({
      reason: 'timeout',
      file,
      message: 'stuck.pdf took longer than 50 ms to read',
    });
    expect((err.cause as Error).name).toBe('TimeoutError');
    // Wherever the time-out struck, a parser that was started was told to stop.
    expect(parse.calls.every((c) => c.signal.aborted)).toBe(true);
  });

  it('stops when the caller aborts: before it starts, and while the parser runs', async () => {
    const { file, parse } = stuckPdf();
    const before = new AbortController();
    before.abort();
    expect(await failure(extractFile(file, { signal: before.signal }))).toMatchObject({
      reason: 'cancelled',
      message: 'reading stuck.pdf was cancelled',
    });
    expect(parse.calls).toHaveLength(0);

    // Aborted once the parser is at work (it would otherwise never finish).
    const during = new AbortController();
    parse.onCall = () => during.abort();
    const err = await failure(extractFile(file, { signal: during.signal }));
    expect(err).toMatchObject({ reason: 'cancelled', message: 'reading stuck.pdf was cancelled' });
    expect(parse.calls).toHaveLength(1);
    expect(parse.calls[0]!.signal.aborted).toBe(true);
  });
});

describe('zip guard', () => {
  it('refuses an entry that inflates more than 200:1 past 10 MB', async () => {
    const dir = tempDir();
    const bomb = makeZip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'word/document.xml', data: '', raw: deflatedZeros(20 * MB) },
    ]);
    await expectFailure(
      writeFixture(dir, 'bomb.docx', bomb),
      'zip_bomb',
      /^bomb\.docx was refused as a possible zip bomb: word\/document\.xml inflates \d+:1 to 20 MB$/,
    );
  });

  it('refuses archives that inflate to more than 512 MB in total', async () => {
    const dir = tempDir();
    const part = deflatedZeros(9 * MB); // under the ratio rule's 10 MB floor
    const entries = Array.from({ length: 60 }, (_, i) => ({ name: `xl/part${i}.xml`, data: '', raw: part }));
    await expectFailure(
      writeFixture(dir, 'wide.xlsx', makeZip(entries)),
      'zip_bomb',
      'wide.xlsx was refused as a possible zip bomb: it inflates to more than 512 MB',
    );
  });

  it('refuses archives with more than 10,000 entries', async () => {
    const dir = tempDir();
    const entries = Array.from({ length: 10_001 }, (_, i) => ({
      name: `f${i}`,
      data: '',
      method: 'store' as const,
    }));
    await expectFailure(
      writeFixture(dir, 'many.epub', makeZip(entries)),
      'zip_bomb',
      'many.epub was refused as a possible zip bomb: 10001 entries (the limit is 10000)',
    );
  });

  it('catches an entry that inflates past the size its header declares', async () => {
    const dir = tempDir();
    const liar = makeZip([
      { name: 'word/document.xml', data: '', raw: deflatedZeros(30 * MB), declaredSize: 1000 },
    ]);
    await expectFailure(
      writeFixture(dir, 'liar.docx', liar),
      'zip_bomb',
      'liar.docx was refused as a possible zip bomb: word/document.xml inflates to more than its declared size',
    );
  });

  it('lets ordinary archives through and reports unreadable ones as corrupt', async () => {
    const ok = makeZip([{ name: 'a.xml', data: '<a>'.repeat(1000) }]);
    await expect(assertSafeZip('ok.docx', ok)).resolves.toBeUndefined();
    const cut = ok.subarray(0, ok.length - 10);
    await expect(assertSafeZip('cut.docx', cut)).rejects.toMatchObject({
      reason: 'corrupt',
      message: 'cut.docx is damaged: its ZIP structure cannot be read',
    });
  });
});

describe('format table', () => {
  it('maps every extension the brief names', () => {
    const expected: Record<string, string> = {
      '.pdf': 'pdf',
      '.docx': 'docx',
      '.html': 'html',
      '.htm': 'html',
      '.xhtml': 'html',
      '.md': 'markdown',
      '.markdown': 'markdown',
      '.txt': 'text',
      '.text': 'text',
      '.log': 'text',
      '.rst': 'text',
      '.csv': 'csv',
      '.tsv': 'csv',
      '.xlsx': 'xlsx',
      '.epub': 'epub',
      '.json': 'json',
      '.jsonl': 'json',
    };
    for (const ext of [
      '.ts',
      '.js',
      '.py',
      '.java',
      '.go',
      '.rs',
      '.c',
      '.h',
      '.cpp',
      '.cs',
      '.rb',
      '.php',
      '.sh',
      '.sql',
      '.yaml',
      '.yml',
      '.toml',
      '.xml',
      '.css',
    ]) {
      expected[ext] = 'code';
    }
    for (const [ext, fileType] of Object.entries(expected))
      expect([ext, FORMATS.get(ext)?.fileType]).toEqual([ext, fileType]);
  });

  it('detects by content, whatever the case of the extension', () => {
    expect(detectFormat('/x/REPORT.PDF', Buffer.from('%PDF-1.7')).fileType).toBe('pdf');
    expect(detectFormat('/x/scan', Buffer.from('%PDF-1.7')).fileType).toBe('pdf');
    expect(detectFormat('/x/junk-then.pdf', Buffer.from('junk\n%PDF-1.7')).fileType).toBe('pdf');
    expect(detectFormat('/x/README', Buffer.from('Read me')).fileType).toBe('text');
  });

  it('says which paths a folder import picks up', () => {
    expect(isSupportedPath('/a/b/Report.DOCX')).toBe(true);
    expect(isSupportedPath('/a/README')).toBe(true);
    expect(isSupportedPath('/a/photo.jpg')).toBe(true); // read by OCR
    expect(isSupportedPath('/a/scan.TIFF')).toBe(true);
    expect(isSupportedPath('/a/clip.gif')).toBe(false);
    expect(isSupportedPath('/a/random')).toBe(false);
  });

  it('formats byte sizes for messages', () => {
    expect([formatBytes(12), formatBytes(1536), formatBytes(200 * MB), formatBytes(2.1 * 1024 ** 3)]).toEqual(
      ['12 bytes', '1.5 KB', '200 MB', '2.1 GB'],
    );
  });
});
