import crypto from 'node:crypto';
import fs from 'node:fs';
import { toFsPath } from '../../../base/raw-path.ts';

/** One message of a mailbox, as the splitter hands it over. */
export interface MboxMessage {
  /** 1-based position in the mailbox. */
  index: number;
  /** The message without its From_ line, ">From " lines unquoted; null when larger than the limit. */
  bytes: Buffer | null;
  /** Its first 64 KB (where its header lines are), also when `bytes` is null. */
  head: Buffer;
  /** sha-256 (hex) of `bytes`; of `head` and the size when `bytes` is null. */
  hash: string;
  /** Its size in the mailbox (From_ line left out), in bytes. */
  size: number;
  /** Where its From_ line starts in the mailbox, and where the message ends (bytes). */
  offset: number;
  end: number;
}

export interface SplitOptions {
  /** A message larger than this is handed over without its bytes (`bytes: null`), never held whole. */
  maxMessageBytes: number;
  signal?: AbortSignal;
  /** Read size (tests make it tiny to put separators across reads). Default 1 MB. */
  readBytes?: number;
}

const HEAD_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);
const NL = 0x0a;
const CR = 0x0d;
const FROM = Buffer.from('From ');
const NL_FROM = Buffer.from('\nFrom ');
/**
 * After a blank line: "From " + the sender (or MAILER-DAEMON) + a date with a time of day (every
 * writer puts one, Google Takeout included; prose such as "From 2019 to 2021 …" has none).
 */
const LOOSE_FROM_LINE = /^From \S+ +.*\b\d{1,2}:\d{2}\b/;
/** Longer than this, a line is no From_ line: it is not held whole while the rest of it is read. */
const MAX_FROM_LINE = 1024;
/** Anywhere: the full asctime form mbox writers use, "From a@b Mon Mar  3 10:15:00 2025". */
const STRICT_FROM_LINE =
  /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} +\d{1,2}:\d{2}(:\d{2})? +(\S+ +)?\d{4}/;

/**
 * Splits an mbox mailbox (mboxo or mboxrd) into its messages, streaming: the file is read a
 * megabyte at a time and only the message being gathered is held, so a mailbox of gigabytes costs
 * no more memory than its largest message (and one above `maxMessageBytes` not even that).
 *
 * A message starts at a From_ line: "From " at the start of a line that follows a blank line (or
 * starts the file) and goes on with a sender and a date; a From_ line in full asctime form counts
 * without the blank line too. Body lines that began with "From " were written as ">From " (and in
 * mboxrd ">From " as ">>From "): one ">" is taken off every line of the form />+From /. The blank
 * line mbox writers put between messages is not part of either.
 */
export async function* splitMbox(file: string, opts: SplitOptions): AsyncGenerator<MboxMessage> {
  const stream = fs.createReadStream(toFsPath(file), { highWaterMark: opts.readBytes ?? 1 << 20 });
  const gather = createGatherer(opts.maxMessageBytes);
  // `buf` always starts at the start of a line; `consumed` is the file offset of its first byte.
  let buf: Buffer = Buffer.alloc(0);
  let consumed = 0;
  let prevBlank = true; // the line before `buf` (none at the start of the file)
  // Set when the last read ended inside a line that cannot be a From_ line: the next read's bytes
  // up to the end of that line go to the message as they are.
  let midLine = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      opts.signal?.throwIfAborted();
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (midLine) {
        const nl = buf.indexOf(NL);
        const upTo = nl < 0 ? buf.length : nl + 1;
        gather.add(buf.subarray(0, upTo));
        consumed += upTo;
        buf = buf.subarray(upTo);
        if (nl < 0) continue;
        midLine = false;
        prevBlank = false;
      }
      const { rest, blank, messages, cut } = scan(buf, consumed, prevBlank, gather, false);
      consumed += buf.length - rest.length;
      buf = rest;
      prevBlank = blank;
      midLine = cut;
      yield* messages;
    }
    const { messages } = scan(buf, consumed, prevBlank, gather, true);
    yield* messages;
    const last = gather.finish(consumed + buf.length);
    if (last) yield last;
  } finally {
    stream.destroy();
  }
}

type Gatherer = ReturnType<typeof createGatherer>;

/** The message being gathered: pieces of it, or only its size once it is over the limit. */
function createGatherer(maxBytes: number) {
  let parts: Buffer[] = [];
  let head: Buffer = EMPTY;
  let size = 0;
  let offset = -1;
  let index = 0;
  return {
    get open() {
      return offset >= 0;
    },
    start(at: number) {
      offset = at;
      parts = [];
      size = 0;
    },
    add(piece: Buffer) {
      if (offset < 0 || piece.length === 0) return; // text before the first From_ line: not a message
      if (size <= maxBytes && size + piece.length > maxBytes) {
        head = Buffer.concat([...parts, piece]).subarray(0, HEAD_BYTES);
        parts = [];
      }
      size += piece.length;
      if (size <= maxBytes) parts.push(piece);
    },
    /** Ends the message being gathered at file offset `end`; null when none was open. */
    finish(end: number): MboxMessage | null {
      if (offset < 0) return null;
      const whole = size > maxBytes ? null : unquote(dropSeparatorLine(Buffer.concat(parts, size)));
      const first = whole ? whole.subarray(0, HEAD_BYTES) : head;
      const hash = crypto.createHash('sha256');
      if (whole) hash.update(withoutStatus(whole));
      else {
        const head = withoutStatus(first);
        hash.update(Buffer.concat([head, Buffer.from(`\n${size - (first.length - head.length)}`)]));
      }
      const message = {
        index: ++index,
        bytes: whole,
        head: first,
        hash: hash.digest('hex'),
        size,
        offset,
        end,
      };
      offset = -1;
      parts = [];
      head = EMPTY;
      return message;
    },
  };
}

/**
 * Finds the From_ lines in `buf` (which starts at a line start, at file offset `base`), handing
 * the bytes between them to `gather`. Unless at the end of the file, stops at the last line that
 * could still turn out to be a From_ line once more is read, and returns it as `rest`.
 */
function scan(
  buf: Buffer,
  base: number,
  prevBlank: boolean,
  gather: Gatherer,
  atEnd: boolean,
): { rest: Buffer; blank: boolean; messages: MboxMessage[]; cut: boolean } {
  const messages: MboxMessage[] = [];
  let from = 0; // bytes before this are handed to the gatherer
  let search = 0;
  for (;;) {
    const start = buf.subarray(search, search + FROM.length).equals(FROM)
      ? search
      : nextFromLine(buf, search);
    if (start < 0) break;
    const eol = buf.indexOf(NL, start);
    if (eol < 0 && !atEnd) return keepLastLine(buf, from, start, prevBlank, gather, messages);
    const lineEnd = eol < 0 ? buf.length : eol;
    const line = buf.toString('latin1', start, lineEnd).replace(/\r$/, '');
    const blank = lineBeforeIsBlank(buf, start, prevBlank);
    const fileStart = base + start === 0;
    if (fileStart || (blank && LOOSE_FROM_LINE.test(line)) || STRICT_FROM_LINE.test(line)) {
      gather.add(buf.subarray(from, start));
      const done = gather.finish(base + start);
      if (done) messages.push(done);
      gather.start(base + start);
      from = Math.min(buf.length, lineEnd + 1);
    }
    search = Math.min(buf.length, lineEnd + 1);
    if (search >= buf.length) break;
  }
  if (atEnd) {
    gather.add(buf.subarray(from));
    return { rest: Buffer.alloc(0), blank: false, messages, cut: false };
  }
  const lastLine = buf.lastIndexOf(NL, buf.length - 1) + 1;
  return keepLastLine(buf, from, Math.max(from, lastLine), prevBlank, gather, messages);
}

/**
 * Hands `buf` up to `keep` (the start of its last, incomplete line) to the gatherer, and keeps
 * that line for the next read when it may be a From_ line whose end is in it; any other line
 * (a long body line, a base64 blob without line breaks) goes to the gatherer too (`cut`: the next
 * read starts inside it), so that it is never held whole.
 */
function keepLastLine(
  buf: Buffer,
  from: number,
  keep: number,
  prevBlank: boolean,
  gather: Gatherer,
  messages: MboxMessage[],
): { rest: Buffer; blank: boolean; messages: MboxMessage[]; cut: boolean } {
  const last = buf.subarray(keep);
  const n = Math.min(last.length, FROM.length);
  const maybeFrom =
    last.length < MAX_FROM_LINE &&
    (last.subarray(0, n).equals(FROM.subarray(0, n)) || (last.length === 1 && last[0] === CR));
  if (!maybeFrom) {
    gather.add(buf.subarray(from));
    return { rest: EMPTY, blank: false, messages, cut: true };
  }
  gather.add(buf.subarray(from, keep));
  return { rest: last, blank: lineBeforeIsBlank(buf, keep, prevBlank), messages, cut: false };
}

/** The start of the next line at or after `from` that begins with "From ", or -1. */
function nextFromLine(buf: Buffer, from: number): number {
  const at = buf.indexOf(NL_FROM, Math.max(0, from - 1));
  return at < 0 ? -1 : at + 1;
}

/** Whether the line ending just before `lineStart` is empty (or only "\r"). */
function lineBeforeIsBlank(buf: Buffer, lineStart: number, prevBlank: boolean): boolean {
  if (lineStart === 0) return prevBlank;
  const prevStart = lineStart >= 2 ? buf.lastIndexOf(NL, lineStart - 2) + 1 : 0;
  const length = lineStart - 1 - prevStart;
  return length === 0 || (length === 1 && buf[prevStart] === CR);
}

/**
 * The blank line(s) between a message and the next From_ line belong to the mailbox, not to the
 * message: a message keeps one line break at its end, however many its writer put after it, so it
 * reads (and hashes) the same whether it is the last of its mailbox or has others after it.
 */
function dropSeparatorLine(message: Buffer): Buffer {
  let end = message.length;
  while (end > 0 && (message[end - 1] === NL || message[end - 1] === CR)) end--;
  if (end === message.length) return message;
  const lineBreak = message[end] === CR && message[end + 1] === NL ? 2 : 1;
  return message.subarray(0, end + lineBreak);
}

/**
 * Header fields mail programs rewrite when a message is read, flagged or synced (mbox status
 * flags, Thunderbird's and IMAP servers'): a message marked read is the same message.
 */
const STATUS_FIELD = /^(status|x-status|x-mozilla-status2?|x-keywords|x-uid)[ \t]*:/i;

/** The message without its STATUS_FIELD header lines (and their continuation lines): for its hash. */
function withoutStatus(message: Buffer): Buffer {
  let end = message.indexOf('\n\n');
  const crlf = message.indexOf('\r\n\r\n');
  if (crlf >= 0 && (end < 0 || crlf < end)) end = crlf;
  const headEnd = end < 0 ? message.length : end + 1;
  const kept: Buffer[] = [];
  let dropping = false;
  let changed = false;
  for (let at = 0; at < headEnd;) {
    const nl = message.indexOf(NL, at);
    const next = nl < 0 || nl >= headEnd ? headEnd : nl + 1;
    const line = message.subarray(at, next);
    const continued = line[0] === 0x20 || line[0] === 0x09;
    dropping = continued ? dropping : STATUS_FIELD.test(line.toString('latin1', 0, 24));
    if (dropping) changed = true;
    else kept.push(line);
    at = next;
  }
  if (!changed) return message;
  kept.push(message.subarray(headEnd));
  return Buffer.concat(kept);
}

const QUOTED_FROM = /^>+From /;

/** Takes one ">" off every line of the form />+From / (mboxo and mboxrd quoting). */
function unquote(message: Buffer): Buffer {
  const pieces: Buffer[] = [];
  let from = 0;
  let at = message[0] === 0x3e ? 0 : message.indexOf('\n>');
  while (at >= 0) {
    const lineStart = message[at] === NL ? at + 1 : at;
    const head = message.toString('latin1', lineStart, Math.min(message.length, lineStart + 80));
    if (QUOTED_FROM.test(head)) {
      pieces.push(message.subarray(from, lineStart));
      from = lineStart + 1; // drop one '>'
    }
    at = message.indexOf('\n>', lineStart + 1);
  }
  if (pieces.length === 0) return message;
  pieces.push(message.subarray(from));
  return Buffer.concat(pieces);
}
