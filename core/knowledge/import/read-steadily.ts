import fs from 'node:fs';
import path from 'node:path';
import { sha256File } from '../../base/hash-file.ts';
import { toFsPath } from '../../base/raw-path.ts';
import type { FileTaskOutput } from './file-task-types.ts';
import type { FoundFile } from './walk.ts';

/** How often a file that changed while it was read is read again before its last read is kept. */
export const MAX_REREADS = 3;

export interface SteadyRead {
  out: FileTaskOutput;
  /** The file as it was found before the kept read: its size and modification time then. */
  file: FoundFile;
  /** The content hash taken before the kept read. */
  hash: string;
  /** Set when the file changed during every read: a sentence for the user, naming the file. */
  warning: string | null;
}

/**
 * Reads a file and checks it held still meanwhile: its size and modification time after the read
 * must be those found before it was hashed. A file that changed (still being written, copied or
 * appended to) is stat'ed, hashed and read again, up to MAX_REREADS times; after that the last
 * read is kept with a warning, since a file that never settles (a live log) is still worth finding.
 */
export async function readSteadily(
  found: FoundFile,
  foundHash: string,
  read: (file: FoundFile) => Promise<FileTaskOutput>,
  signal: AbortSignal,
): Promise<SteadyRead> {
  let file = found;
  let hash = foundHash;
  for (let reads = 1; ; reads++) {
    const out = await read(file);
    const after = await statOrNull(file.path);
    // Gone now: what was read is all there is (the next import with removeMissing drops it).
    if (!after || (after.size === file.size && after.mtimeMs === file.mtimeMs))
      return { out, file, hash, warning: null };
    if (reads > MAX_REREADS) return { out, file, hash, warning: changedWarning(file.path, reads) };
    signal.throwIfAborted();
    const next = { ...file, size: after.size, mtimeMs: after.mtimeMs };
    try {
      hash = await sha256File(toFsPath(file.path), next.size, signal);
    } catch {
      if (signal.aborted) throw signal.reason;
      return { out, file, hash, warning: changedWarning(file.path, reads) };
    }
    file = next;
  }
}

async function statOrNull(file: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(toFsPath(file));
  } catch {
    return null;
  }
}

function changedWarning(file: string, reads: number): string {
  return `${path.basename(file)} changed while it was being imported (read ${reads} times); the indexed text is its last read and may be incomplete. Import it again once it stops changing.`;
}
