import { describe, expect, it } from 'vitest';
import type { SearchItem } from '../core/contract/methods/search.ts';
import { mapCitations, parseCitationNumbers } from '../core/assistant/ask/citations.ts';
import { extractiveAnswer, NO_MODEL_LABEL, NOTHING_FOUND } from '../core/assistant/ask/extractive.ts';
import { normalizeQuestion, queryHash, questionKey } from '../core/base/normalize.ts';
import { fitPrompt, formatPassage, SYSTEM_PROMPT, type TokenCounter } from '../core/assistant/ask/prompt.ts';

function item(n: number, text: string, extra: Partial<SearchItem> = {}): SearchItem {
  return {
    rank: n,
    score: 1 / n,
    chunkId: 100 + n,
    documentId: 10 + n,
    collectionId: 1,
    title: `Doc ${n}`,
    sourcePath: `/docs/doc${n}.md`,
    headingPath: [`Doc ${n}`, `Section ${n}`],
    page: n === 2 ? 3 : null,
    text,
    highlights: [],
    ...extra,
  };
}

/** One token per whitespace-separated word: exact and predictable. */
const words: TokenCounter = async (texts) => texts.map((t) => t.split(/\s+/u).filter(Boolean).length);

describe('normalize', () => {
  it('folds Unicode form, case, spacing and punctuation; hashes with SHA-256', () => {
    expect(normalizeQuestion('  How long does a  KITAS take?! ')).toBe('how long does a kitas take');
    expect(normalizeQuestion('Ｈｏｗ long… does a kitas\ttake')).toBe('how long does a kitas take');
    expect(questionKey('How long does a KITAS take?').hash).toBe(
      questionKey('how long does a kitas take').hash,
    );
    expect(queryHash('')).toMatch(/^[0-9a-f]{64}$/);
    expect(questionKey('Apa itu KITAS?').hash).not.toBe(questionKey('Apa itu KITAP?').hash);
  });
});

describe('citations', () => {
  it('parses [n], [n, m], [n-m], [n–m] and ignores non-citations', () => {
    expect(parseCitationNumbers('A [1]. B [2, 4]. C [3-5]. D [6–7]. E [2].')).toEqual([1, 2, 4, 3, 5, 6, 7]);
    expect(parseCitationNumbers('arr[i] and [a] and [1-2000] and [ 8 ; 9 ]')).toEqual([8, 9]);
    expect(parseCitationNumbers('no citations')).toEqual([]);
  });

  it('maps numbers to passages and flags those that do not exist', () => {
    const passages = [item(1, 'One.'), item(2, 'Two is here.'), item(3, 'Three.')];
    const { citations, invalid } = mapCitations('See [2] and [1, 3] and [7] and [0].', passages);
    expect(invalid).toEqual([7, 0]);
    expect(citations.map((c) => c.n)).toEqual([1, 2, 3]);
    expect(citations[1]).toEqual({
      n: 2,
      chunkId: 102,
      documentId: 12,
      title: 'Doc 2',
      sourcePath: '/docs/doc2.md',
      headingPath: ['Doc 2', 'Section 2'],
      page: 3,
      quote: 'Two is here.',
    });
  });
});

describe('prompt fitting', () => {
  const passages = [1, 2, 3, 4, 5].map((n) => item(n, Array.from({ length: 50 }, () => `w${n}`).join(' ')));

  it('keeps everything when it fits, numbered passages with title › heading and page', async () => {
    const f = await fitPrompt({
      question: 'What is w1?',
      passages,
      history: [],
      contextSize: 4096,
      answerTokens: 512,
      count: words,
    });
    expect(f.passagesKept).toBe(5);
    expect(f.overflow).toBe(false);
    expect(f.messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    const user = f.messages.at(-1)!;
    expect(user.role).toBe('user');
    expect(user.content).toContain('[2] Doc 2 › Section 2 (p. 3)\n');
    expect(user.content).toMatch(/Question: What is w1\?$/);
    expect(formatPassage(1, passages[0]!)).toMatch(/^\[1\] Doc 1 › Section 1\nw1 w1/);
  });

  it('drops the lowest-ranked passages, then oldest history, to fit the window minus the answer budget', async () => {
    const history = Array.from({ length: 6 }, (_, i) => ({
      role: (i % 2 === 0 ? 'user' : 'assistant') as 'user' | 'assistant',
      content: Array.from({ length: 40 }, () => `h${i}`).join(' '),
    }));
    const base = { question: 'What is w1?', passages, history, count: words };
    const all = await fitPrompt({ ...base, contextSize: 100_000, answerTokens: 100 });
    expect(all.passagesKept + all.historyKept).toBe(11);
    const budget = all.promptTokens - 130 + 100; // about two and a half passages too many
    const f = await fitPrompt({ ...base, contextSize: budget, answerTokens: 100 });
    expect(f.promptTokens).toBeLessThanOrEqual(f.budget);
    expect(f.budget).toBe(budget - 100);
    // History is trimmed oldest-first while it takes more than a quarter of the budget.
    expect(f.droppedHistory).toBeGreaterThan(0);
    expect(f.messages[1]!.role).toBe('user');
    expect(f.messages.slice(1, -1).map((m) => m.content.split(' ')[0])).toEqual(
      history.slice(f.droppedHistory).map((h) => h.content.split(' ')[0]),
    );
    const kept = f.messages.at(-1)!.content;
    for (let n = 1; n <= 5; n++) expect(kept.includes(`[${n}] Doc ${n}`)).toBe(n <= f.passagesKept);

    // A tiny window: no passages, no history, still system + question.
    const tiny = await fitPrompt({ ...base, contextSize: 150, answerTokens: 50 });
    expect(tiny.passagesKept).toBe(0);
    expect(tiny.historyKept).toBe(0);
    expect(tiny.messages).toHaveLength(2);
    expect(tiny.messages[1]!.content).toContain('none were found');
  });

  it('drops passages before recent history when history is small', async () => {
    const history = [
      { role: 'user' as const, content: 'short question' },
      { role: 'assistant' as const, content: 'short answer' },
    ];
    const base = { question: 'q', passages, history, count: words, answerTokens: 0 };
    const all = await fitPrompt({ ...base, contextSize: 100_000 });
    const f = await fitPrompt({ ...base, contextSize: all.promptTokens - 60 });
    expect(f.historyKept).toBe(2);
    expect(f.passagesKept).toBe(3);
  });
});

describe('extractive answer', () => {
  it('picks the matching sentences, cites them and labels the answer', () => {
    const items = [
      item(
        1,
        'Indonesia has many islands. A KITAS is a limited stay permit for foreign workers. It is sponsored.',
      ),
      item(2, 'The weather is hot. Renewing a KITAS takes about two weeks at the immigration office.'),
      item(3, 'Nothing to see here at all.'),
    ];
    const a = extractiveAnswer('How long does renewing a KITAS take?', items);
    expect(a.found).toBe(true);
    expect(a.text.startsWith(`${NO_MODEL_LABEL}\n\n`)).toBe(true);
    expect(a.text).toContain('- A KITAS is a limited stay permit for foreign workers. [1]');
    expect(a.text).toContain('- Renewing a KITAS takes about two weeks at the immigration office. [2]');
    expect(a.text).not.toContain('weather');
    expect(a.cited).toEqual([1, 2]);
    expect(extractiveAnswer('zebra unicorn', items)).toEqual({
      text: NOTHING_FOUND,
      cited: [],
      found: false,
    });
    const many = extractiveAnswer('kitas', [
      item(1, Array.from({ length: 9 }, (_, i) => `KITAS fact ${i}.`).join(' ')),
    ]);
    expect(many.text.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(5);
  });
});
