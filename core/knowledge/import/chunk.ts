/**
 * Token-aware, structure-aware chunking of an extracted document.
 *
 * - Consecutive sections with the same heading path and page form a *run*; a chunk never leaves
 *   its run (so a chunk never mixes headings or pages), but small sections of one run share chunks.
 * - Inside a run, tokens come from a streaming scanner (tokens.ts) and a chunk takes at most
 *   `chunkSize` of them. Its end is the best break in the second half of that window: a section
 *   boundary, then a paragraph break (blank line), a line break, a sentence end, a word boundary.
 *   Only when the whole window holds no word boundary (a base64 blob, a minified line) is a word
 *   cut: at a punctuation edge if there is one, else between token pieces.
 * - The next chunk starts about `chunkOverlap` tokens before the previous end, moved forward to a
 *   word start, so neighbours share text without starting mid-word.
 * - Offsets index the canonical text `sections.map(s => s.text).join('\n\n')` and chunks are
 *   trimmed: `canonical.slice(charStart, charEnd) === text`. The canonical text is never built;
 *   memory is the output plus a window of `chunkSize` tokens.
 * With a model's `countTokens`, each chunk is re-counted and shrunk until it fits; tokenCount is
 * then the model's count.
 */
import type { Chunk, ChunkOptions, ExtractedDocument, ExtractedSection } from './types.ts';
import { CHAR_CJK, CHAR_OTHER, TokenScanner, countTokens as approxTokens } from '../../base/tokens.ts';

/** What a new collection gets. */
export const DEFAULT_CHUNK_OPTIONS: Readonly<ChunkOptions> = { chunkSize: 400, chunkOverlap: 60 };
export const MIN_CHUNK_SIZE = 16;

/** Throws a RangeError naming the bad setting. */
export function validateChunkOptions(opts: ChunkOptions): void {
  const { chunkSize, chunkOverlap } = opts;
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE) {
    throw new RangeError(`chunkSize must be an integer ≥ ${MIN_CHUNK_SIZE} tokens (got ${chunkSize})`);
  }
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0) {
    throw new RangeError(`chunkOverlap must be an integer ≥ 0 tokens (got ${chunkOverlap})`);
  }
  if (chunkOverlap >= chunkSize) {
    throw new RangeError(`chunkOverlap (${chunkOverlap}) must be smaller than chunkSize (${chunkSize})`);
  }
}

// Break quality *before* a token, best first.
const BREAK_SECTION = 5;
const BREAK_PARAGRAPH = 4;
const BREAK_LINE = 3;
const BREAK_SENTENCE = 2;
const BREAK_WORD = 1;
/** Between two tokens that touch (e.g. "word," or "a.b"): not mid-word, but inside a "word". */
const BREAK_TOUCH = 0;
/** Between two pieces of one long run: mid-word. */
const BREAK_PIECE = -1;

const isTerminator = (c: number) =>
  c === 0x2e ||
  c === 0x21 ||
  c === 0x3f ||
  c === 0x2026 ||
  c === 0x3002 ||
  c === 0xff01 ||
  c === 0xff1f ||
  c === 0xff0e;
/** Closing quotes/brackets that may follow a sentence end: `."`, `?)`, `。」`. */
const isCloser = (c: number) =>
  c === 0x22 ||
  c === 0x27 ||
  c === 0x29 ||
  c === 0x5d ||
  c === 0x2019 ||
  c === 0x201d ||
  c === 0xbb ||
  c === 0x300d ||
  c === 0x300f ||
  c === 0xff09;

function sameHeading(a: ExtractedSection, b: ExtractedSection): boolean {
  if (a.page !== b.page) return false;
  const x = a.headingPath;
  const y = b.headingPath;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Tokens of one run, across its sections, with canonical offsets and break levels. */
class RunTokens {
  private readonly scanner = new TokenScanner();
  private sec: number;
  /** Whether the previous token ended a sentence (a terminator, maybe followed by closers). */
  private sentenceEnd = false;
  /** Whether that terminator was a full-width one (。！？). */
  private prevWide = false;
  private prevKind = 0;
  private started = false;
  private crossed = false;
  // Filled by next():
  start = 0;
  end = 0;
  level = 0;
  section = 0;

  constructor(
    private readonly sections: ExtractedSection[],
    private readonly bases: number[],
    first: number,
    private readonly last: number,
  ) {
    this.sec = first;
    this.scanner.reset(sections[first]!.text);
  }

  next(): boolean {
    const s = this.scanner;
    while (!s.next()) {
      if (this.sec >= this.last) return false;
      this.sec++;
      s.reset(this.sections[this.sec]!.text);
      this.crossed = true;
    }
    const base = this.bases[this.sec]!;
    this.start = base + s.start;
    this.end = base + s.end;
    this.section = this.sec;
    let level: number;
    if (!this.started) level = BREAK_SECTION;
    else if (this.crossed) level = BREAK_SECTION;
    else if (s.newlines >= 2) level = BREAK_PARAGRAPH;
    else if (s.newlines === 1) level = BREAK_LINE;
    else if (s.spaced) level = this.sentenceEnd ? BREAK_SENTENCE : BREAK_WORD;
    else if (s.piece) level = BREAK_PIECE;
    else if (s.kind !== CHAR_OTHER && (this.prevKind === CHAR_CJK || s.kind === CHAR_CJK)) {
      // CJK text has no spaces: every character edge is a word boundary.
      level = this.sentenceEnd ? BREAK_SENTENCE : BREAK_WORD;
    } else {
      // Full-width sentence marks end a sentence even without a space.
      level = this.sentenceEnd && this.prevWide ? BREAK_SENTENCE : BREAK_TOUCH;
    }
    this.level = level;
    this.started = true;
    this.crossed = false;
    const kind = s.kind;
    if (kind === CHAR_OTHER) {
      const c = s.text.charCodeAt(s.start);
      if (isTerminator(c)) {
        this.sentenceEnd = true;
        this.prevWide = c >= 0x3000;
      } else if (!(this.sentenceEnd && isCloser(c))) this.sentenceEnd = false;
    } else this.sentenceEnd = false;
    this.prevKind = kind;
    return true;
  }
}

/** Growable window of the tokens not yet behind the current chunk start. */
class Window {
  start = new Int32Array(0);
  end = new Int32Array(0);
  level = new Int8Array(0);
  section = new Int32Array(0);
  /** Absolute index of window slot 0. */
  base = 0;
  count = 0;

  constructor(capacity: number) {
    this.alloc(capacity);
  }

  private alloc(capacity: number): void {
    const grow = <T extends Int32Array | Int8Array>(old: T, fresh: T): T => {
      fresh.set(old.subarray(0, this.count));
      return fresh;
    };
    this.start = grow(this.start, new Int32Array(capacity));
    this.end = grow(this.end, new Int32Array(capacity));
    this.level = grow(this.level, new Int8Array(capacity));
    this.section = grow(this.section, new Int32Array(capacity));
  }

  push(t: RunTokens): void {
    if (this.count === this.start.length) this.alloc(this.count * 2 + 16);
    const i = this.count++;
    this.start[i] = t.start;
    this.end[i] = t.end;
    this.level[i] = t.level;
    this.section[i] = t.section;
  }

  /** Drops tokens before absolute index `abs`. */
  dropBefore(abs: number): void {
    const k = abs - this.base;
    if (k <= 0) return;
    this.start.copyWithin(0, k, this.count);
    this.end.copyWithin(0, k, this.count);
    this.level.copyWithin(0, k, this.count);
    this.section.copyWithin(0, k, this.count);
    this.count -= k;
    this.base = abs;
  }
}

/**
 * A chunker fed one section at a time, for a document too large to hold whole: `add` takes the
 * next section and yields the chunks it completes, `end` yields the rest. It keeps only the run the
 * last section belongs to (a page, for a PDF). Each generator must be read to its end before the
 * next call. `chunkDocument` gives the same chunks for a whole document.
 */
export interface Chunker {
  add(section: ExtractedSection): Generator<Chunk, void, undefined>;
  end(): Generator<Chunk, void, undefined>;
}

export function createChunker(opts: ChunkOptions, countTokens?: (t: string) => number): Chunker {
  validateChunkOptions(opts);
  const model = countTokens && countTokens !== approxTokens ? countTokens : undefined;
  const win = new Window(opts.chunkSize + 2);
  const state = { ordinal: 0 };
  // The run being gathered: its sections and their canonical offsets.
  let run: ExtractedSection[] = [];
  let bases: number[] = [];
  let offset = 0;
  function* flush(): Generator<Chunk, void, undefined> {
    if (run.length === 0) return;
    const sections = run;
    const runBases = bases;
    run = [];
    bases = [];
    yield* chunkRun(sections, runBases, opts, model, win, state);
  }
  return {
    *add(section) {
      if (run.length > 0 && !sameHeading(run[0]!, section)) yield* flush();
      run.push(section);
      bases.push(offset);
      offset += section.text.length + 2;
    },
    end: flush,
  };
}

export function chunkDocument(
  doc: ExtractedDocument,
  opts: ChunkOptions,
  countTokens?: (t: string) => number,
): Chunk[] {
  const chunker = createChunker(opts, countTokens);
  const out: Chunk[] = [];
  for (const section of doc.sections) for (const c of chunker.add(section)) out.push(c);
  for (const c of chunker.end()) out.push(c);
  return out;
}

/** The chunks of one run (consecutive sections of one heading path and page). */
function* chunkRun(
  sections: ExtractedSection[],
  bases: number[],
  opts: ChunkOptions,
  model: ((t: string) => number) | undefined,
  win: Window,
  state: { ordinal: number },
): Generator<Chunk, void, undefined> {
  const { chunkSize: size, chunkOverlap: overlap } = opts;

  /** Text of canonical [from, to), where `from` lies in section a and `to` in section b. */
  const textOf = (from: number, to: number, a: number, b: number): string => {
    if (a === b) return sections[a]!.text.slice(from - bases[a]!, to - bases[a]!);
    const parts: string[] = [sections[a]!.text.slice(from - bases[a]!)];
    for (let i = a + 1; i < b; i++) parts.push(sections[i]!.text);
    parts.push(sections[b]!.text.slice(0, to - bases[b]!));
    return parts.join('\n\n');
  };

  const head = sections[0]!;
  const tokens = new RunTokens(sections, bases, 0, sections.length - 1);
  win.base = 0;
  win.count = 0;
  let exhausted = false;
  /** Makes tokens up to absolute index `abs` (inclusive) available if the run has them. */
  const fill = (abs: number) => {
    while (!exhausted && win.base + win.count <= abs) {
      if (tokens.next()) win.push(tokens);
      else exhausted = true;
    }
  };
  let s = 0; // absolute index of the chunk's first token
  let prevEnd = 0; // absolute index just past the previous chunk (0: none yet)
  for (;;) {
    fill(s + size);
    const available = win.base + win.count;
    if (s >= available) break;
    const lvl = (abs: number) => win.level[abs - win.base]!;
    /** Best end (exclusive token index) for a chunk starting at s with `budget` tokens. */
    const pickEnd = (from: number, budget: number): number => {
      const hi = from + budget;
      if (hi >= available) return available; // the rest of the run fits
      const floor = Math.max(from + 1, prevEnd + 1);
      const lo = Math.max(from + Math.ceil(budget / 2), floor);
      let best = hi;
      let bestLevel = -2;
      for (let j = hi; j >= lo && bestLevel < BREAK_SECTION; j--) {
        const l = lvl(j);
        if (l > bestLevel) {
          bestLevel = l;
          best = j;
        }
      }
      if (bestLevel >= BREAK_WORD) return best;
      // No word boundary in the second half: the last one in the first half, else cut the word.
      for (let j = lo - 1; j >= floor; j--) if (lvl(j) >= BREAK_WORD) return j;
      return bestLevel === BREAK_TOUCH ? best : hi;
    };
    let e = pickEnd(s, size);
    const textNow = () =>
      textOf(
        win.start[s - win.base]!,
        win.end[e - 1 - win.base]!,
        win.section[s - win.base]!,
        win.section[e - 1 - win.base]!,
      );
    let text = textNow();
    let tokenCount = e - s;
    if (model) {
      tokenCount = model(text);
      while (tokenCount > size) {
        if (s < prevEnd) {
          s = prevEnd; // first give up the overlap, keeping the end
        } else if (e - s > 1) {
          const budget = Math.min(e - s - 1, Math.floor(((e - s) * size) / tokenCount));
          e = pickEnd(s, Math.max(1, budget));
        } else {
          break; // a single piece: nothing left to split
        }
        text = textNow();
        tokenCount = model(text);
      }
    }
    yield {
      ordinal: state.ordinal++,
      text,
      headingPath: head.headingPath,
      page: head.page,
      charStart: win.start[s - win.base]!,
      charEnd: win.end[e - 1 - win.base]!,
      tokenCount,
    };
    if (exhausted && e >= win.base + win.count) break;
    // Next start: `overlap` tokens back, moved forward to a word start.
    let next = e;
    for (let j = Math.max(e - overlap, s + 1); j < e; j++) {
      if (lvl(j) >= BREAK_WORD) {
        next = j;
        break;
      }
    }
    prevEnd = e;
    s = next;
    win.dropBefore(s);
  }
}
