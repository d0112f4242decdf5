import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import yauzl from 'yauzl';
import { makeZip, type ZipEntryInput } from '../support/extractor-fixtures.ts';

/** One small valid file per format, the starting point of the mutations. */
export interface SeedFile {
  ext: string;
  bytes: Buffer;
  /** The entries of a ZIP-based format, so mutations can reach the XML inside. */
  entries?: ZipEntryInput[];
}

async function pdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of ['KITAS renewal needs a sponsor letter.', 'Page two: NPWP and tax.']) {
    doc.addPage([300, 200]).drawText(text, { x: 20, y: 150, size: 10, font });
  }
  return Buffer.from(await doc.save());
}

async function docx(): Promise<Buffer> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Kontrak', heading: HeadingLevel.TITLE }),
          new Paragraph({ text: 'Scope', heading: HeadingLevel.HEADING_1 }),
          new Paragraph('The consultant shall deliver monthly.'),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

async function xlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Klien');
  ws.addRow(['Name', 'City', 'Revenue']);
  ws.addRow(['PT Maju', 'Jakarta', 1500]);
  ws.addRow([{ formula: 'C2*2', result: 3000 }, 'Bali', 2]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function epubEntries(): ZipEntryInput[] {
  return [
    { name: 'mimetype', data: 'application/epub+zip', method: 'store' },
    {
      name: 'META-INF/container.xml',
      data: `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`,
    },
    {
      name: 'OEBPS/content.opf',
      data: `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Buku</dc:title></metadata><manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/></spine></package>`,
    },
    {
      name: 'OEBPS/c1.xhtml',
      data: `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><h1>Bab 1</h1><p>Visa on arrival rules.</p></body></html>`,
    },
  ];
}

/** The entries of a ZIP, read back (for DOCX/XLSX made by their libraries). */
export function unzip(bytes: Buffer): Promise<ZipEntryInput[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out: ZipEntryInput[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const parts: Buffer[] = [];
          stream.on('data', (d: Buffer) => parts.push(d));
          stream.on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(parts) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export async function seedFiles(): Promise<SeedFile[]> {
  const docxBytes = await docx();
  const xlsxBytes = await xlsx();
  const epub = epubEntries();
  return [
    { ext: 'pdf', bytes: await pdf() },
    { ext: 'docx', bytes: docxBytes, entries: await unzip(docxBytes) },
    { ext: 'xlsx', bytes: xlsxBytes, entries: await unzip(xlsxBytes) },
    { ext: 'epub', bytes: makeZip(epub), entries: epub },
    {
      ext: 'html',
      bytes: Buffer.from(
        '<!doctype html><html><head><title>Visa</title></head><body><nav>menu</nav><h1>KITAS</h1><p>Sponsor letter &amp; passport.</p><table><tr><td>a</td></tr></table></body></html>',
      ),
    },
    {
      ext: 'csv',
      bytes: Buffer.from('name,city,revenue\n"PT Maju",Jakarta,1500\n"CV ""Sentosa""",Bali,320.5\n'),
    },
    {
      ext: 'md',
      bytes: Buffer.from('# Visa\n\n## KITAS\n\nA *sponsor* letter.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'),
    },
    { ext: 'txt', bytes: Buffer.from('Catatan pajak: NPWP wajib untuk PT.\n\nKITAS sponsor.\n') },
    {
      ext: 'json',
      bytes: Buffer.from('{"title":"Visa","items":[{"name":"KITAS","days":30},{"name":"KITAP"}]}'),
    },
    { ext: 'jsonl', bytes: Buffer.from('{"q":"a"}\n{"q":"b"}\n') },
    {
      ext: 'ts',
      bytes: Buffer.from('export function visa(days: number): string {\n  return `KITAS ${days}`;\n}\n'),
    },
  ];
}
