import iconv from 'iconv-lite';

/**
 * An RTF reader for indexing: the document's paragraphs (with the heading level RTF gives them
 * through \outlinelevel or a "Heading N" style), table rows, footnotes and its \info title and
 * author. Text is decoded as the file says: \'hh bytes and 8-bit characters in the code page of
 * the current font's \fcharset (else the document's \ansicpg), \uN as Unicode with its \ucN
 * fallback skipped. Pictures, objects, headers and footers, field instructions and the tables at
 * the top (fonts, colours, styles, lists) are not text; unknown \* destinations are skipped, as the
 * specification asks.
 */
export type RtfBlock =
  | {
      kind: 'paragraph';
      text: string;
      /** Heading level 1–9, null for body text. */
      level: number | null;
      /** A list item (its bullet or number is in the text). */
      list: boolean;
      /** Code or other text whose spaces and lines count (a "Preformatted Text" style). */
      pre: boolean;
    }
  | { kind: 'row'; cells: string[] };

export interface RtfContent {
  blocks: RtfBlock[];
  title: string | null;
  author: string | null;
}

type Dest = 'body' | 'skip' | 'fonttbl' | 'stylesheet' | 'info' | 'title' | 'author' | 'footnote';

interface State {
  dest: Dest;
  /** Bytes to skip after a \uN (\ucN). */
  uc: number;
  font: number | null;
  /** \v: hidden text. */
  hidden: boolean;
  style: number;
  outline: number | null;
  inTable: boolean;
  list: boolean;
  /** What the text of a \*\ud group inside \upr goes to (\upr's own text is the ANSI copy). */
  uprOuter: Dest | null;
}

/** Destinations whose text is not the document's, when not marked optional with \*. */
const SKIP_DESTINATIONS = new Set([
  'colortbl',
  'listtable',
  'listoverridetable',
  'revtbl',
  'rsidtbl',
  'filetbl',
  'pict',
  'object',
  'objdata',
  'header',
  'headerl',
  'headerr',
  'headerf',
  'footer',
  'footerl',
  'footerr',
  'footerf',
  'fldinst',
  'xe',
  'tc',
  'txe',
  'shpinst',
  'sp',
  'sn',
  'sv',
  'nonshppict',
  'pntxta',
  'pntxtb',
  'ftnsep',
  'ftnsepc',
  'aftnsep',
  'aftnsepc',
  'template',
  'private',
  'bkmkstart',
  'bkmkend',
  'datafield',
  'themedata',
  'colorschememapping',
  'latentstyles',
  'datastore',
  'xmlnstbl',
  'pgdsctbl',
  'operator',
  'comment',
  'subject',
  'keywords',
  'doccomm',
  'company',
  'category',
  'manager',
  'hlinkbase',
  'buptim',
  'creatim',
  'revtim',
  'printim',
  'generator',
  'userprops',
]);

/** `\fcharset` → Windows code page. 2 (symbol) is read as 1252, as most readers do. */
const CHARSET_CODEPAGES: Record<number, number> = {
  0: 0,
  1: 0,
  2: 1252,
  77: 10000,
  128: 932,
  129: 949,
  130: 1361,
  134: 936,
  136: 950,
  161: 1253,
  162: 1254,
  163: 1258,
  177: 1255,
  178: 1256,
  186: 1257,
  204: 1251,
  222: 874,
  238: 1250,
  254: 437,
  255: 850,
};

const SYMBOLS: Record<string, string> = {
  tab: '\t',
  emdash: '\u2014',
  endash: '\u2013',
  bullet: '\u2022',
  lquote: '\u2018',
  rquote: '\u2019',
  ldblquote: '\u201c',
  rdblquote: '\u201d',
  emspace: ' ',
  enspace: ' ',
  qmspace: ' ',
  '~': '\u00a0',
  _: '\u2011',
  '-': '',
  line: '\n',
  lbr: '\n',
};

function decoderName(codepage: number): string {
  if (codepage === 65001) return 'utf8';
  if (codepage === 10000) return 'macintosh';
  const name = `cp${codepage}`;
  return iconv.encodingExists(name) ? name : 'cp1252';
}

/** Paragraph styles of code and other text whose lines and spaces count ("Preformatted Text"). */
const PREFORMATTED = /preformatted|\bcode\b|listing/i;

interface StyleInfo {
  outline: number | null;
  name: string;
}

/** The paragraph's heading level (1–9), or null for body text. */
function headingLevel(state: State, styles: Map<number, StyleInfo>): number | null {
  const style = styles.get(state.style);
  const outline = state.outline ?? style?.outline ?? null;
  if (outline !== null) return outline >= 0 && outline <= 8 ? outline + 1 : null;
  const name = style?.name.trim().toLowerCase() ?? '';
  const numbered = /^heading\s*([1-9])$/.exec(name);
  if (numbered) return Number(numbered[1]);
  return name === 'title' ? 1 : null;
}

export function readRtf(bytes: Buffer, signal?: AbortSignal): RtfContent {
  const src = bytes.toString('latin1');
  const reader = new RtfInterpreter();
  tokenize(src, reader, signal);
  return reader.finish();
}

interface TokenSink {
  groupStart(): void;
  groupEnd(): void;
  word(name: string, param: number | null): void;
  /** Raw 8-bit characters or a \'hh byte. */
  byte(code: number, escaped: boolean): void;
  /** Literal text a control symbol stands for (\{, \\, \~…). */
  literal(text: string): void;
}

/** RTF tokens → the sink. Line breaks in the source are not text; \binN skips N raw bytes. */
function tokenize(src: string, sink: TokenSink, signal?: AbortSignal): void {
  const n = src.length;
  let i = 0;
  while (i < n) {
    if ((i & 0xffff) === 0) signal?.throwIfAborted();
    const c = src.charCodeAt(i);
    if (c === 0x7b) {
      sink.groupStart();
      i++;
    } else if (c === 0x7d) {
      sink.groupEnd();
      i++;
    } else if (c === 0x5c) {
      i = controlWord(src, i + 1, sink);
    } else if (c === 0x0d || c === 0x0a || c === 0) {
      i++;
    } else {
      sink.byte(c, false);
      i++;
    }
  }
}

/** Reads the control word or symbol after a backslash at `i`; returns where the next token starts. */
function controlWord(src: string, start: number, sink: TokenSink): number {
  const isLetter = (code: number) => (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  let i = start;
  const first = src.charCodeAt(i);
  if (Number.isNaN(first)) return i;
  if (!isLetter(first)) {
    const symbol = src[i]!;
    if (symbol === "'") {
      // Exactly two hex digits; anything else is a stray \' and what follows it is text.
      const hex = src.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return i + 1;
      sink.byte(parseInt(hex, 16), true);
      return i + 3;
    }
    if (symbol === '\r' || symbol === '\n') sink.word('par', null);
    else if (symbol === '{' || symbol === '}' || symbol === '\\') sink.literal(symbol);
    else if (symbol === '*') sink.word('*', null);
    else if (SYMBOLS[symbol] !== undefined) sink.literal(SYMBOLS[symbol]);
    return i + 1;
  }
  while (i < src.length && isLetter(src.charCodeAt(i)) && i - start < 32) i++;
  const name = src.slice(start, i);
  let param: number | null = null;
  const numberStart = i;
  if (src[i] === '-') i++;
  while (i < src.length && src.charCodeAt(i) >= 0x30 && src.charCodeAt(i) <= 0x39 && i - numberStart < 11)
    i++;
  if (i > numberStart && src[i - 1] !== '-') param = Number(src.slice(numberStart, i));
  else i = numberStart;
  if (src[i] === ' ') i++;
  if (name === 'bin' && param !== null && param > 0) return i + param;
  sink.word(name, param);
  return i;
}

interface TableEntry {
  font: number | null;
  charset: number | null;
  style: number | null;
  outline: number | null;
  text: string;
}

/**
 * Groups nested deeper than this are a nesting bomb, not a document: they keep no state of their
 * own (only their depth is counted) and their content is skipped.
 */
export const MAX_GROUP_DEPTH = 1000;
/** Bytes waiting for their code page are decoded at least this often. */
const MAX_PENDING_BYTES = 64 * 1024;

/** Double-byte code pages: the lead bytes of their two-byte characters. */
const isLeadByte = (codepage: number, b: number): boolean => {
  if (codepage === 932) return (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc);
  if (codepage === 936 || codepage === 949 || codepage === 950 || codepage === 1361)
    return b >= 0x81 && b <= 0xfe;
  return false;
};

/** How many of `bytes` can be decoded now without splitting a character in `codepage`. */
export function wholeCharacters(bytes: number[], codepage: number): number {
  if (codepage === 65001) {
    let start = bytes.length - 1;
    while (start > 0 && (bytes[start]! & 0xc0) === 0x80) start--;
    return Math.max(0, start);
  }
  let i = 0;
  while (i < bytes.length) {
    const width = isLeadByte(codepage, bytes[i]!) ? 2 : 1;
    if (i + width > bytes.length) break;
    i += width;
  }
  return i;
}

const emptyEntry = (): TableEntry => ({ font: null, charset: null, style: null, outline: null, text: '' });

/** RTF tokens → blocks: group state, destinations, code pages, paragraphs and table rows. */
class RtfInterpreter implements TokenSink {
  private readonly blocks: RtfBlock[] = [];
  /** Font number → its code page (fonts whose \fcharset says more than "the document's"). */
  private readonly fonts = new Map<number, number>();
  private readonly styles = new Map<number, StyleInfo>();
  private readonly info = { title: '', author: '' };
  private defaultCodepage = 1252;
  private defaultFont: number | null = null;
  private state: State = {
    dest: 'body',
    uc: 1,
    font: null,
    hidden: false,
    style: 0,
    outline: null,
    inTable: false,
    list: false,
    uprOuter: null,
  };
  private readonly stack: State[] = [];
  /** Groups open beyond MAX_GROUP_DEPTH: counted, not stacked, their content skipped. */
  private tooDeep = 0;
  /** The first control word of a group names its destination; \* marks it optional. */
  private groupOpened = false;
  private optional = false;
  private skipBytes = 0;
  private pending: number[] = [];
  private pendingCodepage = 1252;
  private paragraph = '';
  private cells: string[] = [];
  private notes: string[] = [];
  private note = '';
  /** The font table or style sheet entry being read. */
  private entry = emptyEntry();

  groupStart(): void {
    if (this.tooDeep > 0 || this.stack.length >= MAX_GROUP_DEPTH) {
      this.tooDeep++;
      return;
    }
    this.flushBytes();
    this.stack.push(this.state);
    this.state = { ...this.state };
    this.groupOpened = true;
    this.optional = false;
    this.skipBytes = 0;
  }

  groupEnd(): void {
    if (this.tooDeep > 0) {
      this.tooDeep--;
      return;
    }
    this.flushBytes();
    const parent = this.stack.at(-1);
    const dest = this.state.dest;
    // A table entry ends with its group (or its ';' for entries written without one).
    if ((dest === 'fonttbl' || dest === 'stylesheet') && parent?.dest === dest) this.finishEntry();
    if (dest === 'footnote' && parent?.dest !== 'footnote') {
      this.notes.push(this.note);
      this.note = '';
    }
    this.state = this.stack.pop() ?? this.state;
    this.groupOpened = false;
    this.skipBytes = 0;
  }

  word(name: string, param: number | null): void {
    if (this.tooDeep > 0) return;
    if (name === '*') {
      this.optional = true;
      return;
    }
    const first = this.groupOpened;
    this.groupOpened = false;
    const isDestination = first && this.destination(name);
    this.optional = false;
    if (isDestination) return;
    // A control word in a \uN fallback counts as one character of it (a \u ends the fallback).
    if (this.skipBytes > 0 && name !== 'u') {
      this.skipBytes--;
      return;
    }
    if (!this.textControl(name, param)) this.propertyControl(name, param);
  }

  byte(code: number, escaped: boolean): void {
    if (this.tooDeep > 0) return;
    this.groupOpened = false;
    if (this.skipBytes > 0) {
      this.skipBytes--;
      return;
    }
    const dest = this.state.dest;
    if (dest === 'skip') return;
    if (!escaped && code === 0x3b && (dest === 'fonttbl' || dest === 'stylesheet')) {
      if (this.stack.at(-1)?.dest !== dest)
        this.finishEntry(); // entries without groups of their own
      else this.entry.text += ';';
      return;
    }
    if (code < 0x80 && !escaped) {
      if (this.pending.length > 0) this.flushBytes();
      this.append(String.fromCharCode(code));
      return;
    }
    const cp = this.codepage();
    if (this.pending.length > 0 && cp !== this.pendingCodepage) this.flushBytes();
    this.pendingCodepage = cp;
    this.pending.push(code);
    if (this.pending.length >= MAX_PENDING_BYTES) {
      const whole = wholeCharacters(this.pending, cp);
      this.flushBytes(whole > 0 ? whole : this.pending.length); // no character at all: junk, decode it
    }
  }

  literal(text: string): void {
    if (this.tooDeep > 0) return;
    this.groupOpened = false;
    if (this.skipBytes > 0) {
      this.skipBytes--;
      return;
    }
    this.flushBytes();
    this.append(text);
  }

  finish(): RtfContent {
    this.flushBytes();
    this.state.inTable = false;
    if (this.cells.length > 0) this.endRow();
    else if (this.paragraph.trim() !== '') this.endParagraph();
    const clean = (text: string) => text.replace(/\s+/g, ' ').trim() || null;
    return { blocks: this.blocks, title: clean(this.info.title), author: clean(this.info.author) };
  }

  /** Sets the group's destination when `name` names one; false when it is an ordinary control. */
  private destination(name: string): boolean {
    const state = this.state;
    if (name === 'fonttbl' || name === 'stylesheet' || name === 'info') {
      state.dest = name;
    } else if ((name === 'title' || name === 'author') && state.dest === 'info') {
      state.dest = name;
    } else if (name === 'footnote') {
      state.dest = state.dest === 'body' ? 'footnote' : 'skip';
    } else if (name === 'upr') {
      state.uprOuter = state.dest;
      state.dest = 'skip';
    } else if (name === 'ud' && state.uprOuter) {
      state.dest = state.uprOuter;
    } else if (name === 'fldrslt' || name === 'shptxt' || name === 'listtext' || name === 'pntext') {
      // text that is shown: it stays in the destination it is in
    } else if (SKIP_DESTINATIONS.has(name) || this.optional || state.dest === 'info') {
      state.dest = 'skip';
    } else {
      return false;
    }
    return true;
  }

  /** Controls that stand for text or end a paragraph, cell or row. */
  private textControl(name: string, param: number | null): boolean {
    const state = this.state;
    switch (name) {
      case 'u': {
        this.flushBytes();
        this.append(String.fromCharCode(param === null ? 0xfffd : param < 0 ? param + 65536 : param));
        this.skipBytes = state.uc;
        return true;
      }
      case 'par':
      case 'sect':
      case 'page':
        this.endParagraph();
        return true;
      case 'cell':
      case 'nestcell':
        if (state.dest === 'body') this.endCell();
        return true;
      case 'row':
        if (state.dest === 'body') this.endRow();
        return true;
      default:
        if (SYMBOLS[name] === undefined) return false;
        this.flushBytes();
        this.append(SYMBOLS[name]);
        return true;
    }
  }

  /** Controls that set a property of the group, the paragraph or a table entry. */
  private propertyControl(name: string, param: number | null): void {
    const state = this.state;
    const inFonts = state.dest === 'fonttbl';
    const inStyles = state.dest === 'stylesheet';
    switch (name) {
      case 'uc':
        state.uc = Math.max(0, param ?? 1);
        break;
      case 'pard':
        state.style = 0;
        state.outline = null;
        state.inTable = false;
        state.list = false;
        break;
      case 'ls':
      case 'pnlvlblt':
      case 'pnlvlbody':
        state.list = true;
        break;
      case 'plain':
      case 'f':
      case 'v':
        if (name === 'f' && inFonts) {
          this.entry.font = param;
          break;
        }
        this.flushBytes(); // the bytes so far are in the font they were written in
        if (name === 'f') state.font = param;
        if (name === 'plain') state.font = null;
        state.hidden = name === 'v' ? param !== 0 : name === 'plain' ? false : state.hidden;
        break;
      case 'intbl':
        state.inTable = true;
        break;
      case 's':
        if (inStyles) this.entry.style = param ?? 0;
        else state.style = param ?? 0;
        break;
      case 'outlinelevel':
        if (inStyles) this.entry.outline = param;
        else state.outline = param;
        break;
      case 'fcharset':
        if (inFonts) this.entry.charset = param;
        break;
      case 'cpg':
        if (inFonts && param && this.entry.font !== null) this.fonts.set(this.entry.font, param);
        break;
      case 'deff':
        this.defaultFont = param;
        break;
      case 'ansicpg':
        if (param) this.defaultCodepage = param;
        break;
      case 'mac':
      case 'pc':
      case 'pca':
        this.defaultCodepage = name === 'mac' ? 10000 : name === 'pc' ? 437 : 850;
        break;
      default:
    }
  }

  private codepage(): number {
    const font = this.state.font ?? this.defaultFont;
    return (font === null ? undefined : this.fonts.get(font)) || this.defaultCodepage;
  }

  private append(text: string): void {
    const state = this.state;
    if (state.hidden || text === '') return;
    if (state.dest === 'body') this.paragraph += text;
    else if (state.dest === 'footnote') this.note += text;
    else if (state.dest === 'title' || state.dest === 'author') this.info[state.dest] += text;
    else if (state.dest === 'fonttbl' || state.dest === 'stylesheet') this.entry.text += text;
  }

  /** Decodes the pending bytes (the first `count` of them; the rest wait for their character's end). */
  private flushBytes(count = this.pending.length): void {
    if (count === 0) return;
    const bytes = count === this.pending.length ? this.pending : this.pending.slice(0, count);
    const text = iconv.decode(Buffer.from(bytes), decoderName(this.pendingCodepage));
    this.pending = count === this.pending.length ? [] : this.pending.slice(count);
    this.append(text);
  }

  private endParagraph(): void {
    this.flushBytes();
    const state = this.state;
    if (state.dest === 'footnote') this.note += '\n';
    if (state.dest !== 'body') return;
    if (state.inTable) {
      this.paragraph += '\n'; // a paragraph inside a cell: the cell goes on
      return;
    }
    const text = this.paragraph;
    this.paragraph = '';
    if (text.trim() !== '') {
      const level = headingLevel(state, this.styles);
      const pre = PREFORMATTED.test(this.styles.get(state.style)?.name ?? '');
      this.blocks.push({ kind: 'paragraph', text, level, list: state.list && level === null, pre });
    }
    for (const note of this.notes) {
      if (note.trim() !== '')
        this.blocks.push({ kind: 'paragraph', text: note, level: null, list: false, pre: false });
    }
    this.notes = [];
  }

  private endCell(): void {
    this.flushBytes();
    this.cells.push(this.paragraph.trim());
    this.paragraph = '';
  }

  private endRow(): void {
    this.endCell();
    this.cells.pop(); // \row follows the last \cell: nothing is left between them
    if (this.cells.some((cell) => cell !== '')) this.blocks.push({ kind: 'row', cells: this.cells });
    this.cells = [];
  }

  private finishEntry(): void {
    const { entry, state } = this;
    if (state.dest === 'fonttbl' && entry.font !== null) {
      const cp = entry.charset === null ? 0 : (CHARSET_CODEPAGES[entry.charset] ?? 0);
      if (cp && !this.fonts.has(entry.font)) this.fonts.set(entry.font, cp);
    } else if (state.dest === 'stylesheet' && entry.style !== null) {
      this.styles.set(entry.style, { outline: entry.outline, name: entry.text.replace(/;\s*$/, '') });
    }
    this.entry = emptyEntry();
  }
}
