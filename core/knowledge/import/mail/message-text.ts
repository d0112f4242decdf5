import type { ExtractedDocument, ExtractedSection } from '../types.ts';
import { htmlToSections, sectionsOrHeadings } from '../extractors/html.ts';
import type { MailAddress, MailHeaders, MailMessage } from './mail-message.ts';
import { foldQuotes } from './quotes.ts';

/**
 * A message as a document: its subject is the title and the heading over everything; a short
 * header block (From, To, Cc, Date, Subject, Attachments) comes first, so that a search for the
 * sender, a recipient or the date finds the message; then the body, from its plain text, or from
 * its HTML through the HTML extractor where it has no plain text, with long quoted history folded
 * (see quotes.ts).
 */
export function messageDocument(
  msg: MailMessage,
  fallbackTitle: string,
  attachmentNames: string[] = msg.attachments.map((a) => a.name),
): Pick<ExtractedDocument, 'title' | 'author' | 'sections' | 'warnings'> {
  const h = msg.headers;
  const title = h.subject ?? untitled(h) ?? fallbackTitle;
  const heading = [title];
  const sections: ExtractedSection[] = [
    { headingPath: heading, text: headerBlock(h, attachmentNames), page: null },
  ];
  if (msg.text) {
    sections.push({ headingPath: heading, text: foldQuotes(msg.text).text, page: null });
  } else if (msg.html) {
    for (const s of sectionsOrHeadings(htmlToSections(msg.html))) {
      // An HTML mail's own <title> or first heading usually repeats the subject.
      const path = s.headingPath[0] === title ? s.headingPath.slice(1) : s.headingPath;
      sections.push({ headingPath: [...heading, ...path], text: foldQuotes(s.text).text, page: null });
    }
  }
  return { title, author: h.from[0] ? formatAddress(h.from[0]) : null, sections, warnings: [] };
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
