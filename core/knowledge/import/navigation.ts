/**
 * Navigation, told by content: a section whose text is mostly link anchors (a table of contents, a
 * link list, an index of terms) or mostly entries that point at pages ("Repositories ..... 12",
 * "apt-get, 45, 112") is there to find content, not to be it. Such sections are left out of the
 * index at import — they would otherwise win every keyword query whose terms they list — and the
 * document's processing steps say how many. Decided by what the section holds, never by file name,
 * so it holds for HTML, DOCX and EPUB (anchors counted by the HTML walker), Markdown and plain text
 * (`[text](url)` links) and PDF (page-number entries).
 */
import type { ExtractedSection, LinkStats } from './types.ts';

/** At least this share of the section's letters and digits sit in link anchors… */
export const NAV_LINK_SHARE = 0.6;
/** …over at least this many links (a sentence with one link is prose). */
export const NAV_MIN_LINKS = 4;
/** Entry lines (pointing at a page) needed, and their share of the section's lines. */
export const NAV_MIN_ENTRY_LINES = 6;
export const NAV_ENTRY_SHARE = 0.6;

const WORD_CHAR = /[\p{L}\p{N}]/gu;
const count = (s: string) => s.match(WORD_CHAR)?.length ?? 0;
const MD_LINK = /!?\[([^\]\n]{0,300})\]\(([^)\s]{0,2000})(?:\s+"[^"\n]*")?\)/g;
/** "Repositories ........ 12" (a contents line): a title, dot leaders, a page number. */
const LEADER_LINE = /^(?=.*\p{L})(.{1,100}?)\s?(?:\.\s?){3,}\s*\d{1,4}\s*$/u;
/**
 * "apt-get, 45, 112–114" (an index line): a term, then two page locators or more, in ascending
 * order. One number after a comma is too often a table's value ("Jawa Barat, 4812") or a year
 * ("PP 48 Tahun 2016, 2016"), so it does not count.
 */
const INDEX_LINE =
  /^(?=.*\p{L})(.{1,80}?),\s*(\d{1,4}(?:\s*[–-]\s*\d{1,4})?(?:\s*,\s*\d{1,4}(?:\s*[–-]\s*\d{1,4})?)+)\s*$/u;
/** A full stop, colon, semicolon, "!" or "?" that ends a clause: a sentence, not an entry. */
const SENTENCE_PUNCTUATION = /[.;:!?](?:\s|$)/u;
/** "March 3, 2021", "3 Maret 2021": a date, whose year is no page number. */
const MONTHS =
  'jan(?:uary|uari)?|feb(?:ruary|ruari)?|mar(?:ch|et)?|apr(?:il)?|may|mei|jun(?:e|i)?|jul(?:y|i)?|aug(?:ust)?|agu(?:stus)?|sep(?:t|tember)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cs](?:ember)?';
const DATE = new RegExp(
  `(?:^|[^\\p{L}])(?:${MONTHS})\\.?\\s+(?:\\d{1,2},?\\s*)?(?:19|20)\\d\\d(?!\\d)`,
  'iu',
);

const ascending = (locators: string) => {
  const pages = locators.split(/[,–-]/u).map((n) => Number(n.trim()));
  return pages.every((n, i) => i === 0 || n >= pages[i - 1]!);
};

/**
 * Whether a line points at pages rather than says something: a contents line with dot leaders,
 * or an index line with two page locators or more — short, with no sentence punctuation and no
 * date in it. Where unsure, it is not (a kept line costs little; a dropped one loses content).
 */
export function isEntryLine(line: string): boolean {
  const l = line.trim();
  if (l.length > 120) return false;
  const leader = LEADER_LINE.exec(l);
  if (leader) return !SENTENCE_PUNCTUATION.test(leader[1]!.replace(/[.\s]+$/u, ''));
  const index = INDEX_LINE.exec(l);
  return !!index && !SENTENCE_PUNCTUATION.test(index[1]!) && !DATE.test(l) && ascending(index[2]!);
}

/** Markdown-style links in plain text: anchors counted, URLs left out of the text's size. */
export function markdownLinkStats(text: string): LinkStats {
  let linkChars = 0;
  let links = 0;
  const rest = text.replace(MD_LINK, (_m, anchor: string) => {
    links++;
    linkChars += count(anchor);
    return ` ${anchor} `;
  });
  return { linkChars, textChars: count(rest), links };
}

function mostlyLinks(s: LinkStats): boolean {
  return s.links >= NAV_MIN_LINKS && s.textChars > 0 && s.linkChars / s.textChars >= NAV_LINK_SHARE;
}

function mostlyEntries(text: string): boolean {
  const lines = text.split('\n').filter((l) => /[\p{L}\p{N}]/u.test(l));
  if (lines.length < NAV_MIN_ENTRY_LINES) return false;
  const entries = lines.filter(isEntryLine).length;
  return entries >= NAV_MIN_ENTRY_LINES && entries / lines.length >= NAV_ENTRY_SHARE;
}

/**
 * Whether a section is navigation (see the top of this file), and how it was told: by its links
 * (marked by the format or written as Markdown links: certain) or by its entry lines (page numbers
 * in plain text: a guess, which a document made of nothing else is given the benefit of).
 */
export function navigationKind(section: ExtractedSection): 'links' | 'entries' | null {
  if (section.links && mostlyLinks(section.links)) return 'links';
  if (mostlyLinks(markdownLinkStats(section.text))) return 'links';
  return mostlyEntries(section.text) ? 'entries' : null;
}

export function isNavigation(section: ExtractedSection): boolean {
  return navigationKind(section) !== null;
}
