/**
 * A fast, language-agnostic token approximator for when no model tokenizer is around. It counts
 * roughly the way a BPE vocabulary splits text (erring slightly on the high side, so chunks stay
 * within a model's context):
 * - a run of letters (any script, combining marks included) of up to 6 code units is one token;
 *   a longer run is cut greedily into 4-unit pieces while more than 6 units remain, and the rest
 *   (≤ 6) is the last piece ("internationally" → "inte|rnat|iona|lly");
 * - a run of digits is cut into pieces of 3 ("2024" → "202|4");
 * - every CJK character (Han, Hiragana, Katakana, Hangul, Bopomofo) is one token;
 * - every other non-space character is one token, except that a run of the same character
 *   ("-----", "=====") is cut into pieces of 4;
 * - whitespace is never a token.
 * Pieces are cut from the left and depend only on what remains of the run, so a text sliced at
 * token boundaries re-counts to exactly the number of tokens it was cut with.
 */

/** Character classes (also used by the built-in embedder to find words). */
export const CHAR_SPACE = 1;
export const CHAR_WORD = 3;
export const CHAR_DIGIT = 4;
export const CHAR_CJK = 5;
export const CHAR_OTHER = 6;
/** High surrogate: the class depends on the code point it starts (see classAt). */
const CHAR_HIGH = 7;

/** Lazily filled class of every BMP code unit (0 = not yet classified). */
const BMP = new Uint8Array(65536);
const ASTRAL = new Map<number, number>();

const RE_SPACE = /[\s\u200b\u2060\ufeff]/u;
const RE_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;
const RE_LETTER = /[\p{L}\p{M}\u200c\u200d]/u;
const RE_DIGIT = /\p{N}/u;

function classify(ch: string): number {
  if (RE_SPACE.test(ch)) return CHAR_SPACE;
  if (RE_LETTER.test(ch)) return RE_CJK.test(ch) ? CHAR_CJK : CHAR_WORD;
  if (RE_DIGIT.test(ch)) return CHAR_DIGIT;
  return CHAR_OTHER;
}

for (let c = 0; c < 128; c++) BMP[c] = classify(String.fromCharCode(c));
for (let c = 0xd800; c < 0xdc00; c++) BMP[c] = CHAR_HIGH;
for (let c = 0xdc00; c < 0xe000; c++) BMP[c] = CHAR_OTHER; // lone low surrogate

/** Class of a BMP code unit (a high surrogate reports CHAR_OTHER; use classAt for text). */
export function classOfCode(c: number): number {
  let k = BMP[c]!;
  if (k === 0) k = BMP[c] = classify(String.fromCharCode(c));
  return k === CHAR_HIGH ? CHAR_OTHER : k;
}

/** Width (1 or 2 code units) of the character last classified by classAt. */
export const lastChar = { width: 1 };

/** Class of the character starting at `i` (which must be < text.length); sets lastChar.width. */
export function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  let k = BMP[c]!;
  if (k === 0) k = BMP[c] = classify(String.fromCharCode(c));
  if (k !== CHAR_HIGH) {
    lastChar.width = 1;
    return k;
  }
  const lo = text.charCodeAt(i + 1);
  if (!(lo >= 0xdc00 && lo < 0xe000)) {
    lastChar.width = 1;
    return CHAR_OTHER;
  }
  lastChar.width = 2;
  const cp = (c - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
  let a = ASTRAL.get(cp);
  if (a === undefined) {
    a = classify(String.fromCodePoint(cp));
    ASTRAL.set(cp, a);
  }
  return a;
}

/** A letter run longer than this is cut into pieces. */
const WORD_WHOLE = 6;
const WORD_PIECE = 4;
const DIGIT_PIECE = 3;
const REPEAT_PIECE = 4;

/**
 * Allocation-free pull tokenizer: call reset(text), then next() until it returns false; after
 * each true, the fields describe the token.
 */
export class TokenScanner {
  text = '';
  /** Offsets of the current token in text. */
  start = 0;
  end = 0;
  /** CHAR_WORD, CHAR_DIGIT, CHAR_CJK or CHAR_OTHER. */
  kind = 0;
  /** Line breaks in the whitespace just before this token. */
  newlines = 0;
  /** Whether whitespace precedes this token (false for the first token of an unspaced text). */
  spaced = false;
  /** True when this token continues a run (word, number, repeated mark) cut into pieces. */
  piece = false;
  private pos = 0;
  private len = 0;
  private runEnd = 0;
  private pieceLen = 0;
  private wholeLen = 0;

  reset(text: string): this {
    this.text = text;
    this.pos = 0;
    this.len = text.length;
    this.runEnd = 0;
    this.start = this.end = 0;
    return this;
  }

  next(): boolean {
    const text = this.text;
    if (this.pos < this.runEnd) {
      this.start = this.pos;
      this.cutPiece();
      this.newlines = 0;
      this.spaced = false;
      this.piece = true;
      return true;
    }
    let pos = this.pos;
    const len = this.len;
    let nl = 0;
    let spaced = false;
    let k = 0;
    while (pos < len) {
      k = classAt(text, pos);
      if (k !== CHAR_SPACE) break;
      spaced = true;
      if (text.charCodeAt(pos) === 10) nl++;
      pos++;
    }
    if (pos >= len) {
      this.pos = len;
      return false;
    }
    this.newlines = nl;
    this.spaced = spaced;
    this.piece = false;
    this.start = pos;
    this.kind = k;
    let j = pos + lastChar.width;
    if (k === CHAR_WORD || k === CHAR_DIGIT) {
      while (j < len && classAt(text, j) === k) j += lastChar.width;
      this.runEnd = j;
      this.pieceLen = k === CHAR_WORD ? WORD_PIECE : DIGIT_PIECE;
      this.wholeLen = k === CHAR_WORD ? WORD_WHOLE : DIGIT_PIECE;
      this.cutPiece();
      return true;
    }
    if (k === CHAR_OTHER && lastChar.width === 1) {
      const c = text.charCodeAt(pos);
      while (j < len && text.charCodeAt(j) === c) j++;
      this.runEnd = j;
      this.pieceLen = this.wholeLen = REPEAT_PIECE;
      this.cutPiece();
      return true;
    }
    // CJK character or astral symbol: one token each.
    this.end = this.pos = this.runEnd = j;
    return true;
  }

  /** Sets end (and pos) for the piece starting at this.start within the current run. */
  private cutPiece(): void {
    const start = this.start;
    const runEnd = this.runEnd;
    let end = runEnd - start <= this.wholeLen ? runEnd : start + this.pieceLen;
    if (end < runEnd) {
      // Never cut a surrogate pair in two.
      const c = this.text.charCodeAt(end - 1);
      if (c >= 0xd800 && c < 0xdc00) end++;
    }
    this.end = this.pos = end;
  }
}

const shared = new TokenScanner();

/** Approximate number of model tokens in `text` (see the module comment for the rules). */
export function countTokens(text: string): number {
  const s = shared.reset(text);
  let n = 0;
  while (s.next()) n++;
  s.reset('');
  return n;
}

/** Token boundaries as a flat [start0, end0, start1, end1, …] array of offsets into `text`. */
export function tokenOffsets(text: string): Int32Array {
  const s = new TokenScanner().reset(text);
  let out = new Int32Array(64);
  let n = 0;
  while (s.next()) {
    if (n + 2 > out.length) {
      const grown = new Int32Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[n++] = s.start;
    out[n++] = s.end;
  }
  return out.slice(0, n);
}
