import { describe, expect, it } from 'vitest';
import { PDFDocument, PDFHexString, PDFName, StandardFonts } from 'pdf-lib';
import type { PDFPage, PDFRef } from 'pdf-lib';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { ExtractError, extractFile } from '../extract.ts';
import { encryptedPdf, rawPdf, writeFixture } from '../../../../test/support/extractor-fixtures.ts';

/** A PDF with one page per entry (null = a page with no text), lines drawn top-down. */
async function makePdf(pages: (string[] | null)[], title?: string): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    lines?.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 12, font }));
  }
  if (title) doc.setTitle(title);
  return doc;
}

interface Bookmark {
  title: string;
  page: PDFPage;
  children?: Bookmark[];
}

/** Adds an outline (bookmarks) to the document, pointing at pages. */
function addOutline(doc: PDFDocument, bookmarks: Bookmark[]): void {
  const ctx = doc.context;
  const build = (items: Bookmark[], parent: PDFRef): { first: PDFRef; last: PDFRef } => {
    const refs = items.map(() => ctx.nextRef());
    items.forEach((item, i) => {
      const dict = ctx.obj({
        Title: PDFHexString.fromText(item.title),
        Parent: parent,
        Dest: [item.page.ref, PDFName.of('Fit')],
      });
      if (i > 0) dict.set(PDFName.of('Prev'), refs[i - 1]!);
      if (i < items.length - 1) dict.set(PDFName.of('Next'), refs[i + 1]!);
      if (item.children?.length) {
        const kids = build(item.children, refs[i]!);
        dict.set(PDFName.of('First'), kids.first);
        dict.set(PDFName.of('Last'), kids.last);
        dict.set(PDFName.of('Count'), ctx.obj(item.children.length));
      }
      ctx.assign(refs[i]!, dict);
    });
    return { first: refs[0]!, last: refs[refs.length - 1]! };
  };
  const root = ctx.nextRef();
  const top = build(bookmarks, root);
  ctx.assign(root, ctx.obj({ Type: 'Outlines', First: top.first, Last: top.last, Count: bookmarks.length }));
  doc.catalog.set(PDFName.of('Outlines'), root);
}

async function expectError(file: string, reason: string, message: string | RegExp): Promise<void> {
  const err = await extractFile(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExtractError);
  expect((err as ExtractError).reason).toBe(reason);
  if (typeof message === 'string') expect((err as ExtractError).message).toBe(message);
  else expect((err as ExtractError).message).toMatch(message);
}

describe('PDF files', () => {
  it('gives one section per page with its page number, and the metadata title', async () => {
    const dir = tempDir();
    const doc = await makePdf(
      [['Laporan Tahunan', 'Halaman pertama.'], ['Second page text.'], ['Page three.']],
      'Annual Report',
    );
    const file = writeFixture(dir, 'report.pdf', await doc.save());
    const out = await extractFile(file);
    expect(out).toEqual({
      title: 'Annual Report',
      fileType: 'pdf',
      mime: 'application/pdf',
      sections: [
        { headingPath: [], text: 'Laporan Tahunan\nHalaman pertama.', page: 1 },
        { headingPath: [], text: 'Second page text.', page: 2 },
        { headingPath: [], text: 'Page three.', page: 3 },
      ],
      pageCount: 3,
      warnings: [],
    });
  });

  it('takes heading paths from the outline (bookmarks)', async () => {
    const dir = tempDir();
    const doc = await makePdf([['Cover'], ['One'], ['Two'], ['Two point one'], ['More of 2.1']]);
    const [, p2, p3, p4] = doc.getPages();
    addOutline(doc, [
      { title: 'Chapter One', page: p2! },
      { title: 'Chapter Two', page: p3!, children: [{ title: 'Section 2.1', page: p4! }] },
    ]);
    const out = await extractFile(writeFixture(dir, 'book.pdf', await doc.save()));
    expect(out.sections.map((s) => [s.page, s.headingPath])).toEqual([
      [1, []],
      [2, ['Chapter One']],
      [3, ['Chapter Two']],
      [4, ['Chapter Two', 'Section 2.1']],
      [5, ['Chapter Two', 'Section 2.1']],
    ]);
  });

  it('warns about pages without a text layer', async () => {
    const dir = tempDir();
    const doc = await makePdf([['Text here.'], null, null, ['More text.']]);
    const out = await extractFile(writeFixture(dir, 'scan.pdf', await doc.save()));
    expect(out.sections.map((s) => s.page)).toEqual([1, 4]);
    expect(out.pageCount).toBe(4);
    expect(out.warnings).toEqual(['2 pages have no text (scanned?)']);
    expect(out.title).toBe('scan'); // no metadata title and no heading: the file name
  });

  it('refuses a PDF with no text at all as empty, saying why', async () => {
    const dir = tempDir();
    const doc = await makePdf([null, null]);
    await expectError(
      writeFixture(dir, 'scanned.pdf', await doc.save()),
      'empty',
      'scanned.pdf contains no text (2 pages have no text (scanned?))',
    );
  });

  it('reports a password-protected PDF as encrypted', async () => {
    const dir = tempDir();
    await expectError(
      writeFixture(dir, 'secret.pdf', encryptedPdf()),
      'encrypted',
      'secret.pdf is password-protected; open it and save an unprotected copy',
    );
  });

  it('reports 0-byte, truncated and garbage PDFs as corrupt', async () => {
    const dir = tempDir();
    await expectError(
      writeFixture(dir, 'zero.pdf', ''),
      'corrupt',
      'zero.pdf is empty (0 bytes), not a valid PDF',
    );
    await expectError(
      writeFixture(dir, 'garbage.pdf', '%PDF-1.7\nthis is not really a pdf\n%%EOF'),
      'corrupt',
      /^garbage\.pdf is not a readable PDF \(.+\)$/,
    );
    const good = Buffer.from(await (await makePdf([['Hello']])).save());
    await expectError(
      writeFixture(dir, 'truncated.pdf', good.subarray(0, 40)),
      'corrupt',
      /^truncated\.pdf is not a readable PDF/,
    );
  });

  it('reads a hand-written PDF with an empty page tree as empty', async () => {
    const dir = tempDir();
    const pdf = rawPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
    ]);
    await expectError(writeFixture(dir, 'blank.pdf', pdf), 'empty', /^blank\.pdf contains no text/);
  });
});
