import { describe, expect, it } from 'vitest';
import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { ExtractError, extractFile } from '../extract.ts';
import { makeZip, writeFixture } from '../../../../test/support/extractor-fixtures.ts';

async function makeDocx(): Promise<Buffer> {
  const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] });
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Kontrak Kerja Sama', heading: HeadingLevel.TITLE }),
          new Paragraph('Preamble before any heading.'),
          new Paragraph({ text: 'Scope', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({
            children: [
              new TextRun('The consultant '),
              new TextRun({ text: 'shall', bold: true }),
              new TextRun(' deliver.'),
            ],
          }),
          new Paragraph({ text: 'Deliverables', heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: 'Monthly report', bullet: { level: 0 } }),
          new Paragraph({ text: 'Final audit', bullet: { level: 0 } }),
          new Table({
            rows: [
              new TableRow({ children: [cell('Item'), cell('Due')] }),
              new TableRow({ children: [cell('Report'), cell('March')] }),
            ],
          }),
          new Paragraph({ text: 'Fees', heading: HeadingLevel.HEADING_1 }),
          new Paragraph('Rp 10.000.000 per month.'),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

describe('DOCX files', () => {
  it('keeps Word headings as heading paths through the HTML walker', async () => {
    const dir = tempDir();
    const out = await extractFile(writeFixture(dir, 'kontrak.docx', await makeDocx()));
    expect(out.title).toBe('Kontrak Kerja Sama');
    expect(out.fileType).toBe('docx');
    expect(out.sections).toEqual([
      { headingPath: ['Kontrak Kerja Sama'], text: 'Preamble before any heading.', page: null },
      { headingPath: ['Scope'], text: 'The consultant shall deliver.', page: null },
      {
        headingPath: ['Scope', 'Deliverables'],
        text: '- Monthly report\n- Final audit\n\nItem | Due\nReport | March',
        page: null,
      },
      { headingPath: ['Fees'], text: 'Rp 10.000.000 per month.', page: null },
    ]);
  });

  it('reports a password-protected DOCX (an OLE container) as encrypted', async () => {
    const dir = tempDir();
    const ole = Buffer.alloc(2048);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    ole.write('EncryptedPackage', 1024, 'utf16le');
    const err = await extractFile(writeFixture(dir, 'locked.docx', ole)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      reason: 'encrypted',
      message: 'locked.docx is password-protected; save an unprotected copy',
    });
  });

  it('refuses an old .doc renamed to .docx, and a ZIP that is not a Word document', async () => {
    const dir = tempDir();
    const ole = Buffer.alloc(1024);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    const renamed = await extractFile(writeFixture(dir, 'old.docx', ole)).catch((e: unknown) => e);
    expect(renamed).toMatchObject({
      reason: 'unsupported',
      message:
        'old.docx is not a DOCX document (it looks like an old binary Office document (.doc/.xls/.ppt)); save it as .docx',
    });
    const zip = makeZip([{ name: 'hello.txt', data: 'hi' }]);
    const notWord = await extractFile(writeFixture(dir, 'fake.docx', zip)).catch((e: unknown) => e);
    expect(notWord).toBeInstanceOf(ExtractError);
    expect(notWord).toMatchObject({ reason: 'corrupt' });
    expect((notWord as ExtractError).message).toMatch(/^fake\.docx could not be read as a DOCX document: /);
  });
});
