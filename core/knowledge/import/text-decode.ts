import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';

export type TextKind = 'text' | 'utf16le' | 'utf16be' | 'binary';

const SAMPLE = 64 * 1024;

/**
 * Sniffs a byte sample: UTF-16 (BOM, or NUL in every other byte of mostly-ASCII text), text, or
 * binary (more than 1% NUL bytes, or more than 10% control characters other than
 * tab/newline/form feed/escape).
 */
export function sniffTextKind(bytes: Uint8Array): TextKind {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf16be';
  const n = Math.min(bytes.length, SAMPLE);
  if (n === 0) return 'text';
  let evenNul = 0;
  let oddNul = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) {
      if (i % 2 === 0) evenNul++;
      else oddNul++;
    } else if (
      (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) ||
      b === 0x7f
    ) {
      control++;
    }
  }
  const half = n / 2;
  // ASCII-range UTF-16: the high byte of (nearly) every code unit is 0, the low byte (almost) never.
  if (half >= 2 && oddNul > half * 0.4 && evenNul < half * 0.05) return 'utf16le';
  if (half >= 2 && evenNul > half * 0.4 && oddNul < half * 0.05) return 'utf16be';
  const nul = evenNul + oddNul;
  // A stray NUL or bell in a long text file is damage, not a sign of a binary format.
  return nul / n > 0.01 || (nul + control) / n > 0.1 ? 'binary' : 'text';
}

export interface DecodedText {
  text: string;
  /** The encoding used, as iconv-lite names it ('utf-8', 'utf-16le', 'windows-1252', …). */
  encoding: string;
}

/**
 * Bytes → string: a BOM wins; then UTF-16 without BOM where the NUL pattern shows it; then valid
 * UTF-8; then `declared` (e.g. an HTML meta charset) if iconv-lite knows it; then chardet's guess
 * for non-Latin scripts; else Windows-1252 (it decodes any byte, and is what "Latin-1" files
 * usually are).
 */
export function decodeText(bytes: Buffer, declared?: string): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: bytes.toString('utf8', 3), encoding: 'utf-8' };
  }
  const kind = sniffTextKind(bytes);
  if (kind === 'utf16le' || kind === 'utf16be') {
    // iconv-lite strips a BOM by default.
    return { text: iconv.decode(bytes, kind), encoding: kind };
  }
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), encoding: 'utf-8' };
  const encoding = pickEncoding(declared) ?? guessEncoding(bytes.subarray(0, SAMPLE));
  return { text: iconv.decode(bytes, encoding), encoding };
}

/** Single-byte encodings for Latin script, which chardet cannot tell apart on short samples. */
const LATIN = /^(iso-8859-(1|2|3|4|9|10|13|14|15|16)|windows-125[02478]|ascii|utf-8)$/i;

/**
 * chardet's best guess when it points at another script (Cyrillic, Greek, CJK, …) with some
 * confidence; otherwise Windows-1252. Short Western text often comes back as Baltic or Central
 * European, so a Latin guess is taken as Windows-1252, the usual legacy encoding here.
 */
function guessEncoding(sample: Uint8Array): string {
  const top = chardet.analyse(sample)[0];
  if (!top || LATIN.test(top.name) || top.confidence < 20) return 'windows-1252';
  return pickEncoding(top.name) ?? 'windows-1252';
}

function pickEncoding(name: string | null | undefined): string | null {
  if (!name) return null;
  const lower = name.trim().toLowerCase();
  // The bytes are not valid UTF-8, so a UTF-8/ASCII label is wrong; ISO-8859-1 labels mean
  // Windows-1252 in practice (the WHATWG encoding standard does the same).
  if (lower === 'utf-8' || lower === 'utf8' || lower === 'ascii' || lower === 'us-ascii') return null;
  if (lower === 'iso-8859-1' || lower === 'latin1' || lower === 'latin-1') return 'windows-1252';
  return iconv.encodingExists(lower) ? lower : null;
}
