import path from 'node:path';
import type { ExtractedDocument, Extractor } from '../types.ts';
import { ExtractError, displayName } from '../extract-error.ts';
import { parseEml, parseMsg, type MailMessage } from '../mail/mail-message.ts';
import { messageDocument } from '../mail/message-text.ts';
import { scanMessageIds } from '../mail/mail-ids.ts';

/**
 * E-mail as one document: the message with its header block and body (import/mail/message-text.ts).
 * This is how a message attached to another one is read; an .eml, .msg or .mbox file given to an
 * import is read by import/mail/mail-task.ts instead, which also makes documents of the
 * attachments (and of each message of a mailbox).
 */
export const extractEml: Extractor = async ({ path: file, bytes }) => {
  assertHeaders(file, bytes);
  return asDocument(await parseEml(bytes), file, 'message/rfc822');
};

export const extractMsg: Extractor = async ({ path: file, bytes }) =>
  asDocument(parseMsg(bytes), file, 'application/vnd.ms-outlook');

export const extractMbox: Extractor = async ({ path: file }) => {
  throw new ExtractError(
    'unsupported',
    file,
    `${displayName(file)} is a mailbox: import it as a file of its own, and each message becomes a document`,
  );
};

/** A message without a single header line is no message (damaged, or another kind of file). */
export function assertHeaders(file: string, bytes: Buffer): void {
  if (scanMessageIds(bytes).headerFields === 0) {
    throw new ExtractError(
      'corrupt',
      file,
      `${displayName(file)} has no header lines (From:, Date:, Subject: …): it is damaged or not an e-mail message`,
    );
  }
}

function asDocument(msg: MailMessage, file: string, mime: string): ExtractedDocument {
  const doc = messageDocument(msg, path.parse(file).name);
  return { ...doc, fileType: 'email', mime, pageCount: null };
}
