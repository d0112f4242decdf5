// A many-page text PDF for the large-document import tests, written object by object (no library:
// pdf-lib takes far longer to lay out thousands of pages). Every page is a full page of prose
// (deflated, as real PDFs are), and one of its lines is a sentence only that page has (see
// `pageSentence`).
import zlib from 'node:zlib';
import { rawPdf } from './extractor-fixtures.ts';
import { rng } from './prng.ts';

const SYLLABLES = ['ba', 'ke', 'lu', 'mo', 'ri', 'sa', 'tu', 'wa', 'di', 'ngo', 'pe', 'ja'];

/** A made-up word unique to `n` (base-12 syllables), so a page's own sentence is findable by its words. */
export function pageWord(n: number): string {
  let word = '';
  let rest = n;
  do {
    word += SYLLABLES[rest % SYLLABLES.length];
    rest = Math.floor(rest / SYLLABLES.length);
  } while (rest > 0);
  return `${word}ran`;
}

/** The sentence that appears on page `page` (1-based) and nowhere else. */
export function pageSentence(page: number): string {
  return `The permit office of ${pageWord(page)} stamps the sponsor letter on page ${page}.`;
}

const VOCABULARY = (
  'the a of and to in for on with by at from permit visa stay sponsor letter office applicant ' +
  'passport copy receipt fee bank appointment desk document dependant spouse child company tax ' +
  'number form signature stamp immigration ministry regulation article clause period month year ' +
  'renewal extension residence work report annual notice must may shall before after within ' +
  'each every other new valid expired original certified translated submitted approved refused'
).split(' ');

/** Filler prose lines (about 80 characters each), the same for the same page on every run. */
function fillerLines(page: number, count: number): string[] {
  const next = rng(page);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    let line = '';
    while (line.length < 80) line += `${VOCABULARY[Math.floor(next() * VOCABULARY.length)]} `;
    lines.push(`${line.trim()}.`);
  }
  return lines;
}

const escapePdf = (s: string): string => s.replace(/[\\()]/g, (c) => `\\${c}`);

/**
 * A text PDF of `pages` pages with a flat page tree and one shared Helvetica font: a heading line,
 * the page's own sentence, then `fillerPerPage` lines of prose, in a deflated content stream.
 */
export function manyPagePdf(pages: number, fillerPerPage = 11): Buffer {
  // 1 catalog, 2 page tree, 3 font, then per page: its page object and its content stream.
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '', // the page tree, filled in once the page object numbers are known
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  const kids: string[] = [];
  for (let page = 1; page <= pages; page++) {
    const pageObj = objects.length + 1;
    kids.push(`${pageObj} 0 R`);
    const lines = [
      `Handbook of stay permits, page ${page}.`,
      pageSentence(page),
      ...fillerLines(page, fillerPerPage),
    ];
    const text = lines.map((line) => `(${escapePdf(line)}) Tj T*`).join('\n');
    const stream = zlib.deflateSync(Buffer.from(`BT /F1 9 Tf 12 TL 40 800 Td\n${text}\nET`, 'latin1'));
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageObj + 1} 0 R >>`,
      `<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n${stream.toString('latin1')}\nendstream`,
    );
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  return rawPdf(objects);
}
