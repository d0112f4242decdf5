import path from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import MsgReaderModule, { type FieldsData } from '@kenjiuno/msgreader';
import { decodeText } from '../text-decode.ts';
import { idsIn, scanMessageIds, threadIdOf } from './mail-ids.ts';
import { guardedMsgRead } from './msg-guard.ts';

/**
 * One e-mail message, whatever file it came in (.eml, a message of an mbox, Outlook's .msg): the
 * headers people search and sort by, the body (plain text, or HTML where it has no plain text), and
 * the attachments worth importing as documents of their own.
 */
export interface MailAddress {
  name: string;
  address: string;
}

/** What documents.metadata.email keeps of a message. */
export interface MailHeaders {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** The Message-ID of the thread's first message (see mail-ids.ts). */
  threadId: string | null;
  subject: string | null;
  from: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  /** ISO 8601 (UTC), for sorting; null when the message has no (valid) date. */
  date: string | null;
  /** The date as the message says it ("Mon, 3 Mar 2025 10:15:00 +0700"), for the header block. */
  dateText: string | null;
}

export interface MailAttachment {
  /** The file name the message gives it (or one made up from its type). */
  name: string;
  mime: string;
  bytes: Buffer;
}

export interface MailMessage {
  headers: MailHeaders;
  text: string | null;
  html: string | null;
  attachments: MailAttachment[];
  /** Attachments left out (pictures inside the HTML body, parts of no importable kind…). */
  skipped: { name: string; mime: string; why: string }[];
}

/** An .eml file or a message of a mailbox (RFC 5322 / MIME), decoded by mailparser. */
export async function parseEml(raw: Buffer): Promise<MailMessage> {
  const mail = await simpleParser(raw, {
    skipHtmlToText: true, // HTML goes through our own HTML extractor
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    keepCidLinks: true,
    checksumAlgo: false,
  });
  const ids = scanMessageIds(raw);
  const messageId = idsIn(mail.messageId)[0] ?? ids.messageId;
  const inReplyTo = idsIn(mail.inReplyTo)[0] ?? ids.inReplyTo;
  const references = mail.references ? idsIn(mail.references) : ids.references;
  const dateText = headerText(mail, 'date');
  const headers: MailHeaders = {
    messageId,
    inReplyTo,
    references,
    threadId: threadIdOf({ messageId, inReplyTo, references }),
    subject: clean(mail.subject),
    from: addresses(mail.from),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    date: dateText && mail.date && Number.isFinite(Date.parse(dateText)) ? mail.date.toISOString() : null,
    dateText,
  };
  const attachments: MailAttachment[] = [];
  const skipped: MailMessage['skipped'] = [];
  mail.attachments.forEach((a, i) => {
    const name = attachmentName(a.filename, a.contentType, i + 1);
    // Pictures the HTML body shows (logos, signatures) belong to the body, not the documents.
    if (a.related) skipped.push({ name, mime: a.contentType, why: 'part of the message body' });
    else attachments.push({ name, mime: a.contentType, bytes: a.content });
  });
  return {
    headers,
    text: mail.text?.trim() ? mail.text : null,
    html: typeof mail.html === 'string' && mail.html.trim() ? mail.html : null,
    attachments,
    skipped,
  };
}

/** A header's value as text (the Date header as written, not as parsed). */
function headerText(mail: ParsedMail, key: string): string | null {
  const line = mail.headerLines.find((h) => h.key === key)?.line;
  if (!line) return null;
  return clean(line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' '));
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  const add = (list: { name: string; address?: string; group?: { name: string; address?: string }[] }[]) => {
    for (const a of list) {
      if (a.group) add(a.group);
      else if (a.address || a.name) out.push({ name: clean(a.name) ?? '', address: a.address ?? '' });
    }
  };
  for (const obj of Array.isArray(value) ? value : value ? [value] : []) add(obj.value);
  return out;
}

const MIME_EXT: Record<string, string> = {
  'message/rfc822': '.eml',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'text/html': '.html',
  'text/csv': '.csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/vnd.ms-outlook': '.msg',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/tiff': '.tif',
};

/** The name an attachment is imported under: its own, without folders, else one from its type. */
function attachmentName(filename: string | undefined, mime: string, n: number): string {
  const own = clean(filename?.split(/[\\/]/).pop());
  if (own) return own;
  return `attachment-${n}${MIME_EXT[mime.toLowerCase()] ?? '.bin'}`;
}

function clean(text: string | null | undefined): string | null {
  // eslint-disable-next-line no-control-regex
  const t = (text ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return t === '' ? null : t;
}

// The package is CommonJS with its class as `exports.default`: Node's ESM import gives the exports
// object, a bundler may give the class itself.
type MsgReaderClass = (typeof MsgReaderModule)['default'];
const MsgReader: MsgReaderClass =
  (MsgReaderModule as unknown as { default?: MsgReaderClass }).default ??
  (MsgReaderModule as unknown as MsgReaderClass);

/**
 * An Outlook .msg (a compound file of MAPI properties), read by @kenjiuno/msgreader within the
 * bounds of msg-guard.ts (a damaged file must not take the process down).
 */
export function parseMsg(raw: Buffer): MailMessage {
  return guardedMsgRead(raw, () => readMsg(raw));
}

function readMsg(raw: Buffer): MailMessage {
  const reader = new MsgReader(new DataView(raw.buffer, raw.byteOffset, raw.length));
  const d = reader.getFileData();
  if (d.error) throw new Error(d.error);
  // Received mail keeps its transport headers: ids, thread and date as the sender's client wrote them.
  const transport = d.headers ? scanMessageIds(Buffer.from(d.headers + '\r\n\r\n', 'latin1')) : null;
  const messageId = idsIn(d.messageId)[0] ?? transport?.messageId ?? null;
  const inReplyTo = transport?.inReplyTo ?? null;
  const references = transport?.references ?? [];
  const when = d.clientSubmitTime ?? d.messageDeliveryTime ?? null;
  const recipients = (type: 'to' | 'cc') =>
    (d.recipients ?? [])
      .filter((r) => (r.recipType ?? 'to') === type)
      .map((r) => ({ name: clean(r.name) ?? '', address: r.smtpAddress ?? r.email ?? '' }));
  const headers: MailHeaders = {
    messageId,
    inReplyTo,
    references,
    threadId: threadIdOf({ messageId, inReplyTo, references }),
    subject: clean(d.subject),
    from: [
      {
        name: clean(d.senderName) ?? '',
        address: d.senderSmtpAddress ?? d.sentRepresentingSmtpAddress ?? d.senderEmail ?? '',
      },
    ].filter((a) => a.name || a.address),
    to: recipients('to'),
    cc: recipients('cc'),
    date: when && Number.isFinite(Date.parse(when)) ? new Date(when).toISOString() : null,
    dateText: when,
  };
  const attachments: MailAttachment[] = [];
  const skipped: MailMessage['skipped'] = [];
  (d.attachments ?? []).forEach((a: FieldsData, i) => {
    const file = reader.getAttachment(a);
    const name = attachmentName(file.fileName || a.fileName, a.attachMimeTag ?? '', i + 1);
    const mime =
      a.attachMimeTag ?? (a.innerMsgContent ? 'application/vnd.ms-outlook' : 'application/octet-stream');
    if (a.attachmentHidden) skipped.push({ name, mime, why: 'part of the message body' });
    else attachments.push({ name, mime, bytes: Buffer.from(file.content) });
  });
  return {
    headers,
    text: d.body?.trim() ? d.body : null,
    html: d.bodyHtml?.trim() ? d.bodyHtml : d.html?.length ? msgHtml(d.html, d.internetCodepage) : null,
    attachments,
    skipped,
  };
}

/** PidTagHtml is bytes in the message's code page (65001 is UTF-8). */
function msgHtml(bytes: Uint8Array, codepage: number | undefined): string {
  const declared =
    codepage === 65001
      ? 'utf-8'
      : codepage === 20127
        ? 'us-ascii'
        : codepage === 28591
          ? 'iso-8859-1'
          : codepage
            ? `cp${codepage}`
            : undefined;
  return decodeText(Buffer.from(bytes), declared).text;
}

/** A readable name for a message in messages to the user: its subject, or its place. */
export function messageLabel(headers: MailHeaders | null, fallback: string): string {
  return headers?.subject ? `"${headers.subject}"` : fallback;
}

export const MAIL_EXTENSIONS = new Set(['.eml', '.msg', '.mbox', '.mbx']);

/** Whether a file name is one of the mail formats by its extension. */
export function isMailName(file: string): boolean {
  return MAIL_EXTENSIONS.has(path.extname(file).toLowerCase());
}
