/**
 * Quoted replies. A reply usually carries the whole thread below it ("On Mon, Budi wrote:" and
 * ">" lines, or Outlook's "-----Original Message-----" / "From: … Sent: …" block), so the tenth
 * message of a thread holds the nine before it again. Indexed in full, the first message's text
 * would be found ten times and crowd other sources out of search results, and an answer would
 * cite a reply for words its sender only quoted. When the message it answers is a document of its
 * own (the import confirms it is indexed: see messageDocument), each quoted block keeps its first
 * QUOTE_KEEP_LINES lines — enough to read what the reply answers, and to find it by the words it
 * answers — and the rest is replaced by a one-line note saying how much was left out. Short inline
 * quotes (bottom-posting, a question quoted then answered) are kept whole. When it is not (a
 * forward, a reply to mail the collection does not have), the history is the only copy there is:
 * splitHistory keeps it whole, apart from the reply's own text.
 */
export const QUOTE_KEEP_LINES = 10;

/**
 * A line that introduces a quote: "On Mon, 3 Mar 2025, Budi <b@x> wrote:", "Pada tanggal Sen, 3
 * Mar 2025 … menulis:" (clients wrap it over two lines at times). It must start like one and name
 * a date or an address, so "The officer wrote:" in a message's own text is not taken for one.
 */
const ATTRIBUTION =
  /^\s*(on|pada|le|am|el|il|op)\s.*(\d|@).*\b(wrote|writes|menulis|schrieb|a écrit|escribió|scrisse|schreef)\s*:\s*$/i;
/** Outlook's separator above the message it quotes. */
const ORIGINAL =
  /^\s*-{2,}\s*(original message|pesan asli|ursprüngliche nachricht|message d'origine)\s*-{2,}\s*$/i;
/** The first line of Outlook's header block above a quoted message ("From: Budi …"). */
const HEADER_FROM = /^\s*\*?(from|dari|von|de)\s*:\*?\s+\S/i;
const HEADER_NEXT =
  /^\s*\*?(sent|dikirim|date|tanggal|gesendet|envoyé|to|kepada|subject|subjek|perihal)\s*:/i;

export interface FoldedText {
  text: string;
  /** Quoted lines left out. */
  dropped: number;
}

/** The text with each long quoted block cut to its first QUOTE_KEEP_LINES lines and a note. */
export function foldQuotes(text: string): FoldedText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let dropped = 0;
  const history = historyStart(lines);
  const end = history ?? lines.length;
  for (let i = 0; i < end;) {
    if (!isQuoted(lines[i]!)) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    const blockEnd = quotedBlockEnd(lines, i, end);
    dropped += keep(lines.slice(i, blockEnd), out);
    i = blockEnd;
  }
  if (history !== null) dropped += keep(lines.slice(history), out);
  return { text: out.join('\n'), dropped };
}

/**
 * The message's own text and, apart, the quoted history below a top-posted reply (see
 * historyStart); null when there is none. Nothing is left out.
 */
export function splitHistory(text: string): { own: string; history: string | null } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const at = historyStart(lines);
  if (at === null) return { own: lines.join('\n'), history: null };
  return { own: lines.slice(0, at).join('\n'), history: lines.slice(at).join('\n') };
}

/** Appends a quoted block, cut when long; returns how many lines were left out. */
function keep(block: string[], out: string[]): number {
  const nonBlank = block.filter((l) => l.replace(/^[>\s]+/, '') !== '').length;
  if (nonBlank <= QUOTE_KEEP_LINES + 2) {
    out.push(...block);
    return 0;
  }
  let kept = 0;
  let i = 0;
  for (; i < block.length && kept < QUOTE_KEEP_LINES; i++) {
    out.push(block[i]!);
    if (block[i]!.replace(/^[>\s]+/, '') !== '') kept++;
  }
  const left = block.slice(i).filter((l) => l.replace(/^[>\s]+/, '') !== '').length;
  out.push(`[… ${left} more quoted lines of the earlier message left out]`);
  return left;
}

function isQuoted(line: string): boolean {
  return line.startsWith('>');
}

/** Where a run of ">" lines ends; blank lines inside it belong to it when more ">" lines follow. */
function quotedBlockEnd(lines: string[], from: number, end: number): number {
  let last = from;
  for (let i = from; i < end; i++) {
    if (isQuoted(lines[i]!)) last = i;
    else if (lines[i]!.trim() !== '') break;
  }
  return last + 1;
}

/**
 * The line where a top-posted reply's quoted history begins (Outlook's separator or header block,
 * or an attribution line followed by unmarked text, as HTML mail turned into text leaves it); null
 * when there is none, or when it starts the message (a forward, whose content is its point).
 */
function historyStart(lines: string[]): number | null {
  let seenText = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (seenText && ORIGINAL.test(line)) return i;
    if (seenText && HEADER_FROM.test(line) && isHeaderBlock(lines, i)) return i;
    if (seenText && !isQuoted(nextText(lines, i) ?? '>')) {
      if (ATTRIBUTION.test(line)) return i;
      if (i > 0 && lines[i - 1]!.trim() && ATTRIBUTION.test(`${lines[i - 1]} ${line}`)) return i - 1;
    }
    // Separator lines ("---------- Forwarded message ---------", "_____") are no reply text.
    if (
      line.trim() !== '' &&
      !isQuoted(line) &&
      !/^\s*[-_=*]{2,}.*[-_=*]{2,}\s*$|^\s*[-_=]{5,}\s*$/.test(line)
    )
      seenText = true;
  }
  return null;
}

/** "From:" followed within four lines by Sent:/Date:/To:/Subject: lines. */
function isHeaderBlock(lines: string[], from: number): boolean {
  let fields = 0;
  for (let i = from + 1; i < Math.min(lines.length, from + 5); i++) if (HEADER_NEXT.test(lines[i]!)) fields++;
  return fields >= 2;
}

function nextText(lines: string[], from: number): string | null {
  for (let i = from + 1; i < lines.length; i++) if (lines[i]!.trim() !== '') return lines[i]!;
  return null;
}
