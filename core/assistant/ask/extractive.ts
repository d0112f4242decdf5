/**
 * The answer without a language model: from the best passages, the sentences that best match the
 * question's content words (question and stop words, English and Indonesian, left out: a heading
 * "What Is …" or a line of an index must not win on "what" and "is"), each followed by its
 * citation [n]. For "what is X?" the sentence that defines X ("X is …", "X adalah …") comes first.
 * Headings alone and navigation (link lists, index and contents lines) are never quoted.
 */
import type { SearchItem } from '../../contract/methods/search.ts';
import { foldWord, queryWords } from '../../knowledge/retrieval/highlight.ts';
import { STOP_WORDS } from '../../knowledge/retrieval/stop-words.ts';
import { isEntryLine } from '../../knowledge/import/navigation.ts';

export const NO_MODEL_LABEL = 'No language model is installed; the most relevant passages:';
export const NOTHING_FOUND = 'Nothing in the documents matches this question.';

export interface ExtractiveOptions {
  /** First line of the answer (default NO_MODEL_LABEL). */
  label?: string;
  maxSentences?: number;
  /** Passages considered (best first); default 5. */
  maxPassages?: number;
}

export interface ExtractiveAnswer {
  text: string;
  /** Passage numbers cited (passage n = items[n - 1]). */
  cited: number[];
  /** False when no sentence matched the question. */
  found: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;
const MAX_SENTENCE_CHARS = 400;

/**
 * Sentences with their offsets in the text: ends at . ! ? … followed by a space or the end (so
 * "Rp 5.000.000" or "v1.2" stay whole), at 。！？, and at line breaks.
 */
export function splitSentences(text: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  const push = (from: number, to: number) => {
    const raw = text.slice(from, to);
    const lead = raw.length - raw.trimStart().length;
    const t = raw.trim();
    if (t.length >= 3) out.push({ text: t, start: from + lead, end: from + lead + t.length });
  };
  const END = /[.!?…]+["'”’)\]]*(?=\s|$)|[。！？]+["'”’)\]]*|\n/gu;
  let from = 0;
  for (const m of text.matchAll(END)) {
    const to = m.index + (m[0] === '\n' ? 0 : m[0].length);
    push(from, to);
    from = m.index + m[0].length;
  }
  push(from, text.length);
  return out;
}

function clip(s: string): string {
  if (s.length <= MAX_SENTENCE_CHARS) return s;
  const space = s.lastIndexOf(' ', MAX_SENTENCE_CHARS);
  return `${s.slice(0, space > MAX_SENTENCE_CHARS / 2 ? space : MAX_SENTENCE_CHARS)}…`;
}

/** "What is X?", "Who are X?", "Apa itu X?", "Apa yang dimaksud dengan X?", "Define X": X. */
const DEFINITION_QUESTION = [
  /^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?(.+?)[\s?.!]*$/iu,
  /^\s*(?:define|explain|describe)\s+(?:an?\s+|the\s+)?(.+?)[\s?.!]*$/iu,
  /^\s*(?:apa|siapa)(?:kah)?\s+(?:itu\s+|yang\s+dimaksud\s+dengan\s+|arti(?:nya)?\s+)?(.+?)(?:\s+itu)?[\s?.!]*$/iu,
];

/** The term a definition question asks about, or null. */
export function definitionTerm(question: string): string | null {
  for (const re of DEFINITION_QUESTION) {
    const m = re.exec(question);
    if (m?.[1] && /[\p{L}\p{N}]/u.test(m[1])) return m[1].trim();
  }
  return null;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** "X is a …", "X (…) are …", "X adalah …", "X, a …": a sentence that defines `term`. */
function definesTerm(sentence: string, term: string): boolean {
  const t = escapeRe(term).replace(/\s+/g, '\\s+');
  const copula =
    '(?:is|are|was|were|refers\\s+to|means|denotes|stands\\s+for|adalah|ialah|merupakan|yaitu|yakni|berarti)';
  return new RegExp(
    `(?:^|[^\\p{L}\\p{N}])${t}(?:\\(\\))?(?:\\s*\\([^)]{0,80}\\))?\\s*(?:,\\s*(?:an?|the)\\s|:\\s|[-–—]\\s|${copula}(?![\\p{L}]))`,
    'iu',
  ).test(sentence);
}

/** Breadcrumbs ("Home › Guide › Install"); contents and index lines are told as at import. */
const BREADCRUMB = /(?:\s[|»›→←]\s.*){2,}/u;
const isNavigationLine = (s: string) => BREADCRUMB.test(s) || isEntryLine(s);

/** A heading (or the title) on its own: no answer. */
function isHeadingAlone(sentence: string, item: SearchItem): boolean {
  const plain = sentence.replace(/[\s:.]+$/u, '').toLowerCase();
  if (item.headingPath.some((h) => h.toLowerCase() === plain) || item.title?.toLowerCase() === plain)
    return true;
  // A question-shaped heading ("What Is a KITAS?") repeated in the text says nothing either; a
  // short line otherwise may well be the answer (an API signature, a definition term).
  return false;
}

export function extractiveAnswer(
  question: string,
  items: readonly SearchItem[],
  opts: ExtractiveOptions = {},
): ExtractiveAnswer {
  const label = opts.label ?? NO_MODEL_LABEL;
  const maxSentences = opts.maxSentences ?? 5;
  const all = queryWords(question);
  const content = new Set([...all].filter((w) => !STOP_WORDS.has(w)));
  const words = content.size > 0 ? content : all;
  const term = definitionTerm(question);
  interface Candidate {
    n: number;
    pos: number;
    text: string;
    score: number;
    defines: boolean;
  }
  const candidates: Candidate[] = [];
  items.slice(0, opts.maxPassages ?? 5).forEach((item, i) => {
    const n = i + 1;
    for (const [pos, s] of splitSentences(item.text).entries()) {
      if (isHeadingAlone(s.text, item) || isNavigationLine(s.text)) continue;
      // A question in the text ("What is X?") asks, it does not answer.
      if (term && /\?["'”’)]*$/.test(s.text)) continue;
      const found = new Set<string>();
      for (const m of s.text.matchAll(WORD)) {
        const w = foldWord(m[0]);
        if (words.has(w)) found.add(w);
      }
      const highlighted = item.highlights.filter(
        (h) => h.start >= s.start && h.end <= s.end && words.has(foldWord(item.text.slice(h.start, h.end))),
      ).length;
      if (found.size === 0) continue;
      const defines = term !== null && definesTerm(s.text, term);
      // Distinct content words dominate; a definition of the asked term beats them; highlights
      // break ties; better passages and earlier sentences win the rest.
      const score = found.size * 10 + (defines ? 25 : 0) + Math.min(highlighted, 5) - i * 0.5 - pos * 0.05;
      candidates.push({ n, pos, text: clip(s.text), score, defines });
    }
  });
  if (candidates.length === 0) return { text: NOTHING_FOUND, cited: [], found: false };

  const picked = candidates
    .sort((a, b) => b.score - a.score)
    .filter((c, i, list) => list.findIndex((d) => d.text === c.text) === i)
    .slice(0, maxSentences);
  // The best definition first; the rest in passage order, then in the passage's own order.
  const lead = picked[0]?.defines ? [picked[0]] : [];
  const rest = picked.slice(lead.length).sort((a, b) => a.n - b.n || a.pos - b.pos);
  const ordered = [...lead, ...rest];
  const lines = ordered.map((c) => `- ${c.text} [${c.n}]`);
  return {
    text: `${label}\n\n${lines.join('\n')}`,
    cited: [...new Set(ordered.map((c) => c.n))],
    found: true,
  };
}
