import type { Extractor } from '../types.ts';
import { htmlToSections, sectionsOrHeadings } from './html.ts';
import { readRtf } from './rtf-reader.ts';
import type { RtfBlock } from './rtf-reader.ts';

/**
 * RTF: paragraphs, headings and table rows (rtf-reader.ts) become plain HTML for the HTML section
 * walker, as DOCX and ODT do, so headings, tables and lists come out as for every format.
 */
export const extractRtf: Extractor = async ({ bytes, signal }) => {
  const rtf = readRtf(bytes, signal);
  const content = htmlToSections(blocksToHtml(rtf.blocks));
  return {
    title: rtf.title,
    author: rtf.author,
    fileType: 'rtf',
    mime: 'application/rtf',
    sections: sectionsOrHeadings(content),
    pageCount: null,
    warnings: [],
  };
};

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const lines = (text: string) => escapeHtml(text).replace(/\n/g, '<br>');

/**
 * Consecutive table rows make one table, consecutive list items one block of lines (each keeps
 * the bullet or number RTF wrote), consecutive code paragraphs one <pre>.
 */
function blocksToHtml(blocks: RtfBlock[]): string {
  const out: string[] = [];
  let open: 'table' | 'list' | 'pre' | null = null;
  const close = () => {
    if (open === 'table') out.push('</table>');
    else if (open === 'list') out.push('</div>');
    else if (open === 'pre') out.push('</pre>');
    open = null;
  };
  const start = (kind: 'table' | 'list' | 'pre', tag: string, separator: string) => {
    if (open === kind) out.push(separator);
    else {
      close();
      out.push(tag);
      open = kind;
    }
  };
  for (const block of blocks) {
    if (block.kind === 'row') {
      start('table', '<table>', '');
      out.push(`<tr>${block.cells.map((cell) => `<td>${lines(cell)}</td>`).join('')}</tr>`);
    } else if (block.pre && block.level === null) {
      start('pre', '<pre>', '\n');
      out.push(escapeHtml(block.text));
    } else if (block.list) {
      start('list', '<div>', '<br>');
      out.push(lines(block.text));
    } else {
      close();
      const tag = block.level === null ? 'div' : `h${Math.min(6, block.level)}`;
      out.push(`<${tag}>${lines(block.text)}</${tag}>`);
    }
  }
  close();
  return out.join('');
}
