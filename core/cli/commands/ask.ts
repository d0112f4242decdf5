import type { Command } from 'commander';
import type { AskEvent, AskResult, CitationInfo } from '../../contract/methods/ask.ts';
import { sourceLabel } from '../../base/source-label.ts';
import { commaList, collectionArg, positiveInt, type CliContext, type CliIO } from '../context.ts';
import { plural, table } from '../format.ts';
import { addCommands, command } from '../command.ts';
import { renderRebuildWarning } from '../render-rebuild.ts';

/** "[1] Title › Heading — p. 3 (OCR) — /path" */
export function renderSource(c: CitationInfo): string {
  const ocr = c.ocr ? ' (OCR)' : '';
  const page = c.page !== null ? ` — p. ${c.page}${ocr}` : ocr;
  const label = c.title || c.sourcePath ? sourceLabel(c) : '(unknown source)';
  return `[${c.n}] ${label}${page}${c.sourcePath ? ` — ${c.sourcePath}` : ''}`;
}

const ms = (v: number) => (v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);

export function renderAskFooter(r: AskResult): string {
  const lines: string[] = [];
  if (r.citations.length) lines.push('', 'Sources:', ...r.citations.map(renderSource));
  if (r.notice) lines.push('', `Note: ${r.notice}`);
  const t = r.timings;
  const stages = [
    t.retrieveMs ? `retrieve ${ms(t.retrieveMs)}` : '',
    t.promptMs ? `prompt ${ms(t.promptMs)}` : '',
    t.firstTokenMs !== null ? `first token ${ms(t.firstTokenMs)}` : '',
    t.generateMs ? `generate ${ms(t.generateMs)}` : '',
  ].filter(Boolean);
  const golden = r.golden
    ? ` #${r.golden.id} (${r.golden.match}${r.golden.similarity !== null ? ` ${r.golden.similarity}` : ''}: "${r.golden.matchedQuestion}")`
    : '';
  const badge = [
    r.path + golden,
    ...(r.model ? [r.model] : []),
    ...(r.status === 'partial' ? ['partial'] : []),
    ms(t.totalMs) + (stages.length ? ` (${stages.join(', ')})` : ''),
    ...(r.tokens.in || r.tokens.out ? [`${r.tokens.in} → ${r.tokens.out} tokens`] : []),
    `conversation ${r.conversationId}`,
  ];
  lines.push('', badge.join(' · '));
  return `${lines.join('\n')}\n${r.rebuilding ? `\n${renderRebuildWarning(r.rebuilding)}` : ''}`;
}

interface AskOptions {
  collection?: string[];
  conversation?: number;
  k?: number;
  client?: string;
}

/** Tokens go to stdout as they come; `streamed` tells the rendering whether any came. */
function tokenStream(io: CliIO) {
  const sink = {
    streamed: false,
    onEvent: (e: AskEvent) => {
      if (e.type !== 'token') return;
      sink.streamed = true;
      io.stdout(e.text);
    },
  };
  return sink;
}

const ask = command({
  name: 'ask',
  args: [['<question>', 'your question, in any language']],
  options: [
    ['-c, --collection <name>', 'answer from this collection (repeatable; default: all)', commaList],
    ['--conversation <id>', 'continue this conversation', positiveInt],
    ['-k, --k <n>', 'passages to retrieve (1–50)', positiveInt],
    ['--client <client>', 'link the conversation to this client (name or id): its facts reach the answers'],
  ],
  description: 'answer a question from your documents, with cited sources (local Llama, or extractive)',
  method: 'ask',
  // Checked before asking; a continued conversation is linked first so this answer has the facts.
  prepare: async (client, _a: [string], o: AskOptions) => {
    const linkTo =
      o.client !== undefined
        ? (await client.call('clients.get', { client: collectionArg(o.client) })).id
        : null;
    if (linkTo !== null && o.conversation !== undefined) {
      await client.call('conversations.link', { conversationId: o.conversation, client: linkTo });
    }
    return linkTo;
  },
  params: ([question]: [string], o) => ({
    question,
    ...(o.collection?.length ? { collections: o.collection.map(collectionArg) } : {}),
    ...(o.conversation !== undefined ? { conversationId: o.conversation } : {}),
    ...(o.k !== undefined ? { k: o.k } : {}),
  }),
  events: tokenStream,
  after: async (client, r, _a, o, { prepared: linkTo }) => {
    if (linkTo !== null && o.conversation === undefined) {
      await client.call('conversations.link', { conversationId: r.conversationId, client: linkTo });
    }
    return r;
  },
  human: (r, _a, _o, sink) => {
    const streamed = sink?.streamed === true;
    return {
      stdout: `${streamed && r.path !== 'rag' ? '\n\n' : ''}${!streamed || r.path !== 'rag' ? r.answer : ''}\n`,
      stderr: renderAskFooter(r),
    };
  },
  json: ({ answer, path, citations, conversationId, timings, tokens, rebuilding }) => ({
    answer,
    path,
    citations,
    conversationId,
    timings,
    tokens,
    ...(rebuilding ? { rebuilding } : {}),
  }),
});

export function registerAsk(program: Command, ctx: CliContext): void {
  addCommands(program, ctx, [ask]);
}

const list = command({
  name: 'list',
  options: [['--limit <n>', 'how many (default 50)', positiveInt, 50]],
  description: 'conversations, most recent first',
  method: 'conversations.list',
  params: (_a, o: { limit: number }) => ({ limit: o.limit }),
  human: (res) =>
    res.conversations.length
      ? `${table(
          ['ID', 'TITLE', 'MESSAGES', 'UPDATED'],
          res.conversations.map((c) => [c.id, c.title ?? '', c.messageCount, c.updatedAt.slice(0, 16)]),
        )}\n${plural(res.total, 'conversation')}`
      : 'No conversations.',
});

const conversationId = ['<id>', 'conversation id', positiveInt] as const;

const show = command({
  name: 'show',
  args: [conversationId],
  description: 'a conversation with its messages and sources',
  method: 'conversations.get',
  params: ([id]: [number]) => ({ id }),
  human: (c) => {
    const lines = [`#${c.id} ${c.title ?? '(untitled)'}`, ''];
    for (const m of c.messages) {
      const badge =
        m.role === 'assistant'
          ? ` (${[m.path, m.model, m.status !== 'complete' ? m.status : ''].filter(Boolean).join(' · ')})`
          : '';
      lines.push(`${m.role}${badge}:`, m.content);
      for (const s of m.citations) lines.push(`  ${renderSource(s)}`);
      lines.push('');
    }
    return lines.join('\n').trimEnd();
  },
});

const rename = command({
  name: 'rename',
  args: [conversationId, ['<title>', 'the new title']],
  description: 'give a conversation a new title',
  method: 'conversations.rename',
  params: ([id, title]: [number, string]) => ({ id, title }),
  human: (c) => `Renamed conversation ${c.id} to "${c.title ?? ''}".`,
});

const remove = command({
  name: 'delete',
  args: [conversationId],
  options: [['-y, --yes', 'do not ask for confirmation']],
  description: 'delete a conversation and its messages',
  method: 'conversations.delete',
  prepare: (client, [id]: [number]) => client.call('conversations.get', { id }),
  confirm: ([id], _o, c) => ({
    question: `Delete "${c.title ?? id}" and its ${c.messages.length} messages?`,
    refusal: `deleting conversation ${id} needs confirmation: add --yes`,
    declined: 'Nothing deleted.\n',
  }),
  params: ([id]) => ({ id }),
  human: (res) => `Deleted conversation ${res.id} (${plural(res.messages, 'message')}).`,
});

const search = command({
  name: 'search',
  args: [['<words...>', 'words to find in past messages']],
  options: [['--limit <n>', 'how many hits (default 20)', positiveInt, 20]],
  description: 'full-text search over past conversations',
  method: 'conversations.search',
  params: ([words]: [string[]], o: { limit: number }) => ({ query: words.join(' '), limit: o.limit }),
  human: (res) =>
    res.hits.length
      ? res.hits
          .map(
            (h) =>
              `#${h.conversationId} ${h.conversationTitle ?? ''} · ${h.role} · ${h.createdAt.slice(0, 16)}\n  ${h.snippet.replace(/\s+/gu, ' ')}`,
          )
          .join('\n')
      : 'No matches.',
});

export function registerConversations(program: Command, ctx: CliContext): void {
  const conv = program
    .command('conversations')
    .description('list, show, rename, delete and search conversations');
  addCommands(conv, ctx, [list, show, rename, remove, search]);
}
