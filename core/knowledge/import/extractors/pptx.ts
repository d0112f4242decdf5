import type { Extractor } from '../types.ts';
import { ExtractError, displayName } from '../extract-error.ts';
import { openZip } from './zip-book.ts';
import type { ZipBook } from './zip-book.ts';
import { readDocumentProperties, readRelationships, relsPathOf, walkOfficeXml } from './office-xml.ts';
import { slidesToSections } from './slides.ts';
import type { Slide } from './slides.ts';

const MIME = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
/** Placeholders that repeat on every slide or notes page and say nothing of their own. */
const FURNITURE = new Set(['sldNum', 'dt', 'ftr', 'hdr', 'sldImg']);
const TITLES = new Set(['title', 'ctrTitle']);

/**
 * PPTX: the slide order is presentation.xml's slide list (not the part names); each slide's title
 * placeholder is its heading, the other shapes (text boxes, tables, groups, SmartArt text) its
 * text, its notes page its speaker notes (see slides.ts). The ZIP has passed the zip guard.
 */
export const extractPptx: Extractor = async ({ path: file, bytes, signal }) => {
  const deck = await openZip(bytes, file);
  try {
    const presentation = await deck.text('ppt/presentation.xml');
    if (presentation === null) {
      throw new ExtractError(
        'corrupt',
        file,
        `${displayName(file)} is not a PowerPoint presentation (it has no ppt/presentation.xml)`,
      );
    }
    const rels = readRelationships(
      await deck.text('ppt/_rels/presentation.xml.rels'),
      'ppt/presentation.xml',
    );
    const slides: Slide[] = [];
    // A part is read once: a slide list (or notes links) naming one part many times would
    // otherwise repeat its text as often as it likes.
    const read = new Set<string>();
    let repeated = false;
    for (const id of slideIds(presentation)) {
      signal.throwIfAborted();
      const part = rels.get(id)?.target;
      if (part && read.has(part)) repeated = true;
      const slide = part && !read.has(part) ? await readSlide(deck, part, slides.length + 1, read) : null;
      slides.push(slide ?? { number: slides.length + 1, hidden: false, title: null, body: [], notes: [] });
    }
    const { sections, warnings } = slidesToSections(slides);
    if (repeated) warnings.push('slides listed more than once were read once');
    const props = readDocumentProperties(await deck.text('docProps/core.xml'));
    return {
      title: props.title,
      author: props.author,
      fileType: 'pptx',
      mime: MIME,
      sections,
      pageCount: slides.length,
      warnings,
    };
  } finally {
    deck.close();
  }
};

/** The relationship ids of presentation.xml's <p:sldIdLst>, in slide order. */
function slideIds(presentationXml: string): string[] {
  const ids: string[] = [];
  let inList = false;
  walkOfficeXml(presentationXml, {
    open(name, attrs) {
      if (name === 'p:sldIdLst') inList = true;
      else if (inList && name === 'p:sldId' && attrs['r:id']) ids.push(attrs['r:id']);
    },
    close(name) {
      if (name === 'p:sldIdLst') inList = false;
    },
  });
  return ids;
}

async function readSlide(
  deck: ZipBook,
  part: string,
  number: number,
  read: Set<string>,
): Promise<Slide | null> {
  read.add(part);
  const xml = await deck.text(part);
  if (xml === null) return null;
  const shapes = readShapes(xml);
  const rels = readRelationships(await deck.text(relsPathOf(part)), part);
  const notes: string[] = [];
  const body = shapes.texts;
  for (const rel of rels.values()) {
    const wanted = rel.type.endsWith('/notesSlide') || rel.type.endsWith('/diagramData');
    if (!wanted || read.has(rel.target)) continue;
    read.add(rel.target);
    if (rel.type.endsWith('/notesSlide')) {
      const notesXml = await deck.text(rel.target);
      if (notesXml) notes.push(...readShapes(notesXml).texts);
    } else if (rel.type.endsWith('/diagramData')) {
      // SmartArt keeps its text in a part of its own; the slide holds only its drawing.
      const data = await deck.text(rel.target);
      if (data) body.push(...readShapes(data, true).texts);
    }
  }
  return { number, hidden: shapes.hidden, title: shapes.title, body, notes };
}

interface Shape {
  kind: 'title' | 'body' | 'skip';
  paragraphs: string[];
}

/**
 * The text of one slide, notes page or SmartArt data part: each shape (p:sp), table
 * (a:tbl, a row per line, cells joined by " | ") or diagram point's paragraphs, in document order.
 * mc:Fallback duplicates its mc:Choice and is skipped.
 */
function readShapes(
  xml: string,
  diagram = false,
): { title: string | null; texts: string[]; hidden: boolean } {
  let hidden = false;
  let title: string | null = null;
  const texts: string[] = [];
  let shape: Shape | null = null;
  let skipDepth = 0;
  let row: string[] | null = null;
  let cell: string[] | null = null;
  let rows: string[] = [];
  let paragraph: string | null = null;
  let inText = false;
  const finishShape = () => {
    if (!shape) return;
    const text = shape.paragraphs.join('\n').trim();
    if (shape.kind === 'title') title ??= text.replace(/\s+/g, ' ') || null;
    else if (shape.kind === 'body' && text) texts.push(text);
    shape = null;
  };
  walkOfficeXml(xml, {
    open(name, attrs) {
      if (skipDepth > 0 || name === 'mc:Fallback') {
        skipDepth++;
        return;
      }
      if (name === 'p:sld' && (attrs.show === '0' || attrs.show === 'false')) hidden = true;
      else if (name === 'p:sp' || (diagram && name === 'dgm:pt')) shape = { kind: 'body', paragraphs: [] };
      else if (name === 'p:ph' && shape) {
        const type = attrs.type ?? 'body';
        shape.kind = TITLES.has(type) ? 'title' : FURNITURE.has(type) ? 'skip' : shape.kind;
      } else if (name === 'a:tbl') rows = [];
      else if (name === 'a:tr') row = [];
      else if (name === 'a:tc') cell = [];
      else if (name === 'a:p') paragraph = '';
      else if (name === 'a:t') inText = true;
      else if (name === 'a:br' && paragraph !== null) paragraph += '\n';
    },
    text(data) {
      if (inText && skipDepth === 0 && paragraph !== null) paragraph += data;
    },
    close(name) {
      if (skipDepth > 0) {
        skipDepth--;
        return;
      }
      if (name === 'a:t') inText = false;
      else if (name === 'a:p' && paragraph !== null) {
        const text = paragraph.trim();
        if (text) (cell ?? shape?.paragraphs ?? texts).push(text);
        paragraph = null;
      } else if (name === 'a:tc' && cell && row) {
        row.push(cell.join(' '));
        cell = null;
      } else if (name === 'a:tr' && row) {
        if (row.some((c) => c !== '')) rows.push(row.join(' | '));
        row = null;
      } else if (name === 'a:tbl') {
        if (rows.length > 0) texts.push(rows.join('\n'));
        rows = [];
      } else if (name === 'p:sp' || (diagram && name === 'dgm:pt')) finishShape();
    },
  });
  return { title, texts, hidden };
}
