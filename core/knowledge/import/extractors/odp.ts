import type { Extractor } from '../types.ts';
import { openOdf } from './odf-package.ts';
import { ODF_SKIPPED, odfInlineText, stylesWhere } from './odf-text.ts';
import { walkOfficeXml } from './office-xml.ts';
import { slidesToSections } from './slides.ts';
import type { Slide } from './slides.ts';

/** Placeholders that repeat on every slide or notes page and say nothing of their own. */
const FURNITURE = new Set(['page-number', 'date-time', 'footer', 'header', 'page', 'handout']);
/** Elements that are one shape on a slide (a group's shapes count one by one). */
const SHAPES = new Set([
  'draw:frame',
  'draw:custom-shape',
  'draw:rect',
  'draw:ellipse',
  'draw:circle',
  'draw:polygon',
  'draw:polyline',
  'draw:path',
  'draw:line',
  'draw:connector',
  'draw:caption',
  'draw:measure',
  'draw:regular-polygon',
]);

/**
 * ODP: each draw:page of the presentation is a slide, in document order; the frame of class
 * "title" is its heading, the other shapes its text, the notes page (presentation:notes) its
 * speaker notes; a page whose style says presentation:visibility="hidden" is a hidden slide
 * (see slides.ts). The ZIP has passed the zip guard.
 */
export const extractOdp: Extractor = async ({ path: file, bytes }) => {
  const pkg = await openOdf(file, bytes, 'presentation');
  const hiddenStyles = stylesWhere(
    [pkg.content, pkg.styles],
    'drawing-page',
    (name, attrs) =>
      name === 'style:drawing-page-properties' && attrs['presentation:visibility'] === 'hidden',
  );
  const slides = readSlides(pkg.content, hiddenStyles);
  const { sections, warnings } = slidesToSections(slides);
  return {
    title: pkg.properties.title,
    author: pkg.properties.author,
    fileType: 'odp',
    mime: 'application/vnd.oasis.opendocument.presentation',
    sections,
    pageCount: slides.length,
    warnings,
  };
};

interface Shape {
  kind: 'title' | 'body' | 'skip';
  paragraphs: string[];
  depth: number;
}

function readSlides(content: string, hiddenStyles: Set<string>): Slide[] {
  const slides: Slide[] = [];
  let slide: Slide | null = null;
  let inNotes = false;
  let depth = 0;
  let skipDepth = 0;
  let shape: Shape | null = null;
  let paragraph: string | null = null;
  let row: string[] | null = null;
  let rows: string[] = [];
  const finishShape = () => {
    if (!shape || !slide) return;
    const text = shape.paragraphs.join('\n').trim();
    if (shape.kind === 'title' && !inNotes) slide.title ??= text.replace(/\s+/g, ' ') || null;
    else if (shape.kind !== 'skip' && text) (inNotes ? slide.notes : slide.body).push(text);
    shape = null;
  };
  walkOfficeXml(content, {
    open(name, attrs) {
      depth++;
      if (skipDepth > 0 || ODF_SKIPPED.has(name)) {
        skipDepth++;
        return;
      }
      if (name === 'draw:page' && !slide) {
        const hidden = hiddenStyles.has(attrs['draw:style-name'] ?? '');
        slide = { number: slides.length + 1, hidden, title: null, body: [], notes: [] };
      } else if (!slide) {
        return;
      } else if (name === 'presentation:notes') {
        inNotes = true;
      } else if (SHAPES.has(name) && !shape) {
        const cls = attrs['presentation:class'] ?? '';
        const kind = cls === 'title' ? 'title' : FURNITURE.has(cls) ? 'skip' : 'body';
        shape = { kind, paragraphs: [], depth };
      } else if (name === 'table:table-row') {
        row = [];
      } else if (name === 'table:table-cell' && row) {
        row.push('');
      } else if (name === 'text:p' || name === 'text:h') {
        paragraph = '';
      } else if (paragraph !== null) {
        paragraph += odfInlineText(name, attrs) ?? '';
      }
    },
    text(data) {
      if (skipDepth === 0 && paragraph !== null) paragraph += data;
    },
    close(name) {
      depth--;
      if (skipDepth > 0) {
        skipDepth--;
        return;
      }
      if (!slide) return;
      if ((name === 'text:p' || name === 'text:h') && paragraph !== null) {
        const text = paragraph.trim();
        paragraph = null;
        if (!text) return;
        if (row) row[row.length - 1] = [row.at(-1), text].filter(Boolean).join(' ');
        else shape?.paragraphs.push(text);
      } else if (name === 'table:table-row' && row) {
        if (row.some((cell) => cell !== '')) rows.push(row.join(' | '));
        row = null;
      } else if (name === 'table:table' && shape) {
        if (rows.length > 0) shape.paragraphs.push(rows.join('\n'));
        rows = [];
      } else if (shape && depth + 1 === shape.depth && SHAPES.has(name)) {
        finishShape();
      } else if (name === 'presentation:notes') {
        inNotes = false;
      } else if (name === 'draw:page') {
        slides.push(slide);
        slide = null;
      }
    },
  });
  return slides;
}
