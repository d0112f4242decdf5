import fs from 'node:fs';
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

const PPTX_NS =
  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"';
const RELS = (target: string, type: string) =>
  `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/></Relationships>`;
const pptxShape = (ph: string, text: string) =>
  `<p:sp><p:nvSpPr><p:nvPr><p:ph type="${ph}"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>${text}</a:t></a:r></a:p></p:txBody></p:sp>`;

function pptxEntries(): ZipEntryInput[] {
  return [
    {
      name: 'ppt/presentation.xml',
      data: `<p:presentation ${PPTX_NS}><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>`,
    },
    { name: 'ppt/_rels/presentation.xml.rels', data: RELS('slides/slide1.xml', 'slide') },
    {
      name: 'ppt/slides/slide1.xml',
      data: `<p:sld ${PPTX_NS}><p:cSld><p:spTree>${pptxShape('title', 'KITAS')}${pptxShape('body', 'Sponsor letter')}</p:spTree></p:cSld></p:sld>`,
    },
    { name: 'ppt/slides/_rels/slide1.xml.rels', data: RELS('../notesSlides/notesSlide1.xml', 'notesSlide') },
    {
      name: 'ppt/notesSlides/notesSlide1.xml',
      data: `<p:notes ${PPTX_NS}><p:cSld><p:spTree>${pptxShape('body', 'Ask for the passport.')}</p:spTree></p:cSld></p:notes>`,
    },
  ];
}

const ODF_NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"';

function odfEntries(kind: string, body: string): ZipEntryInput[] {
  return [
    { name: 'mimetype', data: `application/vnd.oasis.opendocument.${kind}`, method: 'store' },
    {
      name: 'content.xml',
      data: `<office:document-content ${ODF_NS}><office:body>${body}</office:body></office:document-content>`,
    },
    {
      name: 'meta.xml',
      data: '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>Visa</dc:title></office:meta></office:document-meta>',
    },
  ];
}

const ODT_BODY =
  '<office:text><text:h text:outline-level="1">KITAS</text:h><text:p>Sponsor<text:s text:c="2"/>letter.</text:p><text:list><text:list-item><text:p>Paspor</text:p></text:list-item></text:list><table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-cell></table:table-row></table:table></office:text>';
const ODS_BODY =
  '<office:spreadsheet><table:table table:name="Klien"><table:table-row><table:table-cell><text:p>Name</text:p></table:table-cell><table:table-cell><text:p>City</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2"><text:p>PT Maju</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>';
const ODP_BODY =
  '<office:presentation><draw:page draw:name="p1"><draw:frame presentation:class="title"><draw:text-box><text:p>KITAS</text:p></draw:text-box></draw:frame><draw:frame presentation:class="outline"><draw:text-box><text:p>Sponsor letter</text:p></draw:text-box></draw:frame><presentation:notes><draw:frame presentation:class="notes"><draw:text-box><text:p>Passport</text:p></draw:text-box></draw:frame></presentation:notes></draw:page></office:presentation>';
/** A multipart message: a Latin-1 quoted-printable subject and body, an HTML part, a quote. */
const EML = [
  'From: Budi <budi@example.co.id>',
  'To: =?iso-8859-1?q?Ren=E9?= <rene@example.com>',
  'Subject: =?iso-8859-1?q?Jadwal_wawancara_Ren=E9?=',
  'Date: Mon, 3 Mar 2025 09:12:00 +0700',
  'Message-ID: <m1@example.co.id>',
  'References: <m0@example.co.id>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Wawancara hari Senin, Pak Ren=E9.',
  '',
  'On Sun, 2 Mar 2025 Sari <s@example.co.id> wrote:',
  '> Kapan wawancaranya?',
  '--b',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Wawancara hari <b>Senin</b>.</p><blockquote>Kapan?</blockquote>',
  '--b--',
  '',
].join('\r\n');

const RTF = String.raw`{\rtf1\ansi\ansicpg1252{\fonttbl{\f0\fswiss\fcharset0 Arial;}}{\stylesheet{\s1\outlinelevel0 heading 1;}}{\info{\title Visa}{\author Dewi}}\pard\s1 KITAS\par\pard Sponsor letter \'97 na\u239?ve{\*\unknown x}.\par\trowd\cellx1000\intbl a\cell b\cell\row}`;

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
    ...(
      [
        ['pptx', pptxEntries()],
        ['odt', odfEntries('text', ODT_BODY)],
        ['ods', odfEntries('spreadsheet', ODS_BODY)],
        ['odp', odfEntries('presentation', ODP_BODY)],
      ] as const
    ).map(([ext, entries]) => ({ ext, bytes: makeZip(entries), entries })),
    { ext: 'rtf', bytes: Buffer.from(RTF, 'latin1') },
    { ext: 'eml', bytes: Buffer.from(EML, 'latin1') },
    // A real Outlook message (an OLE compound file) with PDFs and a message attached.
    { ext: 'msg', bytes: fs.readFileSync(new URL('../fixtures/msgreader/Outer mail.msg', import.meta.url)) },
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
