/**
 * Integrity checks of collections.db that cost nothing or run off the main thread:
 * - `headerProblem`: reads the 100-byte header (a truncated or overwritten file), at every open;
 * - `checkFileInWorker`: `PRAGMA quick_check` (every page read) in a worker thread, so a large
 *   store is checked without blocking searches (the PostgreSQL manual's 30 MB store: 0.08 to
 *   0.25 s, 0.18 s with the worker's start; it grows with the file).
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { entryPoint } from '../../base/app-files.ts';
import { createWorkerPool } from '../../base/thread-pool/pool.ts';
import { isSqliteDamage } from '../store-damage.ts';

export interface IntegrityTaskInput {
  path: string;
}

export interface IntegrityTaskOutput {
  ok: boolean;
  /** The file is damaged (quick_check found a problem, or SQLite called it corrupt or no database). */
  damaged: boolean;
  /** The first problem quick_check found, or why the file could not be read. */
  problem: string | null;
  /** The SQLite error code when the file could not be opened or read (SQLITE_NOTADB…). */
  code?: string | null;
  ms: number;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * What is wrong with the file's header, or null (also for a missing or empty file: a new store).
 * A header whose page count is valid (its change counter matches) and exceeds the file means the
 * file lost its end; a write-ahead log may still hold pages, so a non-empty one defers to SQLite.
 */
export function headerProblem(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return null;
    const header = Buffer.alloc(100);
    const read = fs.readSync(fd, header, 0, 100, 0);
    if (read < 100) return `the file is ${size} bytes, shorter than an SQLite header`;
    if (!header.subarray(0, 16).equals(SQLITE_MAGIC)) return 'the file is not an SQLite database';
    const raw = header.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    const pages = header.readUInt32BE(28);
    const counterValid = header.readUInt32BE(24) === header.readUInt32BE(92);
    if (!counterValid || pages === 0 || pages * pageSize <= size) return null;
    const wal = fs.statSync(`${file}-wal`, { throwIfNoEntry: false });
    if (wal && wal.size > 32) return null;
    return `the file is truncated: its header counts ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes), the file has ${size}`;
  } finally {
    fs.closeSync(fd);
  }
}

/** `PRAGMA quick_check` of the file in a worker thread (read-only; WAL lets writers go on). */
export async function checkFileInWorker(
  file: string,
  opts: { signal?: AbortSignal } = {},
): Promise<IntegrityTaskOutput> {
  const pool = createWorkerPool<IntegrityTaskInput, IntegrityTaskOutput>({
    entry: pathToFileURL(entryPoint('integrity-task')),
    size: 1,
  });
  try {
    const out = await pool.run({ path: file }, opts.signal ? { signal: opts.signal } : {});
    // An error opening or reading the file is damage only when SQLite calls it corrupt.
    if (!out.ok && out.code)
      out.damaged = isSqliteDamage(Object.assign(new Error(out.problem ?? ''), { code: out.code }));
    return out;
  } finally {
    await pool.close();
  }
}

/**
 * Checked at open when the file is at most this big: the check runs in a worker while Postgres
 * starts (about 0.5 s), so most of it overlaps (measured on 2 busy cores, PostgreSQL manual:
 * opening took ~70 ms longer); larger files are checked in the background by long-lived engines
 * and by the nightly maintenance, and any file by the first read that meets damage.
 */
export const OPEN_CHECK_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Starts the open-time check of `file` in a worker; resolves to null when the file is missing,
 * empty or too large to check at open, and never rejects (a check that cannot run finds nothing).
 */
export function startOpenCheck(
  file: string,
  maxBytes = OPEN_CHECK_MAX_BYTES,
): Promise<IntegrityTaskOutput | null> {
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size === 0 || size > maxBytes) return Promise.resolve(null);
  return checkFileInWorker(file).catch(() => null);
}
