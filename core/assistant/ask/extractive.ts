/**
 * The answer without a language model: from the best passages, the sentences that best match the
 * question (its words, and the words search highlighted), each followed by its citation [n].
 */
import type { SearchItem } from '../../contract/methods/search.ts';
import { foldWord, queryWords } from '../../knowledge/retrieval/highlight.ts';

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

export function extractiveAnswer(
  question: string,
  items: readonly SearchItem[],
  opts: ExtractiveOptions = {},
): ExtractiveAnswer {
  const label = opts.label ?? NO_MODEL_LABEL;
  const maxSentences = opts.maxSentences ?? 5;
  const words = queryWords(question);
  interface Candidate {
    n: number;
    pos: number;
    text: string;
    score: number;
  }
  const candidates: Candidate[] = [];
  items.slice(0, opts.maxPassages ?? 5).forEach((item, i) => {
    const n = i + 1;
    for (const [pos, s] of splitSentences(item.text).entries()) {
      const found = new Set<string>();
      for (const m of s.text.matchAll(WORD)) {
        const w = foldWord(m[0]);
        if (words.has(w)) found.add(w);
      }
      const highlighted = item.highlights.filter((h) => h.start >= s.start && h.end <= s.end).length;
      if (found.size === 0 && highlighted === 0) continue;
      // Distinct question words dominate; highlights break ties; better passages win the rest.
      const score = found.size * 10 + Math.min(highlighted, 5) - i * 0.5 - pos * 0.05;
      candidates.push({ n, pos, text: clip(s.text), score });
    }
  });
  if (candidates.length === 0) return { text: NOTHING_FOUND, cited: [], found: false };

  const picked = candidates
    .sort((a, b) => b.score - a.score)
    .filter((c, i, all) => all.findIndex((d) => d.text === c.text) === i)
    .slice(0, maxSentences)
    // Read in passage order, then in the passage's own order.
    .sort((a, b) => a.n - b.n || a.pos - b.pos);
  const lines = picked.map((c) => `- ${c.text} [${c.n}]`);
  return {
    text: `${label}\n\n${lines.join('\n')}`,
    cited: [...new Set(picked.map((c) => c.n))],
    found: true,
  };
}
