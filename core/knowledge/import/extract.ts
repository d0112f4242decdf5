import fs from 'node:fs';
import path from 'node:path';
import { formatDuration } from '../../base/format-duration.ts';
import { toFsPath } from '../../base/raw-path.ts';
import { navigationKind } from './navigation.ts';

import type { ExtractedDocument, ExtractedSection } from './types.ts';
import { ExtractError, displayName, formatBytes } from './extract-error.ts';
import { detectFormat, withArticle } from './formats.ts';
import type { Format } from './formats.ts';
import { assertSafeZip } from './zip-guard.ts';
import { createOcrRun, DEFAULT_OCR_SETTINGS, type OcrRun, type OcrSettings } from './ocr/ocr-run.ts';

/** The most entry-line navigation held back in case a document turns out to be all navigation. */
const NAV_HELD_MAX_CHARS = 4_000_000;

export { ExtractError, isExtractError } from './extract-error.ts';
export type { ExtractReason } from './extract-error.ts';

export interface ExtractOptions {
  /** Larger files are refused ('too_large'). Default 200 MB. */
  maxBytes?: number;
  /** Reading + extracting must finish within this ('timeout'). Default 60 s. */
  timeoutMs?: number;
  /** Aborting it stops the extraction ('cancelled'). */
  signal?: AbortSignal;
  /**
   * Told after each page of a paged format (PDF): pages read so far, of `total`; with `ocrPage`
   * just before a page is recognised by OCR (only then: pages OCR passes over are not named).
   */
  onPage?: (done: number, total: number, ocrPage?: number) => void;
  /**
   * OCR of scanned pages and pictures (default: on, 60 s a page). The time a page spends in OCR
   * counts against its own budget, not against `timeoutMs`.
   */
  ocr?: OcrSettings;
  /**
   * Takes each finished section (normalised, non-empty) in order, instead of the returned
   * document: then `sections` comes back empty and nothing holds the document's text. A paged
   * format hands each page over as it is read; the others once they are read. The time spent
   * waiting for it does not count against `timeoutMs`.
   */
  onSection?: (section: ExtractedSection) => Promise<void> | void;
}

export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Reads one file into sections: size check, read, format detection (extension checked against the
 * content), the zip guard for ZIP-based formats, the format's extractor under a time-out, then the
 * post-processing every format shares (see `finishDocument`). Every failure is an ExtractError.
 */
export async function extractFile(file: string, opts: ExtractOptions = {}): Promise<ExtractedDocument> {
  const name = displayName(file);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (opts.signal?.aborted) throw cancelled(file, opts.signal.reason);

  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(toFsPath(file));
  } catch (err) {
    throw unreadable(file, err);
  }
  if (!stat.isFile()) throw new ExtractError('unreadable', file, `${name} is not a file`);
  if (stat.size > maxBytes) throw tooLarge(file, stat.size, maxBytes);
  return extractRead(file, opts, async (signal) => {
    try {
      return await readWhole(file, stat.size, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      throw unreadable(file, err);
    }
  });
}

/**
 * `extractFile` for bytes already in memory, e.g. an e-mail attachment: `name` stands for the
 * file in messages and its extension picks the format, as a path would. The same size limit,
 * format check, guards, time-out and post-processing apply.
 */
export async function extractBuffer(
  name: string,
  bytes: Buffer,
  opts: ExtractOptions = {},
): Promise<ExtractedDocument> {
  if (opts.signal?.aborted) throw cancelled(name, opts.signal.reason);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) throw tooLarge(name, bytes.length, maxBytes);
  return extractRead(name, opts, () => Promise.resolve(bytes));
}

/** Reading (`read`) and what follows it, under the time-out: see `extractFile`. */
async function extractRead(
  file: string,
  opts: ExtractOptions,
  read: (signal: AbortSignal) => Promise<Buffer>,
): Promise<ExtractedDocument> {
  const name = displayName(file);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = pausableTimeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
  let format: Format | null = null;
  const receiver: { failed?: { err: unknown } } = {};
  // The page count the extractor last reported: an OCR page's progress report names it too.
  let total = 0;
  const onPage = opts.onPage
    ? (done: number, pages: number) => {
        total = pages;
        opts.onPage!(done, pages);
      }
    : undefined;
  const ocr = startOcr(opts.ocr ?? DEFAULT_OCR_SETTINGS, timeout, (pageNo) =>
    opts.onPage?.(pageNo - 1, Math.max(total, pageNo), pageNo),
  );
  try {
    let bytes: Buffer | null = await read(signal);
    format = detectFormat(file, bytes);
    if (format.container === 'zip') await assertSafeZip(file, bytes, signal);
    const sections = createSectionFinisher();
    const { onSection } = opts;
    // Sections handed on as they come: the receiver's time is not the reader's, nor its errors.
    const give = onSection
      ? async (raw: ExtractedSection) => {
          const section = sections.take(raw);
          if (!section) return;
          timeout.pause();
          try {
            await onSection(section);
          } catch (err) {
            receiver.failed = { err };
            throw err;
          } finally {
            timeout.resume();
          }
          signal.throwIfAborted();
        }
      : undefined;
    const pending = format.extractor({
      path: file,
      bytes,
      signal,
      onPage,
      onSection: give,
      ocr,
    });
    bytes = null; // the extractor holds what it needs; let the raw bytes go before post-processing
    const doc = await untilAborted(pending, signal);
    if (ocr) noteOcr(doc, ocr);
    if (give) {
      // A format that does not stream: its sections are handed on now, each let go once taken.
      const all = doc.sections;
      doc.sections = [];
      for (let i = 0; i < all.length; i++) {
        const section = all[i]!;
        all[i] = EMPTY_SECTION;
        await give(section);
      }
      for (const held of sections.keptIfAllNavigation(doc.title)) await onSection!(held);
      return sections.finish(file, format, doc);
    }
    return finishDocument(file, format, doc);
  } catch (err) {
    if (receiver.failed) throw receiver.failed.err;
    if (err instanceof ExtractError) throw err;
    if (opts.signal?.aborted) throw cancelled(file, err);
    if (timeout.signal.aborted) {
      throw new ExtractError(
        'timeout',
        file,
        `${name} took longer than ${formatDuration(timeoutMs)} to read`,
        {
          cause: err,
        },
      );
    }
    const detail = err instanceof Error ? err.message : String(err);
    const what = format ? withArticle(format.label) : 'a document';
    throw new ExtractError('corrupt', file, `${name} could not be read as ${what}: ${detail}`, {
      cause: err,
    });
  } finally {
    timeout.clear();
  }
}

const EMPTY_SECTION: ExtractedSection = { headingPath: [], text: '', page: null };

/** The document's OCR run, when OCR is on: a page's reading stops the file's clock (see ExtractOptions.ocr). */
function startOcr(
  settings: OcrSettings,
  timeout: ReturnType<typeof pausableTimeout>,
  reading: (pageNo: number) => void,
): OcrRun | undefined {
  if (!settings.enabled) return undefined;
  return createOcrRun(
    settings,
    async (work) => {
      timeout.pause();
      try {
        return await work();
      } finally {
        timeout.resume();
      }
    },
    reading,
  );
}

/** What OCR read goes on the document: its pages, confidence and warnings. */
function noteOcr(doc: ExtractedDocument, ocr: OcrRun): void {
  const summary = ocr.summary();
  if (summary.pages.length > 0) doc.ocr = summary;
  const unread = ocr.unreadPages();
  if (unread.length > 0) doc.ocrUnread = unread;
  doc.warnings.push(...ocr.warnings());
}

/**
 * An abort after `ms` of the reader's own time: the clock stops between `pause` and `resume`
 * (while a receiver takes a section), so a slow receiver never makes a steady reader time out.
 */
function pausableTimeout(ms: number) {
  const ctrl = new AbortController();
  let left = ms;
  let since = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    since = performance.now();
    timer = setTimeout(() => ctrl.abort(new DOMException('reading timed out', 'TimeoutError')), left);
    timer.unref();
  };
  start();
  return {
    signal: ctrl.signal,
    pause() {
      clearTimeout(timer);
      left = Math.max(0, left - (performance.now() - since));
    },
    resume: start,
    clear: () => clearTimeout(timer),
  };
}

/**
 * The shared post-processing, in one place for every format: text normalised (see
 * `normalizeText`), heading paths tidied, empty sections dropped, fileType/mime taken from the
 * format table, and the title falling back to the first heading (unless the format says its
 * headings are no titles), then the file name. A document
 * with no text left is an 'empty' ExtractError.
 */
export function finishDocument(file: string, format: Format, doc: ExtractedDocument): ExtractedDocument {
  const finisher = createSectionFinisher();
  const sections = doc.sections;
  let kept = 0;
  for (const section of sections) {
    const done = finisher.take(section);
    section.text = ''; // release the raw text before the next section is normalised
    if (done) sections[kept++] = done;
  }
  sections.length = kept;
  sections.push(...finisher.keptIfAllNavigation(doc.title));
  return finisher.finish(file, format, doc);
}

/**
 * `finishDocument` one section at a time: `take` normalises a section (null when nothing is left
 * of it) and notes what the title and the emptiness check need; `finish` completes the document
 * around the sections it was given (kept in `doc.sections`, or handed on elsewhere).
 */
function createSectionFinisher() {
  let firstHeading: string | null = null;
  let kept = 0;
  const navigation: { sections: number; chars: number; kept?: true } = { sections: 0, chars: 0 };
  const navHeadings = new Set<string>();
  // Entry-line navigation held back while nothing else was kept (see keptIfAllNavigation).
  let held: ExtractedSection[] = [];
  let heldChars = 0;
  return {
    take(section: ExtractedSection): ExtractedSection | null {
      const headingPath = section.headingPath.map(cleanLine).filter((h) => h !== '');
      firstHeading ??= headingPath[0] ?? null;
      const text = normalizeText(section.text);
      if (text === '') return null;
      const kind = navigationKind({ ...section, text });
      if (kind) {
        navigation.sections++;
        navigation.chars += text.length;
        const heading = headingPath.at(-1);
        if (heading && navHeadings.size < 20) navHeadings.add(heading);
        if (kind === 'entries' && kept === 0 && heldChars + text.length <= NAV_HELD_MAX_CHARS) {
          held.push({ headingPath, text, page: section.page });
          heldChars += text.length;
        }
        return null;
      }
      kept++;
      held = [];
      return { headingPath, text, page: section.page };
    },
    /**
     * What a document that is all navigation keeps. Lines told as entries (page numbers in plain
     * text, a guess) are kept whole, up to NAV_HELD_MAX_CHARS: where unsure, text is not lost, and
     * the steps say so (navigationKept). Link lists (certain) are cut to the title and headings,
     * so the page can still be found by what it is: kept whole, an index page of links ranks
     * first for every term it lists (the Python manual's index: R@1 0.46 -> 0.15 in `npm run
     * eval`); keeping them at a lower weight needs a weight per chunk in the keyword index.
     */
    keptIfAllNavigation(title: string | null): ExtractedSection[] {
      if (kept > 0 || navigation.sections === 0) return [];
      if (held.length > 0) {
        const out = held;
        held = [];
        kept += out.length;
        navigation.kept = true;
        return out;
      }
      const text = normalizeText([cleanLine(title ?? ''), ...navHeadings].filter(Boolean).join('\n'));
      if (text === '') return [];
      kept++;
      return [{ headingPath: [], text, page: null }];
    },
    finish(file: string, format: Format, doc: ExtractedDocument): ExtractedDocument {
      const warnings = doc.warnings.map(cleanLine).filter((w) => w !== '');
      if (kept === 0) {
        const why = warnings.length > 0 ? ` (${warnings.join('; ')})` : '';
        throw new ExtractError('empty', file, `${displayName(file)} contains no text${why}`);
      }
      const headingTitle = format.titleFromHeadings === false ? null : firstHeading;
      const title = cleanLine(doc.title ?? '') || headingTitle || path.parse(file).name;
      const author = cleanLine(doc.author ?? '') || null;
      return {
        title,
        ...(author ? { author } : {}),
        fileType: format.fileType,
        mime: format.mime,
        sections: doc.sections,
        pageCount: doc.pageCount,
        warnings,
        ...(doc.ocr ? { ocr: doc.ocr } : {}),
        ...(doc.ocrUnread ? { ocrUnread: doc.ocrUnread } : {}),
        ...(navigation.sections > 0 ? { navigation: { ...navigation } } : {}),
      };
    },
  };
}

/** C0/C1 control characters other than tab and newline, plus soft hyphens and byte-order marks. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u00ad\ufeff]/g;

/**
 * NFC; CRLF, CR, form feed and vertical tab → LF; NUL and other control characters removed;
 * no-break spaces → spaces; trailing spaces cut; runs of blank lines → one; no leading or
 * trailing blank lines. Leading indentation is kept (code, preformatted text).
 */
export function normalizeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  let out = /[^\u0000-\u007f]/.test(text) ? text.normalize('NFC') : text;
  out = out
    .replace(/\r\n?|[\f\v]/g, '\n')
    .replace(INVISIBLE, '')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t\u3000]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n');
  return out.replace(/^\n+/, '').replace(/\n+$/, '');
}

function cleanLine(text: string): string {
  return normalizeText(text).replace(/\s+/g, ' ').trim();
}

/**
 * The file's `size` bytes (from stat) in as few reads as possible: fs.promises.readFile reads in
 * 512 KB steps with a thread-pool round trip each plus an fstat, which dominates for small files.
 */
async function readWhole(file: string, size: number, signal: AbortSignal): Promise<Buffer> {
  const handle = await fs.promises.open(toFsPath(file), 'r');
  try {
    const buffer = Buffer.allocUnsafe(size);
    let length = 0;
    while (length < size) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(
        buffer,
        length,
        Math.min(size - length, 64 * 1024 * 1024),
        length,
      );
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** Resolves with `work`, or rejects as soon as `signal` aborts (the work itself may run on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {}); // a late rejection after an abort is not an unhandled one
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function tooLarge(file: string, size: number, max: number): ExtractError {
  return new ExtractError(
    'too_large',
    file,
    `${displayName(file)} is ${formatBytes(size)}; the limit is ${formatBytes(max)}`,
  );
}

function unreadable(file: string, err: unknown): ExtractError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'cannot be opened (permission denied)'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : `cannot be read (${err instanceof Error ? err.message : String(err)})`;
  return new ExtractError('unreadable', file, `${displayName(file)} ${why}`, { cause: err });
}

function cancelled(file: string, cause: unknown): ExtractError {
  return new ExtractError('cancelled', file, `reading ${displayName(file)} was cancelled`, { cause });
}
