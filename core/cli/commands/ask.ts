import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { AskResult, CitationInfo } from '../../contract/methods/ask.ts';
import { sourceLabel } from '../../assistant/ask/prompt.ts';
import { askTTY } from '../ask.ts';
import { commaList, collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { withClient } from '../session.ts';

/** "[1] Title › Heading — p. 3 — /path" */
export function renderSource(c: CitationInfo): string {
  const page = c.page !== null ? ` — p. ${c.page}` : '';
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
  return `${lines.join('\n')}\n`;
}

interface AskOptions {
  collection?: string[];
  conversation?: number;
  k?: number;
  client?: string;
}

export function registerAsk(program: Command, ctx: CliContext): void {
  const { io, signal } = ctx;
  program
    .command('ask')
    .argument('<question>', 'your question, in any language')
    .option('-c, --collection <name>', 'answer from this collection (repeatable; default: all)', commaList)
    .option('--conversation <id>', 'continue this conversation', positiveInt)
    .option('-k, --k <n>', 'passages to retrieve (1–50)', positiveInt)
    .option(
      '--client <client>',
      'link the conversation to this client (name or id): its facts reach the answers',
    )
    .description('answer a question from your documents, with cited sources (local Llama, or extractive)')
    .action(async (question: string, o: AskOptions, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        // Checked before asking; a continued conversation is linked first so this answer has the facts.
        const linkTo =
          o.client !== undefined
            ? (await client.call('clients.get', { client: collectionArg(o.client) })).id
            : null;
        if (linkTo !== null && o.conversation !== undefined) {
          await client.call('conversations.link', { conversationId: o.conversation, client: linkTo });
        }
        let streamed = false;
        const r = await client.call(
          'ask',
          {
            question,
            ...(o.collection?.length ? { collections: o.collection.map(collectionArg) } : {}),
            ...(o.conversation !== undefined ? { conversationId: o.conversation } : {}),
            ...(o.k !== undefined ? { k: o.k } : {}),
          },
          {
            onEvent: (e) => {
              if (e.type !== 'token' || opts.json) return;
              streamed = true;
              io.stdout(e.text);
            },
          },
        );
        if (linkTo !== null && o.conversation === undefined) {
          await client.call('conversations.link', { conversationId: r.conversationId, client: linkTo });
        }
        if (opts.json) {
          const { answer, path, citations, conversationId, timings, tokens } = r;
          io.stdout(
            `${JSON.stringify({ answer, path, citations, conversationId, timings, tokens }, null, 2)}\n`,
          );
          return;
        }
        if (streamed && r.path !== 'rag') io.stdout('\n\n');
        if (!streamed || r.path !== 'rag') io.stdout(r.answer);
        io.stdout('\n');
        io.stderr(renderAskFooter(r));
      });
    });
}

export function registerConversations(program: Command, ctx: CliContext): void {
  const { io, signal } = ctx;
  const conv = program
    .command('conversations')
    .description('list, show, rename, delete and search conversations');

  conv
    .command('list')
    .option('--limit <n>', 'how many (default 50)', positiveInt, 50)
    .description('conversations, most recent first')
    .action(async (o: { limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const res = await client.call('conversations.list', { limit: o.limit });
        const human = res.conversations.length
          ? `${table(
              ['ID', 'TITLE', 'MESSAGES', 'UPDATED'],
              res.conversations.map((c) => [c.id, c.title ?? '', c.messageCount, c.updatedAt.slice(0, 16)]),
            )}\n${plural(res.total, 'conversation')}`
          : 'No conversations.';
        ctx.print(opts, human, res);
      });
    });

  conv
    .command('show')
    .argument('<id>', 'conversation id', positiveInt)
    .description('a conversation with its messages and sources')
    .action(async (id: number, _o: unknown, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('conversations.get', { id });
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
        ctx.print(opts, lines.join('\n').trimEnd(), c);
      });
    });

  conv
    .command('rename')
    .argument('<id>', 'conversation id', positiveInt)
    .argument('<title>', 'the new title')
    .description('give a conversation a new title')
    .action(async (id: number, title: string, _o: unknown, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('conversations.rename', { id, title });
        ctx.print(opts, `Renamed conversation ${c.id} to "${c.title ?? ''}".`, c);
      });
    });

  conv
    .command('delete')
    .argument('<id>', 'conversation id', positiveInt)
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete a conversation and its messages')
    .action(async (id: number, o: { yes?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('conversations.get', { id });
        if (!o.yes) {
          if (!io.isTTY || opts.json) {
            throw new ApiCallError({
              code: 'invalid_params',
              message: `deleting conversation ${id} needs confirmation: add --yes`,
            });
          }
          if (
            !(await (io.confirm ?? askTTY)(
              `Delete "${c.title ?? id}" and its ${c.messages.length} messages?`,
            ))
          ) {
            io.stderr('Nothing deleted.\n');
            return;
          }
        }
        const res = await client.call('conversations.delete', { id });
        ctx.print(opts, `Deleted conversation ${res.id} (${plural(res.messages, 'message')}).`, res);
      });
    });

  conv
    .command('search')
    .argument('<words...>', 'words to find in past messages')
    .option('--limit <n>', 'how many hits (default 20)', positiveInt, 20)
    .description('full-text search over past conversations')
    .action(async (words: string[], o: { limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const res = await client.call('conversations.search', { query: words.join(' '), limit: o.limit });
        const human = res.hits.length
          ? res.hits
              .map(
                (h) =>
                  `#${h.conversationId} ${h.conversationTitle ?? ''} · ${h.role} · ${h.createdAt.slice(0, 16)}\n  ${h.snippet.replace(/\s+/gu, ' ')}`,
              )
              .join('\n')
          : 'No matches.';
        ctx.print(opts, human, res);
      });
    });
}
