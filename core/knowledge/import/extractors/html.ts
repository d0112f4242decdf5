import { Parser } from 'htmlparser2';
import type { ExtractedSection, Extractor } from '../types.ts';
import { decodeText } from '../text-decode.ts';

/**
 * The HTML section walker, shared by HTML, DOCX (via mammoth's HTML) and EPUB chapters. One
 * streaming pass (htmlparser2, no DOM): h1–h6 become the heading path, the text under them a
 * section; navigation and page furniture are dropped; when the page marks its main content
 * (<main>, role=main, <article>) only that is kept.
 */
export interface HtmlContent {
  /** <title>, else the first <h1>. */
  title: string | null;
  sections: ExtractedSection[];
  /**
   * One section per heading, the heading its text: what a page holding only headings (an outline,
   * a template) has to say, used when `sections` is empty.
   */
  headings: ExtractedSection[];
}

export const extractHtml: Extractor = async ({ bytes }) => {
  const { text } = decodeText(bytes, declaredCharset(bytes));
  const content = htmlToSections(text);
  return {
    title: content.title,
    fileType: 'html',
    mime: 'text/html',
    sections: sectionsOrHeadings(content),
    pageCount: null,
    warnings: [],
  };
};

/** The text sections, or for a document of headings only, its headings: they are its text. */
export function sectionsOrHeadings(content: Pick<HtmlContent, 'sections' | 'headings'>): ExtractedSection[] {
  return content.sections.length > 0 ? content.sections : content.headings;
}

export function htmlToSections(html: string): HtmlContent {
  const strict = walk(html, true);
  if (strict.sections.length > 0) return strict;
  // Nothing survived the filters (a page wrapped in one <form>, an empty <main>): keep everything.
  const lenient = walk(html, false);
  return {
    title: strict.title ?? lenient.title,
    sections: lenient.sections,
    headings: strict.headings.length > 0 ? strict.headings : lenient.headings,
  };
}

/** The charset a page declares in its first bytes (<meta charset>, http-equiv, <?xml encoding?>). */
export function declaredCharset(bytes: Buffer): string | undefined {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 2048));
  const match =
    /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head) ??
    /<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)/i.exec(head);
  return match?.[1];
}

/** Elements whose content is never document text. */
const DROP_TAGS = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'nav',
  'aside',
  'form',
  'button',
  'select',
  'textarea',
  'svg',
  'math',
  'canvas',
  'iframe',
  'object',
  'embed',
  'dialog',
  'menu',
]);
/** class/id words (split on space, '-' and '_') that mark page furniture. */
const BOILERPLATE_WORDS = new Set([
  'nav',
  'navbar',
  'navigation',
  'navheader',
  'navfooter',
  'docnav',
  'breadcrumb',
  'breadcrumbs',
  'menu',
  'menubar',
  'toc',
  'banner',
  'masthead',
  'skip',
  'skiplink',
  'cookie',
  'cookies',
  'consent',
  'pagination',
  'pager',
  'share',
  'sharing',
  'social',
  'footer',
]);
const BOILERPLATE_ROLES = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'search',
  'complementary',
  'menu',
  'menubar',
  'dialog',
]);
const PARAGRAPH_TAGS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'blockquote',
  'pre',
  'table',
  'ul',
  'ol',
  'dl',
  'figure',
  'hr',
  'address',
  'details',
  'fieldset',
  'center',
]);
const LINE_TAGS = new Set(['li', 'tr', 'dt', 'dd', 'br', 'caption', 'figcaption', 'summary']);
/** Admonition boxes: a heading inside one ("Note", "Warning") is a label, not a new section. */
const CALLOUT_WORDS = new Set(['note', 'tip', 'warning', 'caution', 'important', 'admonition', 'callout']);
const MAIN_MARKER = /<main[\s>]|<article[\s>]|\srole\s*=\s*["']?main\b/i;

interface Frame {
  name: string;
  skip: boolean;
  main: boolean;
  cell: boolean;
  pre: boolean;
  list: boolean;
  callout: boolean;
  /** A visible link (<a href>): its text is anchor text. */
  anchor: boolean;
}

function hasWord(value: string | undefined, words: Set<string>): boolean {
  if (!value) return false;
  for (const word of value.toLowerCase().split(/[\s_-]+/)) if (words.has(word)) return true;
  return false;
}

function isBoilerplate(attribs: Record<string, string>): boolean {
  const role = attribs.role?.toLowerCase();
  if (role && BOILERPLATE_ROLES.has(role)) return true;
  if ('hidden' in attribs || attribs['aria-hidden'] === 'true') return true;
  if (attribs.style && /display\s*:\s*none/i.test(attribs.style)) return true;
  return hasWord(attribs.class, BOILERPLATE_WORDS) || hasWord(attribs.id, BOILERPLATE_WORDS);
}

function walk(html: string, strict: boolean): HtmlContent {
  const onlyMain = strict && MAIN_MARKER.test(html);
  const frames: Frame[] = [];
  const headings: (string | undefined)[] = [];
  const sections: ExtractedSection[] = [];
  const headingOnly: ExtractedSection[] = [];
  let out: string[] = [];
  let skipDepth = 0;
  let mainDepth = 0;
  let cellDepth = 0;
  let cellHasText = false;
  let rowHadBreak = false;
  let cellBreakPending = false;
  let calloutDepth = 0;
  let preStart = false;
  let preDepth = 0;
  let pendingBreak = 0;
  let pendingText = '';
  let lastWasSpace = true;
  let lineStart = true;
  let rowCells = 0;
  const listCounters: (number | null)[] = [];
  let title: string | null = null;
  let titleText: string | null = null;
  let firstH1: string | null = null;
  let headingLevel = 0;
  let headingText = '';
  // Link anchors of the current section (navigation.ts tells navigation by them).
  let anchorDepth = 0;
  let links = { linkChars: 0, textChars: 0, links: 0 };

  const visible = () => skipDepth === 0 && (!onlyMain || mainDepth > 0);
  const breakAtLeast = (n: number) => {
    if (cellDepth > 0) {
      // Blocks inside a table cell break the line, never the row.
      if (cellHasText) {
        pendingBreak = Math.max(pendingBreak, 1);
        cellBreakPending = true;
      }
    } else if (out.length > 0) {
      pendingBreak = Math.max(pendingBreak, n);
    }
  };
  const emit = (text: string) => {
    if (pendingBreak > 0) {
      if (cellBreakPending) rowHadBreak = true;
      out.push('\n'.repeat(pendingBreak));
      pendingBreak = 0;
      lineStart = true;
    }
    if (pendingText) {
      out.push(pendingText);
      lineStart = false;
      pendingText = '';
    }
    out.push(text);
    const chars = text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
    links.textChars += chars;
    if (anchorDepth > 0) links.linkChars += chars;
    lineStart = false;
    cellHasText = true;
    cellBreakPending = false;
    lastWasSpace = /\s$/.test(text);
  };
  const flushSection = () => {
    const text = out.join('');
    if (text.trim() !== '') {
      const path = headings.filter((h): h is string => !!h);
      sections.push({ headingPath: path, text, page: null, ...(links.links > 0 ? { links } : {}) });
    }
    links = { linkChars: 0, textChars: 0, links: 0 };
    out = [];
    pendingBreak = 0;
    pendingText = '';
    lastWasSpace = true;
    lineStart = true;
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'title' && titleText === null && frames.every((f) => f.name !== 'svg')) {
          titleText = '';
        }
        const inArticle = mainDepth > 0;
        const skip =
          (strict &&
            (DROP_TAGS.has(name) ||
              ((name === 'header' || name === 'footer') && !inArticle) ||
              isBoilerplate(attribs))) ||
          (!strict && (name === 'script' || name === 'style' || name === 'head' || name === 'template'));
        const main = name === 'main' || name === 'article' || attribs.role === 'main';
        const frame: Frame = {
          name,
          skip,
          main,
          cell: name === 'td' || name === 'th',
          pre: name === 'pre' || name === 'listing' || name === 'xmp',
          list: name === 'ul' || name === 'ol',
          callout: hasWord(attribs.class, CALLOUT_WORDS),
          anchor: false,
        };
        frames.push(frame);
        if (skip) skipDepth++;
        if (main) mainDepth++;
        if (frame.callout) calloutDepth++;
        if (!visible()) {
          if (frame.cell) cellDepth++;
          if (frame.pre) preDepth++;
          if (frame.list) listCounters.push(name === 'ol' ? Number(attribs.start ?? 1) || 1 : null);
          return;
        }
        const level = /^h([1-6])$/.exec(name)?.[1];
        if (level && headingLevel === 0 && calloutDepth === 0) {
          flushSection();
          headingLevel = Number(level);
          headingText = '';
          return;
        }
        if (frame.list) listCounters.push(name === 'ol' ? Number(attribs.start ?? 1) || 1 : null);
        if (name === 'a' && attribs.href) {
          frame.anchor = true;
          anchorDepth++;
          links.links++;
        }
        if (name === 'tr') {
          rowCells = 0;
          rowHadBreak = false;
        }
        if (frame.cell) {
          if (rowCells++ > 0 && cellDepth === 0) pendingText = ' | ';
          cellDepth++;
          cellHasText = false;
        }
        if (frame.pre) {
          breakAtLeast(2);
          preDepth++;
          preStart = true;
        } else if (name === 'li') {
          breakAtLeast(1);
          const depth = Math.max(0, listCounters.length - 1);
          const counter = listCounters[listCounters.length - 1];
          const bullet = typeof counter === 'number' ? `${counter}. ` : '- ';
          if (typeof counter === 'number') listCounters[listCounters.length - 1] = counter + 1;
          if (cellDepth === 0) pendingText = '  '.repeat(depth) + bullet;
        } else if (name === 'br') {
          if (preDepth > 0) emit('\n');
          else if (cellDepth > 0) breakAtLeast(1);
          else if (out.length > 0) pendingBreak = Math.max(pendingBreak, 1);
        } else if (frame.list) {
          breakAtLeast(listCounters.length > 1 ? 1 : 2); // a nested list is just more items
        } else if (PARAGRAPH_TAGS.has(name)) {
          breakAtLeast(2);
        } else if (LINE_TAGS.has(name)) {
          breakAtLeast(1);
        } else if (name === 'img' && attribs.alt && /\w{3,}/.test(attribs.alt)) {
          // Decorative images have no alt; figures usually have a meaningful one.
          if (frames.some((f) => f.name === 'figure')) emit(`[${attribs.alt.trim()}]`);
        }
      },
      ontext(data) {
        if (titleText !== null && title === null) {
          titleText += data;
          return;
        }
        if (!visible()) return;
        if (headingLevel > 0) {
          headingText += data;
          return;
        }
        if (preDepth > 0) {
          // As in browsers, a newline right after <pre> is not content.
          const text = preStart ? data.replace(/^\r?\n/, '') : data;
          preStart = false;
          if (text) emit(text);
          return;
        }
        let text = data.replace(/[ \t\n\r\f]+/g, ' ');
        if (text === ' ') {
          if (!lastWasSpace && !lineStart && pendingBreak === 0 && pendingText === '') emit(' ');
          return;
        }
        if (pendingBreak > 0 || lineStart || lastWasSpace) text = text.replace(/^ /, '');
        if (text) emit(text);
      },
      onclosetag(name) {
        if (name === 'title' && titleText !== null && title === null) {
          title = collapse(titleText) || null;
          if (title === null) titleText = null;
        }
        let frame = frames.pop();
        while (frame && frame.name !== name && frames.some((f) => f.name === name)) {
          closeFrame(frame);
          frame = frames.pop();
        }
        if (frame) closeFrame(frame);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );

  function closeFrame(frame: Frame) {
    const wasVisible = visible();
    if (frame.cell) {
      cellDepth--;
      // A break pending at the end of a cell would land before the next cell's separator.
      if (cellDepth === 0 && cellBreakPending) {
        pendingBreak = 0;
        cellBreakPending = false;
      }
    }
    if (frame.callout) calloutDepth--;
    if (frame.anchor) anchorDepth--;
    if (frame.pre) preDepth--;
    if (frame.list) listCounters.pop();
    if (frame.skip) skipDepth--;
    if (frame.main) mainDepth--;
    if (!wasVisible) return;
    const level = /^h([1-6])$/.exec(frame.name)?.[1];
    if (level && Number(level) === headingLevel) {
      const text = collapse(headingText);
      const depth = headingLevel - 1;
      if (text) {
        headings[depth] = text;
        headings.length = depth + 1;
        headingOnly.push({ headingPath: headings.filter((h): h is string => !!h), text, page: null });
        if (headingLevel === 1 && firstH1 === null) firstH1 = text;
      }
      headingLevel = 0;
      return;
    }
    if (frame.name === 'tr') breakAtLeast(rowHadBreak ? 2 : 1);
    else if (frame.list) breakAtLeast(listCounters.length > 0 ? 1 : 2);
    else if (frame.pre || PARAGRAPH_TAGS.has(frame.name) || /^h[1-6]$/.test(frame.name)) breakAtLeast(2);
    else if (LINE_TAGS.has(frame.name) && frame.name !== 'br') breakAtLeast(1);
  }

  parser.write(html);
  parser.end();
  flushSection();
  return { title: title ?? firstH1, sections, headings: headingOnly };
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
