/**
 * The RAG prompt: a system prompt, the conversation so far, and a last user message holding the
 * numbered passages and the question — fitted to the model's context window with the model's own
 * tokenizer. What does not fit goes first from the oldest history, then from the lowest-ranked
 * passages (history is cut first while it takes more than a quarter of the budget).
 */
import type { ChatMessage } from '../../models/llm/chat.ts';
import { sourceLabel } from '../../base/source-label.ts';

export const SYSTEM_PROMPT = [
  'You are Pustaka, an assistant that answers questions using only the numbered passages given with the question.',
  'Rules:',
  '- Use only facts stated in the passages. Do not use outside knowledge.',
  '- Cite the passages you use with their numbers in square brackets, like [1] or [2][3], right after the statement they support.',
  '- If the passages do not contain the answer, say plainly that the documents do not answer the question.',
  '- Answer in the language of the question, concisely.',
].join('\n');

export interface PromptPassage {
  title: string | null;
  sourcePath: string;
  headingPath: string[];
  page: number | null;
  text: string;
}

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** Exact token counts for several texts (ChatModel.countTokens). */
export type TokenCounter = (texts: string[]) => Promise<number[]>;

export function formatPassage(n: number, p: PromptPassage): string {
  const page = p.page !== null ? ` (p. ${p.page})` : '';
  return `[${n}] ${sourceLabel(p)}${page}\n${p.text.trim()}`;
}

const PASSAGES_HEADER = 'Passages:';
const NO_PASSAGES = 'Passages: none were found in the documents.';

export function userMessage(question: string, blocks: readonly string[]): string {
  const passages = blocks.length ? `${PASSAGES_HEADER}\n\n${blocks.join('\n\n')}` : NO_PASSAGES;
  return `${passages}\n\nQuestion: ${question.trim()}`;
}

export interface FitInput {
  question: string;
  /** Best first. */
  passages: readonly PromptPassage[];
  /** Oldest first. */
  history: readonly HistoryMessage[];
  contextSize: number;
  /** Tokens kept free for the answer. */
  answerTokens: number;
  count: TokenCounter;
  /** Template tokens per message (role headers, end-of-turn); default 8. */
  perMessageOverhead?: number;
  system?: string;
}

export interface FittedPrompt {
  messages: ChatMessage[];
  /** How many of the best passages are in the prompt (they are numbered 1…passagesKept). */
  passagesKept: number;
  historyKept: number;
  droppedPassages: number;
  droppedHistory: number;
  /** Estimated prompt tokens (exact counts of the parts plus template overhead). */
  promptTokens: number;
  budget: number;
  /** True when even the system prompt and the question alone exceed the budget. */
  overflow: boolean;
}

export async function fitPrompt(input: FitInput): Promise<FittedPrompt> {
  const system = input.system ?? SYSTEM_PROMPT;
  const overhead = input.perMessageOverhead ?? 8;
  const blocks = input.passages.map((p, i) => formatPassage(i + 1, p));
  const fixedUser = userMessage(input.question, []);
  const texts = [system, fixedUser, PASSAGES_HEADER, ...blocks, ...input.history.map((h) => h.content)];
  const counts = await input.count(texts);
  const at = (i: number) => counts[i] ?? 0;
  const systemT = at(0);
  const questionT = at(1);
  const headerT = at(2);
  // "\n\n" between blocks: a token or two each.
  const blockT = blocks.map((_, i) => at(3 + i) + 2);
  const histT = input.history.map((_, i) => at(3 + blocks.length + i) + overhead);
  const budget = Math.max(0, input.contextSize - input.answerTokens);

  let nPassages = blocks.length;
  let firstHistory = 0;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const total = () =>
    systemT +
    overhead * 2 +
    questionT +
    (nPassages > 0 ? headerT + sum(blockT.slice(0, nPassages)) : 0) +
    sum(histT.slice(firstHistory));
  while (total() > budget && (nPassages > 0 || firstHistory < histT.length)) {
    const historyT = sum(histT.slice(firstHistory));
    if (firstHistory < histT.length && (nPassages === 0 || historyT > budget / 4)) firstHistory++;
    else nPassages--;
  }
  // History starts with a user turn (some chat templates require alternation).
  while (firstHistory < input.history.length && input.history[firstHistory]!.role !== 'user') firstHistory++;

  const messages: ChatMessage[] = [
    { role: 'system', content: system },
    ...input.history.slice(firstHistory).map((h) => ({ role: h.role, content: h.content })),
    { role: 'user', content: userMessage(input.question, blocks.slice(0, nPassages)) },
  ];
  const promptTokens = total();
  return {
    messages,
    passagesKept: nPassages,
    historyKept: input.history.length - firstHistory,
    droppedPassages: blocks.length - nPassages,
    droppedHistory: firstHistory,
    promptTokens,
    budget,
    overflow: promptTokens > budget,
  };
}
