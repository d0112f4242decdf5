import type { Extractor } from '../types.ts';
import { htmlToSections, sectionsOrHeadings } from './html.ts';
import { openOdf } from './odf-package.ts';
import { ODF_SKIPPED, odfInlineText, stylesWhere } from './odf-text.ts';
import { walkOfficeXml } from './office-xml.ts';

/**
 * ODT: the body's XML becomes plain HTML (text:h with its outline level → h1–h6, paragraphs,
 * lists, tables, footnotes after their paragraph) and goes through the HTML section walker, as
 * DOCX does through mammoth: headings, lists and tables come out as they do for every format.
 * The ZIP has passed the zip guard.
 */
export const extractOdt: Extractor = async ({ path: file, bytes }) => {
  const pkg = await openOdf(file, bytes, 'text');
  const preformatted = stylesWhere(
    [pkg.content, pkg.styles],
    'paragraph',
    (name, attrs) =>
      name === 'style:style' &&
      PREFORMATTED.test(`${attrs['style:name']} ${attrs['style:parent-style-name'] ?? ''}`),
  );
  const content = htmlToSections(odtToHtml(pkg.content, preformatted));
  return {
    title: pkg.properties.title ?? content.title,
    author: pkg.properties.author,
    fileType: 'odt',
    mime: 'application/vnd.oasis.opendocument.text',
    sections: sectionsOrHeadings(content),
    pageCount: null,
    warnings: [],
  };
};

/** Paragraph styles of code and other text whose lines and spaces count ("Preformatted Text"). */
const PREFORMATTED = /preformatted|source_20_code|\bcode\b|listing/i;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const BLOCKS: Record<string, [string, string]> = {
  'text:list': ['<ul>', '</ul>'],
  'text:list-item': ['<li>', '</li>'],
  'text:list-header': ['<li>', '</li>'],
  'table:table': ['<table>', '</table>'],
  'table:table-row': ['<tr>', '</tr>'],
  'table:table-cell': ['<td>', '</td>'],
};

/** content.xml's office:text → HTML, streaming. */
export function odtToHtml(content: string, preformatted: Set<string> = new Set()): string {
  const out: string[] = [];
  let notes: string[] = [];
  let inBody = false;
  let skipDepth = 0;
  let noteDepth = 0;
  /** Open paragraphs and headings, innermost last: what each closes with. */
  const paragraphs: string[] = [];
  const parents: string[] = [];
  const sink = () => (noteDepth > 0 ? notes : out);
  walkOfficeXml(content, {
    open(name, attrs) {
      const parent = parents.at(-1);
      parents.push(name);
      if (name === 'office:text') inBody = true;
      if (!inBody) return;
      const hidden =
        (name === 'text:section' && attrs['text:display'] === 'none') ||
        name === 'text:hidden-text' ||
        (name === 'text:hidden-paragraph' && attrs['text:is-hidden'] !== 'false');
      if (skipDepth > 0 || ODF_SKIPPED.has(name) || hidden) {
        skipDepth++;
        return;
      }
      if (name === 'text:note') {
        noteDepth++;
        return;
      }
      if (name === 'text:h') {
        const level = Math.min(6, Math.max(1, Number(attrs['text:outline-level'] ?? 1) || 1));
        sink().push(`<h${level}>`);
        paragraphs.push(`</h${level}>`);
      } else if (name === 'text:p') {
        const inItem = parent === 'text:list-item' || parent === 'text:list-header';
        const pre = preformatted.has(attrs['text:style-name'] ?? '');
        const [open, close] = inItem ? ['', '<br>'] : pre ? ['<pre>', '</pre>'] : ['<div>', '</div>'];
        const target = sink();
        // Consecutive code lines (one paragraph each) make one block.
        if (pre && target.at(-1) === '</pre>') target[target.length - 1] = '\n';
        else target.push(open);
        paragraphs.push(close);
      } else if (BLOCKS[name]) {
        sink().push(BLOCKS[name][0]);
      } else {
        // Inside a code block a run of spaces is indentation: kept (up to 1,000), not capped at 8.
        const inline = odfInlineText(name, attrs, paragraphs.at(-1) === '</pre>');
        if (inline !== null) sink().push(inline === '\n' ? '<br>' : inline);
      }
    },
    text(data) {
      if (inBody && skipDepth === 0 && paragraphs.length > 0) sink().push(escapeHtml(data));
    },
    close(name) {
      parents.pop();
      if (!inBody) return;
      if (skipDepth > 0) {
        skipDepth--;
        return;
      }
      if (name === 'office:text') inBody = false;
      else if (name === 'text:note') noteDepth--;
      else if (name === 'text:h' || name === 'text:p') {
        sink().push(paragraphs.pop() ?? '');
        if (paragraphs.length === 0 && noteDepth === 0 && notes.length > 0) {
          out.push(...notes);
          notes = [];
        }
      } else if (BLOCKS[name]) sink().push(BLOCKS[name][1]);
    },
  });
  return out.join('');
}
