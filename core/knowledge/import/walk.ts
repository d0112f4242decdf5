import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { joinRawName, pathFromBytes, toFsPath } from '../../base/raw-path.ts';

export interface FoundFile {
  /**
   * Absolute path as the user sees it (symlinks not resolved); a name that is not valid UTF-8 is
   * escaped (see raw-path.ts), so open it through `toFsPath`.
   */
  path: string;
  /** The folder or file argument it was found under. */
  root: string;
  size: number;
  mtimeMs: number;
}

export interface IgnoredPath {
  path: string;
  reason:
    | 'hidden'
    | 'system'
    | 'excluded'
    | 'not-included'
    | 'unsupported'
    | 'symlink-loop'
    | 'unreadable'
    | 'missing'
    | 'special';
  detail?: string;
}

export interface WalkOptions {
  /** Globs relative to each folder argument; when set, only matching files are taken. */
  include?: string[];
  exclude?: string[];
  /** Whether a file's type can be imported (by extension/name); unsupported ones are reported. */
  isSupported: (file: string) => boolean;
  signal?: AbortSignal;
}

export interface WalkResult {
  files: FoundFile[];
  ignored: IgnoredPath[];
}

/** OS and office clutter that is never knowledge. */
const SYSTEM_NAMES = new Set([
  'thumbs.db',
  'desktop.ini',
  '.ds_store',
  'icon\r',
  '$recycle.bin',
  'system volume information',
]);

function isSystem(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    SYSTEM_NAMES.has(lower) || lower.startsWith('~$') || lower.startsWith('.~lock.') || lower.endsWith('.tmp')
  );
}

/**
 * Expands files and folders into the files to import: recursive, hidden and system files skipped,
 * include/exclude globs applied to paths relative to each folder argument, symlink loops safe
 * (each real directory is entered once). Explicitly named files are taken even if hidden.
 */
export function walkPaths(inputs: string[], opts: WalkOptions): WalkResult {
  const include = opts.include?.length ? picomatch(opts.include, { dot: true, nocase: true }) : null;
  const exclude = opts.exclude?.length ? picomatch(opts.exclude, { dot: true, nocase: true }) : null;
  const files: FoundFile[] = [];
  const ignored: IgnoredPath[] = [];
  const seenFiles = new Set<string>();

  for (const input of inputs) {
    const abs = path.resolve(input);
    let st: fs.Stats;
    try {
      st = fs.statSync(toFsPath(abs));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      ignored.push({
        path: abs,
        reason: code === 'ENOENT' ? 'missing' : 'unreadable',
        detail: code ?? String(err),
      });
      continue;
    }
    if (st.isFile()) {
      addFile(abs, abs, '', st, true);
    } else if (st.isDirectory()) {
      walkDir(abs, '', new Set());
    } else {
      ignored.push({ path: abs, reason: 'special', detail: 'not a regular file or folder' });
    }
  }
  return { files, ignored };

  /** `rel`: the path below the folder argument, names joined by `/`, for the globs. */
  function addFile(file: string, root: string, rel: string, st: fs.Stats, explicit: boolean): void {
    const real = safeRealpath(file);
    if (seenFiles.has(real)) return; // the same file reached twice (symlink or overlapping arguments)
    seenFiles.add(real);
    if (!explicit) {
      if (exclude?.(rel)) return void ignored.push({ path: file, reason: 'excluded' });
      if (include && !include(rel)) return void ignored.push({ path: file, reason: 'not-included' });
    }
    if (!opts.isSupported(file))
      return void ignored.push({
        path: file,
        reason: 'unsupported',
        detail: path.extname(file) || 'no extension',
      });
    files.push({ path: file, root, size: st.size, mtimeMs: st.mtimeMs });
  }

  /** `root`: the folder argument `dir` lies in; `rel`: `dir` below it ('' for the argument itself). */
  function walkDir(dir: string, rel: string, ancestors: Set<string>, root = dir): void {
    opts.signal?.throwIfAborted();
    const real = safeRealpath(dir);
    if (ancestors.has(real)) return void ignored.push({ path: dir, reason: 'symlink-loop' });
    const inPath = new Set(ancestors).add(real);
    let names: { name: string; raw: Buffer }[];
    try {
      // Names as bytes: one that is not valid UTF-8 would otherwise come back mangled, unopenable.
      const raws = fs.readdirSync(toFsPath(dir), { encoding: 'buffer' });
      names = raws.map((raw) => ({ name: pathFromBytes(raw), raw }));
    } catch (err) {
      return void ignored.push({
        path: dir,
        reason: 'unreadable',
        detail: (err as NodeJS.ErrnoException).code ?? String(err),
      });
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, raw } of names) {
      // Escaped as a whole (joinRawName), never name by name: see raw-path.ts.
      const full = joinRawName(dir, raw);
      const childRel = rel ? `${rel}/${name}` : name;
      if (name.startsWith('.')) {
        ignored.push({ path: full, reason: 'hidden' });
        continue;
      }
      if (isSystem(name)) {
        ignored.push({ path: full, reason: 'system' });
        continue;
      }
      let st: fs.Stats;
      try {
        st = fs.statSync(toFsPath(full)); // follows symlinks; loops are caught by the ancestor set
      } catch (err) {
        ignored.push({
          path: full,
          reason: 'unreadable',
          detail: (err as NodeJS.ErrnoException).code ?? String(err),
        });
        continue;
      }
      if (st.isDirectory()) {
        if (exclude?.(childRel) || exclude?.(`${childRel}/`)) {
          ignored.push({ path: full, reason: 'excluded' });
          continue;
        }
        walkDir(full, childRel, inPath, root);
      } else if (st.isFile()) addFile(full, root, childRel, st, false);
      else ignored.push({ path: full, reason: 'special', detail: 'not a regular file' });
    }
  }
}

function safeRealpath(p: string): string {
  try {
    return pathFromBytes(fs.realpathSync(toFsPath(p), { encoding: 'buffer' }));
  } catch {
    return p;
  }
}
