/**
 * Message-IDs and threads. A message names itself in Message-ID and the messages it answers in
 * In-Reply-To and References (RFC 5322 §3.6.4): References lists the thread from its first message
 * on, so its first id is the thread's root whatever the client kept of the rest. Ids are kept
 * without their angle brackets ("CAF3x@mail.gmail.com").
 */

export interface MessageIds {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}

const ID = /<([^<>\s]+)>/g;

/** The ids in a header value ("<a@b> <c@d>"); a bare id without brackets is taken as it is. */
export function idsIn(value: string | string[] | null | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  const found = [...text.matchAll(ID)].map((m) => m[1]!);
  if (found.length === 0 && /^\S+@\S+$/.test(text.trim())) return [text.trim()];
  return found;
}

/**
 * The thread a message belongs to, named by its root's Message-ID: the first of References, else
 * In-Reply-To (a client that keeps no References), else the message's own id (it starts a thread).
 * Null when the message carries no ids at all.
 */
export function threadIdOf(ids: MessageIds): string | null {
  return ids.references[0] ?? ids.inReplyTo ?? ids.messageId;
}

/**
 * The Message-ID, In-Reply-To and References of a raw message, from its header block alone (the
 * bytes up to the first blank line, at most 256 KB): cheap enough to ask whether a message needs
 * reading at all before it is parsed.
 */
export function scanMessageIds(raw: Buffer): MessageIds & { headerFields: number } {
  const limit = Math.min(raw.length, 256 * 1024);
  let end = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  if (crlf >= 0 && (end < 0 || crlf < end)) end = crlf;
  const head = raw.toString('latin1', 0, end < 0 || end > limit ? limit : end);
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const fields = new Map<string, string>();
  let count = 0;
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([\x21-\x39\x3b-\x7e]+):(.*)$/.exec(line);
    if (!m) continue;
    count++;
    const key = m[1]!.toLowerCase();
    if (!fields.has(key)) fields.set(key, m[2]!.trim());
  }
  return {
    messageId: idsIn(fields.get('message-id'))[0] ?? null,
    inReplyTo: idsIn(fields.get('in-reply-to'))[0] ?? null,
    references: idsIn(fields.get('references')),
    headerFields: count,
  };
}
