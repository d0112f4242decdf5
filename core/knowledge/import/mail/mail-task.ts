// Worker-thread side of importing e-mail: a mailbox (.mbox) or a message file (.eml, .msg) is read
// here, and every document it holds is handed over on its own (see FileTaskProgress): each message
// of a mailbox, and each attachment of a message, is asked about first (the main thread says
// whether it is new, changed, unchanged or a duplicate), then read, chunked and embedded like a
// file, then reported done or failed. A bad message or attachment is reported failed and the
// reading goes on with the next one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { reportAndAsk, reportAndWait, reportProgress, waitedMs } from '../../../base/thread-pool/progress.ts';
import { toFsPath } from '../../../base/raw-path.ts';
import { ExtractError, displayName, formatBytes } from '../extract-error.ts';
import { extractBuffer, normalizeText } from '../extract.ts';
import type {
  FileTaskInput,
  FileTaskOutput,
  FileTaskProgress,
  MemberAnswer,
  MemberIdentity,
  MemberResult,
  SelfAnswer,
} from '../file-task-types.ts';
import { ocrPageAllowanceMs } from '../file-task-types.ts';
import { detectFormat, isSupportedPath, looksLikeMbox, withArticle, type Format } from '../formats.ts';
import type { ExtractedSection } from '../types.ts';
import { assertHeaders } from '../extractors/email.ts';
import { scanMessageIds } from './mail-ids.ts';
import {
  MAIL_EXTENSIONS,
  parseEml,
  parseMsg,
  type MailAttachment,
  type MailMessage,
} from './mail-message.ts';
import { messageDocument } from './message-text.ts';
import { splitMbox } from './mbox-split.ts';
import { absoluteLimitMs } from '../import-types.ts';
import { formatDuration } from '../../../base/format-duration.ts';
import { pictureNotRead } from '../ocr/picture-pass-over.ts';

/** One document's way out: its sections are chunked, embedded and handed over in parts. */
export interface DocWriter {
  add(section: ExtractedSection): Promise<void>;
  /** Hands over what is left; resolves once every part was taken in. */
  end(): Promise<{ chunkCount: number; timings: { chunkMs: number; embedMs: number; waitMs: number } }>;
}

export interface MailTaskContext {
  input: FileTaskInput;
  /** The file's reading clock, as the pool keeps it (set by runMailTask; see memberTimeout). */
  clock?: FileClock;
  /** A fresh writer for the next document (the file's own, or a member's). */
  newWriter(): DocWriter;
}

const ask = (member: MemberIdentity) =>
  reportAndAsk<FileTaskProgress, MemberAnswer>({ step: 'member', member });
const done = (result: MemberResult) => reportAndWait<FileTaskProgress>({ step: 'member-done', result });

/** Reads a mailbox or a message file whose format holds other documents. */
export async function runMailTask(ctx: MailTaskContext, format: Format): Promise<FileTaskOutput> {
  const timed = { ...ctx, clock: { started: performance.now(), waitedBefore: waitedMs(), creditMs: 0 } };
  return format.holds === 'messages' ? readMailbox(timed, format) : readMessageFile(timed, format);
}

async function readMailbox(ctx: MailTaskContext, format: Format): Promise<FileTaskOutput> {
  const { input } = ctx;
  const started = performance.now();
  const size = (await fs.promises.stat(toFsPath(input.path))).size;
  const counts = { messages: 0 };
  for await (const m of splitMbox(input.path, { maxMessageBytes: input.maxBytes })) {
    counts.messages++;
    // Messages read so far, of an estimate from the bytes read (exact at the end).
    const total = Math.max(m.index, Math.round((m.index * size) / Math.max(1, m.end)));
    reportProgress<FileTaskProgress>({ step: 'extract', done: m.index, total });
    await readMailboxMessage(ctx, m);
  }
  if (counts.messages === 0) {
    throw new ExtractError(
      'corrupt',
      input.path,
      `${displayName(input.path)} holds no messages: an mbox mailbox starts each message with a "From " line`,
    );
  }
  return {
    ok: true,
    title: path.basename(input.path),
    author: null,
    fileType: format.fileType,
    mime: format.mime,
    pageCount: null,
    warnings: [],
    chunkCount: 0,
    facts: { mailbox: counts },
    timings: { extractMs: performance.now() - started, chunkMs: 0, embedMs: 0 },
  };
}

async function readMailboxMessage(
  ctx: MailTaskContext,
  m: { index: number; bytes: Buffer | null; head: Buffer; hash: string; size: number },
): Promise<void> {
  const { input } = ctx;
  const ids = scanMessageIds(m.head);
  const key = ids.messageId ?? `sha256-${m.hash.slice(0, 16)}`;
  const member: MemberIdentity = {
    path: `${input.path}#${encodeKey(key)}`,
    parent: input.path,
    hash: m.hash,
    size: m.size,
    messageId: ids.messageId,
    repliesTo: ids.inReplyTo ?? ids.references.at(-1) ?? null,
  };
  const answer = await ask(member);
  if (!answer.read) {
    if (answer.attachmentsOnly && m.bytes) await readAttachmentsOnly(ctx, m.bytes, member.path, m.index);
    return;
  }
  const where = `message ${m.index} of ${displayName(input.path)}${ids.messageId ? ` (Message-ID <${ids.messageId}>)` : ''}`;
  let msg: MailMessage;
  try {
    if (!m.bytes) {
      throw new ExtractError(
        'too_large',
        member.path,
        `${where} is ${formatBytes(m.size)}; the limit for one message is ${formatBytes(input.maxBytes)}`,
      );
    }
    if (ids.headerFields === 0) {
      throw new ExtractError(
        'corrupt',
        member.path,
        `${where} has no header lines (From:, Date:, Subject: …): it is damaged`,
      );
    }
    msg = await parseEml(m.bytes);
  } catch (err) {
    await done(failure(err, `${where} could not be read`));
    return;
  }
  await readMessage(ctx, msg, member.path, messageTitle(m.index, input.path), answer.quotedKnown);
}

/** A message read already, whose attachments were not all read (the reader stopped on one). */
async function readAttachmentsOnly(ctx: MailTaskContext, bytes: Buffer, at: string, index: number) {
  let msg: MailMessage;
  try {
    msg = await parseEml(bytes);
  } catch {
    return; // it was read before, so this does not happen; nothing more to read if it does
  }
  const fallback = messageTitle(index, ctx.input.path);
  const label = `${msg.headers.subject ? `“${msg.headers.subject}”` : fallback} in ${displayName(ctx.input.path)}`;
  await readAttachments(ctx, planAttachments(msg.attachments, ocrOn(ctx)).importable, at, label);
}

/** An .eml or .msg file: the message is the file's own document; its attachments are members. */
async function readMessageFile(ctx: MailTaskContext, format: Format): Promise<FileTaskOutput> {
  const { input } = ctx;
  const started = performance.now();
  const stat = await fs.promises.stat(toFsPath(input.path));
  if (stat.size > input.maxBytes) {
    throw new ExtractError(
      'too_large',
      input.path,
      `${displayName(input.path)} is ${formatBytes(stat.size)}; the limit is ${formatBytes(input.maxBytes)}`,
    );
  }
  const bytes = await fs.promises.readFile(toFsPath(input.path));
  let msg: MailMessage;
  try {
    if (format.container === 'ole') msg = parseMsg(bytes);
    else {
      assertHeaders(input.path, bytes);
      msg = await parseEml(bytes);
    }
  } catch (err) {
    if (err instanceof ExtractError) throw err;
    throw new ExtractError(
      'corrupt',
      input.path,
      `${displayName(input.path)} could not be read as ${withArticle(format.label)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const self = await reportAndAsk<FileTaskProgress, SelfAnswer>({
    step: 'self',
    messageId: msg.headers.messageId,
    repliesTo: msg.headers.inReplyTo ?? msg.headers.references.at(-1) ?? null,
  });
  if (self?.duplicateOf) {
    return {
      ok: false,
      step: 'extract',
      fileType: format.fileType,
      reason: 'duplicate',
      message: `same message (Message-ID <${msg.headers.messageId}>) as ${self.duplicateOf}, already imported`,
    };
  }
  const plan = planAttachments(msg.attachments, ocrOn(ctx));
  const doc = messageDocument(msg, path.parse(input.path).name, plan.names, self?.quotedKnown);
  const writer = ctx.newWriter();
  for (const s of doc.sections) await addNormalized(writer, s);
  const own = await writer.end();
  const facts = { email: emailFacts(msg, plan) };
  await readAttachments(ctx, plan.importable, input.path, displayName(input.path));
  const { chunkMs, embedMs, waitMs } = own.timings;
  return {
    ok: true,
    title: doc.title,
    author: doc.author ?? null,
    fileType: format.fileType,
    mime: format.mime,
    pageCount: null,
    warnings: doc.warnings,
    chunkCount: own.chunkCount,
    facts,
    timings: {
      extractMs: Math.max(0, performance.now() - started - chunkMs - embedMs - waitMs),
      chunkMs,
      embedMs,
    },
  };
}

/** A message of a mailbox, already parsed: its text as a member, then its attachments. */
async function readMessage(
  ctx: MailTaskContext,
  msg: MailMessage,
  at: string,
  fallback: string,
  quotedKnown = false,
) {
  const started = performance.now();
  const plan = planAttachments(msg.attachments, ocrOn(ctx));
  let result: MemberResult;
  let built = false; // a fault in making the document is the message's own, a lasting one
  try {
    const doc = messageDocument(msg, fallback, plan.names, quotedKnown);
    built = true;
    const writer = ctx.newWriter();
    for (const s of doc.sections) await addNormalized(writer, s);
    const written = await writer.end();
    const { chunkMs, embedMs, waitMs } = written.timings;
    result = {
      ok: true,
      title: doc.title,
      author: doc.author ?? null,
      fileType: 'email',
      mime: 'message/rfc822',
      pageCount: null,
      warnings: doc.warnings,
      chunkCount: written.chunkCount,
      facts: { email: emailFacts(msg, plan) },
      timings: {
        extractMs: Math.max(0, performance.now() - started - chunkMs - embedMs - waitMs),
        chunkMs,
        embedMs,
      },
    };
  } catch (err) {
    result = failure(err, `${fallback} could not be read`, built ? 'embed' : 'corrupt');
  }
  await done(result);
  const label = `${msg.headers.subject ? `“${msg.headers.subject}”` : fallback} in ${displayName(ctx.input.path)}`;
  if (result.ok) await readAttachments(ctx, plan.importable, at, label);
}

interface AttachmentPlan {
  /** Every attachment's name, as the header block lists them. */
  names: string[];
  importable: { n: number; attachment: MailAttachment }[];
  notImported: { name: string; why: string }[];
}

/** Whether the collection reads pictures (its OCR switch). */
const ocrOn = (ctx: MailTaskContext) => ctx.input.ocr?.enabled !== false;

/**
 * Which attachments become documents: those of a kind Pustaka reads (by name, as for files), less
 * the pictures a folder import would pass over (all with OCR off, and logos: pictureNotRead).
 */
function planAttachments(attachments: MailAttachment[], ocr: boolean): AttachmentPlan {
  const plan: AttachmentPlan = { names: [], importable: [], notImported: [] };
  attachments.forEach((attachment, i) => {
    plan.names.push(attachment.name);
    const notRead = pictureNotRead(attachment.name, attachment.bytes, ocr);
    if (notRead) plan.notImported.push({ name: attachment.name, why: notRead });
    else if (isSupportedPath(attachment.name)) plan.importable.push({ n: i + 1, attachment });
    else
      plan.notImported.push({
        name: attachment.name,
        why: `files of type ${path.extname(attachment.name) || attachment.mime} cannot be imported`,
      });
  });
  return plan;
}

async function readAttachments(
  ctx: MailTaskContext,
  list: AttachmentPlan['importable'],
  parent: string,
  label: string,
): Promise<void> {
  for (const { n, attachment } of list) await readAttachment(ctx, n, attachment, parent, label);
}

/** Kept back from what is left of the file's time, so that a member's own limit comes first. */
const MEMBER_MARGIN_MS = 1_000;

/**
 * The file's reading clock as the pool keeps it (process-file.ts): it stops while the worker waits
 * for the main thread, and each OCR page announced adds that page's allowance to the limit.
 */
interface FileClock {
  started: number;
  /** waitedMs() when the file's reading began. */
  waitedBefore: number;
  /** The time OCR pages announced so far added to the file's limit. */
  creditMs: number;
}

/**
 * An attachment's time limit: its own by its size (as a file's), and no more than what is left of
 * the file's, so that a slow one fails alone before the file's limit stops the whole mailbox, and
 * the reading goes on with the next one. `cut`: what was left of the file's time was the lesser.
 */
function memberTimeout(ctx: MailTaskContext, bytes: number): { ms: number; cut: boolean } {
  const { input, clock } = ctx;
  const spent = clock ? performance.now() - clock.started - (waitedMs() - clock.waitedBefore) : 0;
  const left = input.timeoutMs + (clock?.creditMs ?? 0) - spent - MEMBER_MARGIN_MS;
  const own = input.memberLimits ? absoluteLimitMs(input.memberLimits, bytes) : input.timeoutMs;
  return { ms: Math.max(1, Math.min(own, left)), cut: left < own };
}

/**
 * An attachment stopped because the file's time ran out is no fault of its own: reason
 * 'file_time', which the next import reads again (a timeout of its own is not: see
 * LASTING_FAILURES in documents/member-documents.ts).
 */
function outOfFileTime(ctx: MailTaskContext, name: string): { reason: string; message: string } {
  const file = displayName(ctx.input.path);
  return {
    reason: 'file_time',
    message: `${name} was not read to its end: the time for reading ${file} (${formatDuration(ctx.input.timeoutMs)}) ran out. It is read again on the next import.`,
  };
}

/**
 * One attachment, through the same extractors (and guards) as a file of its kind; `label` names
 * the message it came with, for messages to the user.
 */
async function readAttachment(
  ctx: MailTaskContext,
  n: number,
  a: MailAttachment,
  parent: string,
  label: string,
) {
  const { input } = ctx;
  const member: MemberIdentity = {
    path: `${parent}#attachment/${n}-${a.name.replace(/[#/\\]/g, '_')}`,
    parent,
    hash: crypto.createHash('sha256').update(a.bytes).digest('hex'),
    size: a.bytes.length,
    messageId: null,
  };
  const answer = await ask(member);
  if (!answer.read) return;
  const started = performance.now();
  const writer = ctx.newWriter();
  const timeout = memberTimeout(ctx, a.bytes.length);
  let result: MemberResult;
  try {
    const doc = await extractBuffer(a.name, a.bytes, {
      maxBytes: input.maxBytes,
      timeoutMs: timeout.ms,
      // A scanned letter attached as a PDF or a picture is read by OCR, as the same file would be;
      // its pages are progress (an attachment being recognised is not a stalled reader).
      ...(input.ocr ? { ocr: input.ocr } : {}),
      onPage: (pageDone, total, ocrPage) => {
        // The pool gives the file this much more time for an OCR page: so does the file's clock.
        if (ocrPage && ctx.clock && input.ocr)
          ctx.clock.creditMs += ocrPageAllowanceMs(input.ocr.pageBudgetMs);
        reportProgress<FileTaskProgress>({
          step: 'extract',
          done: pageDone,
          total,
          ...(ocrPage ? { ocrPage } : {}),
        });
      },
      onSection: (s) => writer.add(s),
    });
    const written = await writer.end();
    const { chunkMs, embedMs, waitMs } = written.timings;
    result = {
      ok: true,
      title: doc.title,
      author: doc.author ?? null,
      fileType: doc.fileType,
      mime: doc.mime,
      pageCount: doc.pageCount,
      warnings: doc.warnings,
      chunkCount: written.chunkCount,
      facts: { attachment: { name: a.name, mime: a.mime, size: a.bytes.length } },
      ...(doc.ocr ? { ocr: doc.ocr } : {}),
      timings: {
        extractMs: Math.max(0, performance.now() - started - chunkMs - embedMs - waitMs),
        chunkMs,
        embedMs,
      },
    };
  } catch (err) {
    result = failure(err, `the attachment ${a.name} could not be read`, 'embed');
    if (!result.ok && result.reason === 'timeout' && timeout.cut)
      Object.assign(result, outOfFileTime(ctx, a.name));
    if (!result.ok) result.message = `${result.message} (attached to ${label})`;
  }
  await done(result);
}

/** What documents.metadata.email keeps of a message. */
function emailFacts(msg: MailMessage, plan: AttachmentPlan) {
  return {
    ...msg.headers,
    attachments: plan.names,
    ...(plan.notImported.length || msg.skipped.length
      ? {
          notImported: [...plan.notImported, ...msg.skipped.map((s) => ({ name: s.name, why: s.why }))],
        }
      : {}),
  };
}

async function addNormalized(writer: DocWriter, s: ExtractedSection): Promise<void> {
  const text = normalizeText(s.text);
  if (text !== '') await writer.add({ ...s, text });
}

/**
 * A member's failure. An ExtractError says what was wrong with it; any other error is `otherwise`:
 * 'corrupt' where it came from parsing the member, 'embed' where it came from chunking and
 * embedding it (a passing fault: the next import reads it again, see UNFINISHED in
 * member-documents.ts).
 */
function failure(err: unknown, context: string, otherwise: 'corrupt' | 'embed' = 'corrupt'): MemberResult {
  const e = err as { reason?: string; message?: string };
  const reason = err instanceof ExtractError ? err.reason : otherwise;
  const message =
    err instanceof ExtractError ? (e.message ?? context) : `${context}: ${e.message ?? String(err)}`;
  return { ok: false, step: reason === 'embed' ? 'embed' : 'extract', fileType: null, reason, message };
}

function messageTitle(index: number, mailbox: string): string {
  return `Message ${index} of ${path.basename(mailbox)}`;
}

/** A Message-ID as a path segment: '#', '%' and white space escaped, the rest as it is. */
function encodeKey(key: string): string {
  return key.replace(/[#%\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

/**
 * The format of a file whose documents are read here (a mailbox, a message file), checked against
 * its first bytes as `detectFormat` checks any file; null for every other file. A file without an
 * extension is a mailbox when it starts like one (Thunderbird's "Inbox").
 */
export async function mailFormatOf(file: string): Promise<Format | null> {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '' && !MAIL_EXTENSIONS.has(ext)) return null;
  const handle = await fs.promises.open(toFsPath(file), 'r');
  let sample: Buffer;
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    sample = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (ext === '' && !looksLikeMbox(sample)) return null;
  const format = detectFormat(file, sample);
  return format.holds ? format : null;
}
