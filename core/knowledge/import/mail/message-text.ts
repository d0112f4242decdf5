import type { ExtractedDocument, ExtractedSection } from '../types.ts';
import { htmlToSections, sectionsOrHeadings } from '../extractors/html.ts';
import type { MailAddress, MailHeaders, MailMessage } from './mail-message.ts';
import { foldQuotes, splitHistory } from './quotes.ts';

/**
 * A message as a document: its subject is the title and the heading over everything; a short
 * header block (From, To, Cc, Date, Subject, Attachments) comes first, so that a search for the
 * sender, a recipient or the date finds the message; then the body, from its plain text, or from
 * its HTML through the HTML extractor where it has no plain text. Long quoted history is folded
 * (see quotes.ts) only when `quotedKnown`: the message it answers is indexed in the collection
 * already; else, and always in a forward, the history is kept whole, in a section of its own
 * under a "Quoted" heading.
 */
export function messageDocument(
  msg: MailMessage,
  fallbackTitle: string,
  attachmentNames: string[] = msg.attachments.map((a) => a.name),
  quotedKnown = false,
): Pick<ExtractedDocument, 'title' | 'author' | 'sections' | 'warnings'> {
  const h = msg.headers;
  const title = h.subject ?? untitled(h) ?? fallbackTitle;
  const heading = [title];
  const sections: ExtractedSection[] = [
    { headingPath: heading, text: headerBlock(h, attachmentNames), page: null },
  ];
  const fold = quotedKnown && !FORWARD.test(h.subject ?? '');
  if (msg.text) {
    sections.push(...bodySections(msg.text, heading, fold));
  } else if (msg.html) {
    for (const s of sectionsOrHeadings(htmlToSections(msg.html))) {
      // An HTML mail's own <title> or first heading usually repeats the subject.
      const path = s.headingPath[0] === title ? s.headingPath.slice(1) : s.headingPath;
      sections.push(...bodySections(s.text, [...heading, ...path], fold));
    }
  }
  return { title, author: h.from[0] ? formatAddress(h.from[0]) : null, sections, warnings: [] };
}

/** A forward's subject ("Fwd:", "FW:", German "WG:", French "TR:", Spanish "RV:"). */
const FORWARD = /^\s*(fwd?|wg|tr|rv)\s*:/i;

function bodySections(text: string, heading: string[], fold: boolean): ExtractedSection[] {
  if (fold) return [{ headingPath: heading, text: foldQuotes(text).text, page: null }];
  const { own, history } = splitHistory(text);
  const out: ExtractedSection[] = [{ headingPath: heading, text: own, page: null }];
  if (history) out.push({ headingPath: [...heading, 'Quoted'], text: history, page: null });
  return out;
}

function headerBlock(h: MailHeaders, attachments: string[]): string {
  const lines = [
    h.from.length ? `From: ${h.from.map(formatAddress).join(', ')}` : null,
    h.to.length ? `To: ${h.to.map(formatAddress).join(', ')}` : null,
    h.cc.length ? `Cc: ${h.cc.map(formatAddress).join(', ')}` : null,
    h.dateText ? `Date: ${h.dateText}` : null,
    h.subject ? `Subject: ${h.subject}` : null,
    attachments.length ? `Attachments: ${attachments.join(', ')}` : null,
  ];
  return lines.filter((l) => l !== null).join('\n');
}

/** "Budi Santoso <budi@example.co.id>", or whichever of the two there is. */
export function formatAddress(a: MailAddress): string {
  if (a.name && a.address && a.name !== a.address) return `${a.name} <${a.address}>`;
  return a.name || a.address;
}

/** A title for a message without a subject: who sent it and when. */
function untitled(h: MailHeaders): string | null {
  const who = h.from[0] ? h.from[0].name || h.from[0].address : null;
  if (!who) return null;
  return `(no subject) from ${who}${h.date ? `, ${h.date.slice(0, 10)}` : ''}`;
}
