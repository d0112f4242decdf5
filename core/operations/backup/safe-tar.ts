import path from 'node:path';
import * as tar from 'tar';
import { PustakaError } from '../../base/errors.ts';

/**
 * Every tar Pustaka unpacks (a backup or collection archive, the `pg.tar` inside a backup) holds
 * plain files and folders only. Anything else — a symbolic or hard link, a device, a FIFO, an
 * absolute name or one with `..` — is refused for the whole archive, by reading it through once
 * before a single entry is written: a link in `pg.tar` would otherwise be renamed into the live
 * `pg/` by a restore. tar itself would strip such names or skip such entries with a warning.
 */
const PLAIN_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

const TYPE_NAMES: Record<string, string> = {
  SymbolicLink: 'a symbolic link',
  Link: 'a hard link',
  CharacterDevice: 'a device',
  BlockDevice: 'a device',
  FIFO: 'a FIFO (named pipe)',
};

export interface SafeTarOptions {
  /**
   * PGlite's `dumpDataDir()` names its entries from the cluster's root ("/base/1/112"): with
   * this, one leading "/" is read as that root. Any other absolute name is still refused.
   */
  rooted?: boolean;
}

/** Why an entry may not be unpacked, or null when it is a plain file or folder with a plain name. */
export function unsafeEntry(type: string, name: string, opts: SafeTarOptions = {}): string | null {
  if (!PLAIN_TYPES.has(type)) return TYPE_NAMES[type] ?? `an entry of type ${type}`;
  if (name.includes('\0')) return 'a NUL byte in its name';
  if (name.includes('\\')) return 'a backslash in its name';
  const rel = opts.rooted && /^\/[^/]/.test(name) ? name.slice(1) : name;
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel) || path.isAbsolute(rel)) return 'an absolute path';
  if (rel.split('/').includes('..')) return 'a ".." in its path';
  return null;
}

/** True for a file entry (not a folder) that may be unpacked: the second check, at extraction. */
export function isPlainFile(type: string, name: string, opts: SafeTarOptions = {}): boolean {
  return FILE_TYPES.has(type) && unsafeEntry(type, name, opts) === null;
}

/**
 * Reads the whole tar (strictly: a damaged header fails it, so nothing is skipped that extraction
 * would then see differently) and throws a `storage_error` naming the refused entries.
 */
export async function assertSafeTar(file: string, label: string, opts: SafeTarOptions = {}): Promise<void> {
  const refused: string[] = [];
  let count = 0;
  try {
    await tar.t({
      file,
      strict: true,
      onReadEntry: (entry) => {
        const why = unsafeEntry(entry.type, entry.path, opts);
        if (why && count++ < 5) refused.push(`"${printable(entry.path)}" (${why})`);
      },
    });
  } catch (err) {
    throw new PustakaError(
      'storage_error',
      `${label} is damaged or not a Pustaka archive (${(err as Error).message})`,
      { path: file },
      { cause: err },
    );
  }
  if (count) {
    throw new PustakaError(
      'storage_error',
      `${label} was refused: it holds ${refused.join(', ')}${count > refused.length ? ` and ${count - refused.length} more` : ''}. A Pustaka archive holds only plain files and folders; nothing was unpacked`,
      { path: file, refused },
    );
  }
}

function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 200);
}
