import type { Command } from 'commander';
import type { FactInfo } from '../../contract/methods/memory.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { withClient } from '../session.ts';

export function renderFacts(facts: FactInfo[]): string {
  return table(
    ['ID', 'SUBJECT', 'ATTRIBUTE', 'VALUE', 'STATUS', 'CONF', 'BY', 'LAST SEEN'],
    facts.map((f) => [
      f.id,
      f.subject,
      f.attribute,
      f.value.length > 60 ? `${f.value.slice(0, 59)}…` : f.value,
      f.status === 'superseded' && f.supersededBy ? `superseded by ${f.supersededBy}` : f.status,
      f.confidence.toFixed(2),
      f.method,
      f.lastSeenAt.slice(0, 16).replace('T', ' '),
    ]),
  );
}

export function registerMemory(program: Command, ctx: CliContext): void {
  const { signal } = ctx;
  const memory = program
    .command('memory')
    .description('what the assistant learned from conversations: facts, entities, conflicts');

  memory
    .command('facts', { isDefault: true })
    .option('--client <client>', 'facts linked to this client (name or id)')
    .option('--subject <name>', 'facts about this subject')
    .option('--status <status>', 'active (default), superseded, rejected or all')
    .option('-q, --query <words>', 'full-text search')
    .option('--conversation <id>', 'learned in this conversation', positiveInt)
    .option('--limit <n>', 'how many (default 100)', positiveInt, 100)
    .description('facts, most recently seen first')
    .action(
      async (
        o: {
          client?: string;
          subject?: string;
          status?: string;
          query?: string;
          conversation?: number;
          limit: number;
        },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        await withClient(opts, signal, async (client) => {
          const res = await client.call('memory.facts', {
            ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
            ...(o.subject ? { subject: o.subject } : {}),
            ...(o.status ? { status: o.status as 'all' } : {}),
            ...(o.query ? { query: o.query } : {}),
            ...(o.conversation ? { conversationId: o.conversation } : {}),
            limit: o.limit,
          });
          ctx.print(
            opts,
            res.facts.length ? `${renderFacts(res.facts)}\n${plural(res.total, 'fact')}` : 'No facts.',
            res,
          );
        });
      },
    );

  memory
    .command('edit')
    .argument('<id>', 'fact id', positiveInt)
    .option('--subject <text>', 'who or what it is about')
    .option('--attribute <text>', 'the attribute (location, budget, …)')
    .option('--value <text>', 'the value')
    .option('--restore', 'make a rejected or superseded fact active again')
    .description('correct a fact (it becomes yours: confidence 1)')
    .action(
      async (
        id: number,
        o: { subject?: string; attribute?: string; value?: string; restore?: boolean },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        await withClient(opts, signal, async (client) => {
          const f = await client.call('memory.updateFact', {
            id,
            ...(o.subject !== undefined ? { subject: o.subject } : {}),
            ...(o.attribute !== undefined ? { attribute: o.attribute } : {}),
            ...(o.value !== undefined ? { value: o.value } : {}),
            ...(o.restore ? { status: 'active' as const } : {}),
          });
          ctx.print(opts, `Fact ${f.id}: ${f.fact}`, f);
        });
      },
    );

  memory
    .command('reject')
    .argument('<id>', 'fact id', positiveInt)
    .description('mark a fact wrong (kept out of answers, not learned again)')
    .action(async (id: number, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const f = await client.call('memory.rejectFact', { id });
        ctx.print(opts, `Rejected fact ${f.id}: ${f.fact}`, f);
      });
    });

  memory
    .command('delete')
    .argument('<id>', 'fact id', positiveInt)
    .description('delete a fact')
    .action(async (id: number, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const r = await client.call('memory.deleteFact', { id });
        ctx.print(opts, `Deleted fact ${r.id}: ${r.fact}`, r);
      });
    });

  memory
    .command('conflicts')
    .option('--client <client>', 'one client (name or id)')
    .option('--limit <n>', 'how many (default 100)', positiveInt, 100)
    .description('facts replaced by a newer value (resolved by recency)')
    .action(async (o: { client?: string; limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const res = await client.call('memory.conflicts', {
          ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
          limit: o.limit,
        });
        const human = res.conflicts.length
          ? res.conflicts
              .map(
                (c) =>
                  `${c.current.subject} — ${c.current.attribute}: "${c.old.value}" (${c.old.lastSeenAt.slice(0, 10)}, fact ${c.old.id})` +
                  ` → "${c.current.value}" (${c.current.lastSeenAt.slice(0, 10)}, fact ${c.current.id})`,
              )
              .join('\n')
          : 'No conflicts.';
        ctx.print(opts, human, res);
      });
    });

  memory
    .command('entities')
    .option('--kind <kind>', 'person, company, place, permit, visa, licence, date, amount')
    .option('--client <client>', 'linked to this client')
    .option('-q, --query <text>', 'name contains')
    .option('--limit <n>', 'how many (default 100)', positiveInt, 100)
    .description('people, companies, places, codes, dates and amounts mentioned, most mentioned first')
    .action(async (o: { kind?: string; client?: string; query?: string; limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const res = await client.call('memory.entities', {
          ...(o.kind ? { kind: o.kind as 'person' } : {}),
          ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
          ...(o.query ? { query: o.query } : {}),
          limit: o.limit,
        });
        const human = res.entities.length
          ? `${table(
              ['ID', 'KIND', 'NAME', 'MENTIONS', 'CONVERSATIONS', 'CLIENT', 'LAST SEEN'],
              res.entities.map((e) => [
                e.id,
                e.kind,
                e.name,
                e.mentions,
                e.conversations,
                e.clientId === null ? '' : String(e.clientId),
                e.lastSeenAt.slice(0, 10),
              ]),
            )}\n${plural(res.total, 'entity', 'entities')}`
          : 'No entities.';
        ctx.print(opts, human, res);
      });
    });

  memory
    .command('analyze')
    .option('--conversation <id>', 'only this conversation', positiveInt)
    .option('--since <date>', 'conversations with messages since (default: all not yet analysed)')
    .option('--model', 'also use the active chat model (JSON schema); patterns only otherwise')
    .option('--max-tokens <n>', 'most model tokens to spend', positiveInt)
    .description('extract facts and entities from conversations now')
    .action(
      async (
        o: { conversation?: number; since?: string; model?: boolean; maxTokens?: number },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        await withClient(opts, signal, async (client) => {
          const r = await client.call('memory.analyze', {
            ...(o.conversation ? { conversationId: o.conversation } : {}),
            ...(o.since ? { since: o.since } : {}),
            useModel: Boolean(o.model),
            ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
          });
          const human = [
            `Analysed ${plural(r.messages, 'message')} in ${plural(r.conversations, 'conversation')} (${r.method}): ` +
              `${plural(r.facts, 'new fact')}, ${plural(r.entities, 'new entity', 'new entities')}, ${plural(r.proposals, 'client proposal')}` +
              (r.tokensIn || r.tokensOut ? `; ${r.tokensIn} → ${r.tokensOut} tokens` : '') +
              '.',
            ...(r.notice ? [`Note: ${r.notice}`] : []),
          ].join('\n');
          ctx.print(opts, human, r);
        });
      },
    );
}
