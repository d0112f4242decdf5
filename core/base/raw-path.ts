import { isUtf8 } from 'node:buffer';
import path from 'node:path';

/**
 * File names on Linux are bytes, not text: a name that is not valid UTF-8 (legal, e.g. from an old
 * Latin-1 system or a broken archive) has no JavaScript string form, and Postgres text cannot hold
 * it either. Such a path travels as an escaped string: every byte outside valid UTF-8 becomes
 * `\xHH` and every literal backslash `\\`. A string is in escaped form exactly when it contains
 * `\x80`…`\xff` as text; an ordinary path never does, and a valid name that happens to contain
 * such text is escaped too, so reading a path back is never ambiguous. Escaping covers a whole
 * path, never one name in it (`joinRawName`), since reading back decodes the whole string.
 * Windows names are UTF-16 and its separator is the backslash, so there paths stay as they are.
 */
const ESCAPED = /\\x[89a-f][0-9a-f]/i;

/** The string form of a path read as bytes (readdir/realpath with `encoding: 'buffer'`). */
export function pathFromBytes(bytes: Buffer): string {
  const valid = isUtf8(bytes);
  const text = valid ? bytes.toString('utf8') : '';
  if (valid && (process.platform === 'win32' || !ESCAPED.test(text))) return text;
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const len = sequenceLength(bytes[i]!);
    const seq = bytes.subarray(i, i + len);
    if (len > 0 && seq.length === len && isUtf8(seq)) {
      out += seq.toString('utf8').replace(/\\/g, '\\\\');
      i += len;
    } else {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** What to hand the file system for a path string: the string itself, or the raw bytes it escapes. */
export function toFsPath(p: string): string | Buffer {
  if (process.platform === 'win32' || !ESCAPED.test(p)) return p;
  const parts: Buffer[] = [];
  let text = '';
  for (let i = 0; i < p.length;) {
    if (p[i] === '\\' && p[i + 1] === '\\') {
      text += '\\';
      i += 2;
    } else if (p[i] === '\\' && p[i + 1] === 'x' && /^[0-9a-f]{2}$/i.test(p.slice(i + 2, i + 4))) {
      parts.push(Buffer.from(text, 'utf8'), Buffer.from([parseInt(p.slice(i + 2, i + 4), 16)]));
      text = '';
      i += 4;
    } else {
      text += p[i];
      i++;
    }
  }
  parts.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(parts);
}

/** The bytes a path string names (see `toFsPath`). */
export function fsPathBytes(p: string): Buffer {
  const fsPath = toFsPath(p);
  return typeof fsPath === 'string' ? Buffer.from(fsPath, 'utf8') : fsPath;
}

/**
 * The string form of a folder joined with a name read as bytes. Escaping covers the whole path or
 * none of it: were only the name escaped, a folder whose valid name holds `\x41` or `\\` would be
 * decoded along with it and name another file. A path that needs no escaping reads as path.join
 * would write it.
 */
export function joinRawName(dir: string, name: Buffer): string {
  const sep = dir.endsWith(path.sep) ? '' : path.sep;
  return pathFromBytes(Buffer.concat([fsPathBytes(dir), Buffer.from(sep), name]));
}

/** Bytes in the UTF-8 sequence a lead byte starts; 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}
