// Writes the sources that scripts/fetch-real-docs.sh --office hands to LibreOffice, from the Debian
// Administrator's Handbook (English and Indonesian), so the PPTX/ODP/ODT/ODS/RTF fixtures are
// LibreOffice's own output made from real text:
//   <out>/apt-chapter.<lang>.fodp   Chapter 6 as a slide deck: a slide per h1–h3 heading, the first
//                                   sentences of its first paragraphs as bullets, the next paragraph
//                                   as speaker notes; the "APT Patterns" slide is hidden
//   <out>/handbook-tables.<lang>.fods   the handbook's tables, a sheet each, plus a sheet listing the
//                                   chapter's sections (with numbers) and a hidden sheet
//   <out>/sect.apt-get.<lang>.html  the apt-get page without its navigation, with an author
// Files are rewritten only when their content changes, so the conversions (make-style, by mtime)
// run again only when needed.
//   npx tsx scripts/office-fixture-sources.ts <handbook html dir> <out dir>
import fs from 'node:fs';
import path from 'node:path';
import { Parser } from 'htmlparser2';

const AUTHORS = 'Raphaël Hertzog, Roland Mas';
const LANGS = ['en-US', 'id-ID'] as const;
const SUBTITLE: Record<string, string> = {
  'en-US': "The Debian Administrator's Handbook",
  'id-ID': 'Buku Panduan Administrator Debian',
};
const HIDDEN_SLIDE_ID = 'sect.apt-patterns';
const MAX_SLIDES = 60;

interface Heading {
  level: number;
  id: string;
  text: string;
  paragraphs: string[];
}

interface HandbookTable {
  title: string;
  rows: string[][];
}

const clean = (text: string) => text.replace(/\s+/g, ' ').trim();
const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Headings (h1–h4 titles) with the paragraphs under them, and the tables, of one handbook page. */
function readPage(file: string): { headings: Heading[]; tables: HandbookTable[] } {
  const headings: Heading[] = [];
  const tables: HandbookTable[] = [];
  const stack: { name: string; cls: string }[] = [];
  let heading: { level: number; id: string; text: string } | null = null;
  let para: string | null = null;
  let table: HandbookTable | null = null;
  let tableTitle: string | null = null;
  let cell: string | null = null;
  let row: string[] | null = null;
  const inside = (cls: string) => stack.some((f) => f.cls.split(/\s+/).includes(cls));
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const cls = attrs.class ?? '';
        stack.push({ name, cls });
        if (/^h[1-4]$/.test(name) && cls === 'title' && inside('titlepage')) {
          heading = { level: Number(name[1]), id: '', text: '' };
        } else if (heading && name === 'a' && attrs.id && !heading.id) {
          heading.id = attrs.id;
        } else if (name === 'div' && cls === 'para' && !inside('sidebar') && !inside('table')) {
          para = '';
        } else if (name === 'div' && cls === 'table') {
          tableTitle = '';
        } else if (name === 'table' && tableTitle !== null) {
          table = { title: clean(tableTitle), rows: [] };
          tableTitle = null;
        } else if (table && name === 'tr') {
          row = [];
        } else if (row && (name === 'td' || name === 'th')) {
          cell = '';
        }
      },
      ontext(text) {
        if (heading) heading.text += text;
        else if (cell !== null) cell += text;
        else if (para !== null) para += text;
        else if (tableTitle !== null && stack.some((f) => f.name === 'strong')) tableTitle += text;
      },
      onclosetag(name) {
        const frame = stack.pop();
        if (heading && /^h[1-4]$/.test(name)) {
          headings.push({ ...heading, text: clean(heading.text), paragraphs: [] });
          heading = null;
        } else if (para !== null && name === 'div' && frame?.cls === 'para') {
          const text = clean(para);
          if (text) headings.at(-1)?.paragraphs.push(text);
          para = null;
        } else if (cell !== null && (name === 'td' || name === 'th')) {
          row?.push(clean(cell));
          cell = null;
        } else if (row && name === 'tr') {
          if (row.some(Boolean)) table?.rows.push(row);
          row = null;
        } else if (table && name === 'table') {
          tables.push(table);
          table = null;
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(fs.readFileSync(file, 'utf8'));
  parser.end();
  return { headings, tables };
}

/** The chapter page and its sections' pages, in the order of the chapter's table of contents. */
function chapterPages(dir: string, chapter: string): string[] {
  const html = fs.readFileSync(path.join(dir, chapter), 'utf8');
  const pages = [chapter];
  for (const match of html.matchAll(/<span class="section"><a href="([^"#]+\.html)">/g)) {
    if (!pages.includes(match[1]!)) pages.push(match[1]!);
  }
  return pages;
}

/** At most `max` sentences, at most ~280 characters. */
function firstSentences(text: string, max = 2): string {
  const sentences = text.split(/(?<=[.!?])\s+/);
  let out = '';
  for (const sentence of sentences.slice(0, max)) {
    if (out && out.length + sentence.length > 280) break;
    out += (out ? ' ' : '') + sentence;
  }
  return out;
}

const NS = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
  'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"',
  'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"',
  'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"',
  'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"',
  'xmlns:dc="http://purl.org/dc/elements/1.1/"',
  'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"',
].join(' ');

function meta(title: string, lang: string): string {
  return `<office:meta><dc:title>${escapeXml(title)}</dc:title><meta:initial-creator>${escapeXml(AUTHORS)}</meta:initial-creator><dc:creator>${escapeXml(AUTHORS)}</dc:creator><dc:language>${lang}</dc:language></office:meta>`;
}

const textBox = (cls: string, y: number, height: number, paragraphs: string[], list = false) => {
  const body = paragraphs.map((p) => `<text:p>${escapeXml(p)}</text:p>`);
  const content = list
    ? `<text:list>${body.map((p) => `<text:list-item>${p}</text:list-item>`).join('')}</text:list>`
    : body.join('');
  return `<draw:frame presentation:style-name="pr1" draw:layer="layout" presentation:class="${cls}" svg:x="1.4cm" svg:y="${y}cm" svg:width="25.2cm" svg:height="${height}cm"><draw:text-box>${content}</draw:text-box></draw:frame>`;
};

function deck(dir: string, lang: string): string {
  const headings = chapterPages(dir, 'apt.html').flatMap((page) => readPage(path.join(dir, page)).headings);
  const slides: string[] = [];
  for (const heading of headings.filter((h) => h.level <= 3).slice(0, MAX_SLIDES)) {
    const n = slides.length + 1;
    const bullets =
      n === 1 ? [SUBTITLE[lang]!] : heading.paragraphs.slice(0, 3).map((p) => firstSentences(p));
    const notes = heading.paragraphs.slice(n === 1 ? 0 : 3, n === 1 ? 1 : 4);
    const style = heading.id === HIDDEN_SLIDE_ID ? 'dpHidden' : 'dp1';
    slides.push(
      `<draw:page draw:name="page${n}" draw:style-name="${style}" draw:master-page-name="Default" presentation:presentation-page-layout-name="AL1T1">` +
        textBox('title', 0.6, 2.6, [heading.text]) +
        (bullets.length ? textBox(n === 1 ? 'subtitle' : 'outline', 3.7, 9.1, bullets, n !== 1) : '') +
        (notes.length
          ? `<presentation:notes>${textBox('notes', 14.1, 13.4, notes).replace('svg:x="1.4cm"', 'svg:x="2.1cm"')}</presentation:notes>`
          : '') +
        '</draw:page>',
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document ${NS} office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation">
${meta(headings[0]!.text, lang)}
<office:styles><style:presentation-page-layout style:name="AL1T1"><presentation:placeholder presentation:object="title" svg:x="1.4cm" svg:y="0.6cm" svg:width="25.2cm" svg:height="2.6cm"/><presentation:placeholder presentation:object="outline" svg:x="1.4cm" svg:y="3.7cm" svg:width="25.2cm" svg:height="9.1cm"/></style:presentation-page-layout></office:styles>
<office:automatic-styles><style:page-layout style:name="PM1"><style:page-layout-properties fo:page-width="28cm" fo:page-height="15.75cm" style:print-orientation="landscape"/></style:page-layout><style:style style:name="pr1" style:family="presentation"/><style:style style:name="dp1" style:family="drawing-page"/><style:style style:name="dpHidden" style:family="drawing-page"><style:drawing-page-properties presentation:visibility="hidden"/></style:style></office:automatic-styles>
<office:master-styles><style:master-page style:name="Default" style:page-layout-name="PM1"/></office:master-styles>
<office:body><office:presentation>
${slides.join('\n')}
</office:presentation></office:body></office:document>
`;
}

function workbook(dir: string, lang: string): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.html'));
  const tables = files.sort().flatMap((f) => readPage(path.join(dir, f)).tables);
  const cell = (value: string) =>
    /^\d+$/.test(value)
      ? `<table:table-cell office:value-type="float" office:value="${value}"><text:p>${value}</text:p></table:table-cell>`
      : `<table:table-cell office:value-type="string"><text:p>${escapeXml(value)}</text:p></table:table-cell>`;
  const sheet = (name: string, rows: string[][], style = 'ta1') =>
    `<table:table table:name="${escapeXml(name)}" table:style-name="${style}">` +
    rows.map((r) => `<table:table-row>${r.map(cell).join('')}</table:table-row>`).join('') +
    '</table:table>';
  const sheets = tables
    .filter((t) => t.rows.length > 1)
    .map((t) => sheet(/^\S+ [\d.]+\d/.exec(t.title)?.[0] ?? t.title.slice(0, 31), t.rows));
  const sections = chapterPages(dir, 'apt.html')
    .flatMap((page) => readPage(path.join(dir, page)).headings)
    .filter((h) => h.level === 2)
    .map((h) => [
      h.text.split(' ')[0]!.replace(/\.$/, ''),
      h.text.replace(/^[\d.]+\s*/, ''),
      String(h.paragraphs.length),
    ]);
  sheets.push(
    sheet(lang === 'id-ID' ? 'Bagian' : 'Sections', [['Section', 'Title', 'Paragraphs'], ...sections]),
  );
  sheets.push(sheet('Hidden', [['This sheet is hidden'], ['Its text is not indexed']], 'ta2'));
  const title =
    lang === 'id-ID'
      ? 'Tabel Buku Panduan Administrator Debian'
      : "Tables of the Debian Administrator's Handbook";
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document ${NS} office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
${meta(title, lang)}
<office:automatic-styles><style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style><style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles>
<office:body><office:spreadsheet>
${sheets.join('\n')}
</office:spreadsheet></office:body></office:document>
`;
}

/** The page without the handbook's navigation (banner, logo links, prev/next bars), with its authors. */
function page(dir: string, name: string): string {
  return fs
    .readFileSync(path.join(dir, name), 'utf8')
    .replace(/<div id="banner">.*?<\/div>/s, '')
    .replace(/<p id="title">.*?<\/p>/s, '')
    .replace(/<ul class="docnav[^"]*">.*?<\/ul>/gs, '')
    .replace('<head>', `<head><meta name="author" content="${AUTHORS}" />`);
}

function writeIfChanged(file: string, content: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) return;
  fs.writeFileSync(file, content);
  console.log(`wrote ${file}`);
}

const [handbook, out] = process.argv.slice(2);
if (!handbook || !out) {
  console.error('usage: office-fixture-sources.ts <handbook html dir> <out dir>');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
for (const lang of LANGS) {
  const dir = path.join(handbook, lang);
  writeIfChanged(path.join(out, `apt-chapter.${lang}.fodp`), deck(dir, lang));
  writeIfChanged(path.join(out, `handbook-tables.${lang}.fods`), workbook(dir, lang));
  writeIfChanged(path.join(out, `sect.apt-get.${lang}.html`), page(dir, 'sect.apt-get.html'));
}
