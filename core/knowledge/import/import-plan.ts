import path from 'node:path';
import { insertPendingDocuments, loadCollectionIndex, updateTags } from '../documents/documents.ts';
import { containersWithUnfinished } from '../documents/member-documents.ts';
import { pathsWithOcrUnread, picturesWithNoReadableText } from '../documents/ocr-unread.ts';
import { NO_READABLE_TEXT, namedOutright } from './unreadable-pictures.ts';
import { FORMATS, isSupportedPath } from './formats.ts';
import { isTinyPicture, pictureFileSize } from './ocr/picture-size.ts';
import { sha256File } from '../../base/hash-file.ts';
import { toFsPath } from '../../base/raw-path.ts';
import { saveProgress } from './jobs.ts';
import { walkPaths, type FoundFile } from './walk.ts';
import type { ImmediateOutcome, ImportRun, WorkItem } from './import-types.ts';

/** What the plan stage decided: the files found, which need work, and which are settled already. */
export interface ImportPlan {
  files: FoundFile[];
  bytesTotal: number;
  /** Files to extract, chunk and embed, in walk order. */
  work: WorkItem[];
  /** Unchanged, duplicate and unreadable files: recorded without work. */
  immediate: ImmediateOutcome[];
  /** Ids of the pending documents inserted for new files, by path. */
  newIds: Map<string, number>;
}

/**
 * Import stage 1, plan: walks the paths (emitting `scanned`), hashes every file, decides what is
 * new, changed, unchanged or a duplicate, and inserts pending documents for the new files.
 */
export async function planImport(run: ImportRun): Promise<ImportPlan> {
  const { files, bytesTotal } = await scanFiles(run);
  const { signal } = run;
  // Hash everything first (fast, bounded concurrency): it decides what needs work at all.
  const hashes = await mapLimit(files, 8, async (file) => {
    try {
      return await sha256File(toFsPath(file.path), file.size, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return err as Error;
    }
  });
  const { work, immediate } = await classifyFiles(run, files, hashes);
  const newIds = await insertPendingDocuments(
    run.deps.db,
    run.target.id,
    work
      .filter((w) => !w.known)
      .map((w) => ({ path: w.file.path, hash: w.hash, size: w.file.size, mtimeMs: w.file.mtimeMs })),
    run.req.tags ?? [],
  );
  return { files, bytesTotal, work, immediate, newIds };
}

/**
 * Pictures found in folders that OCR would not read: all of them when OCR is off for the collection
 * (reason 'ocr-off'), and icons and bullets (reason 'tiny-picture', see isTinyPicture). They are
 * counted as ignored, not failed; a picture the user named outright is always read (or fails
 * saying why).
 */
async function passOverPictures(
  run: ImportRun,
  files: FoundFile[],
  explicit: Set<string>,
): Promise<FoundFile[]> {
  const { ignored } = run.summary;
  const kept: FoundFile[] = [];
  for (const f of files) {
    const picture = FORMATS.get(path.extname(f.path).toLowerCase())?.fileType === 'image';
    let why: string | null = null;
    if (picture && !explicit.has(f.path)) {
      if (run.target.ocr === false) why = 'ocr-off';
      else {
        const size = await pictureFileSize(f.path);
        if (size && isTinyPicture(size)) why = 'tiny-picture';
      }
    }
    if (!why) kept.push(f);
    else {
      ignored.total++;
      ignored.byReason[why] = (ignored.byReason[why] ?? 0) + 1;
    }
  }
  return kept;
}

/** Walks the request's paths; what the user named outright but cannot be taken is a failure. */
async function scanFiles(run: ImportRun): Promise<{ files: FoundFile[]; bytesTotal: number }> {
  const { req, summary, counters, jobId } = run;
  const walked = walkPaths(req.paths, {
    include: req.include,
    exclude: req.exclude,
    isSupported: isSupportedPath,
    signal: run.signal,
  });
  const explicit = new Set(req.paths.map((p) => path.resolve(p)));
  for (const ig of walked.ignored) {
    // What the user named outright and we could not take is a failure, not clutter.
    if (explicit.has(ig.path) || ig.reason === 'missing') {
      summary.failed.push({
        path: ig.path,
        reason: ig.reason,
        message:
          ig.reason === 'missing'
            ? `${ig.path} does not exist`
            : ig.reason === 'unsupported'
              ? `${path.basename(ig.path)}: files of type ${ig.detail} cannot be imported`
              : `${ig.path} cannot be read (${ig.detail ?? ig.reason})`,
      });
    } else {
      summary.ignored.total++;
      summary.ignored.byReason[ig.reason] = (summary.ignored.byReason[ig.reason] ?? 0) + 1;
    }
  }
  const files = await passOverPictures(run, walked.files, explicit);
  counters.filesTotal = files.length;
  counters.filesFailed = summary.failed.length;
  summary.filesTotal = files.length;
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  run.emit({ type: 'scanned', jobId, filesTotal: files.length, bytesTotal, ignored: summary.ignored.total });
  await saveProgress(run.deps.db, jobId, counters);
  return { files, bytesTotal };
}

/**
 * Sorts hashed files into work and immediate outcomes against what the collection holds. Unchanged
 * files get the request's tags (unless they hold members to read again: a failed message, an
 * attachment not read, which are work); the first file with a given content claims it, later ones
 * are duplicates.
 */
async function classifyFiles(
  run: ImportRun,
  files: FoundFile[],
  hashes: (string | Error)[],
): Promise<{ work: WorkItem[]; immediate: ImmediateOutcome[] }> {
  const { db } = run.deps;
  const index = await loadCollectionIndex(db, run.target.id);
  const unfinished = await containersWithUnfinished(db, run.target.id);
  // With OCR on, files with pages OCR left unread (it was off, a page failed) are read again.
  const ocrUnread =
    run.target.ocr === false ? new Set<string>() : await pathsWithOcrUnread(db, run.target.id);
  const photos = await picturesWithNoReadableText(db, run.target.id);
  const claimed = new Map(index.indexedByHash);
  const work: WorkItem[] = [];
  const immediate: ImmediateOutcome[] = [];
  for (const [i, file] of files.entries()) {
    const hash = hashes[i]!;
    if (hash instanceof Error) {
      immediate.push({
        file,
        outcome: 'failed',
        reason: 'unreadable',
        message: `${file.path} cannot be read (${hash.message})`,
      });
      continue;
    }
    const known = index.byPath.get(file.path);
    if (photos.get(file.path) === hash && !namedOutright(run, file.path)) {
      // A picture found before to hold no readable text (a photo), unchanged: passed over unread.
      immediate.push({ file, outcome: 'ignored', reason: NO_READABLE_TEXT });
      continue;
    }
    const readAgain = unfinished.has(file.path) || ocrUnread.has(file.path);
    if (known && known.hash === hash && known.status === 'indexed' && !readAgain) {
      if (run.req.tags) await updateTags(db, known.id, run.req.tags);
      immediate.push({ file, outcome: 'unchanged' });
      continue;
    }
    const twin = claimed.get(hash);
    if (!known && twin && twin !== file.path) {
      immediate.push({
        file,
        outcome: 'duplicate',
        reason: 'duplicate',
        message: `same content as ${twin}`,
      });
      continue;
    }
    claimed.set(hash, file.path);
    work.push({ file, hash, known });
  }
  return { work, immediate };
}

/** Runs fn over items with at most `limit` in flight; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
