import type { Command } from 'commander';
import type { FactInfo } from '../../contract/methods/memory.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { addCommands, command } from '../command.ts';

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

const limit = ['--limit <n>', 'how many (default 100)', positiveInt, 100] as const;

interface FactsOptions {
  client?: string;
  subject?: string;
  status?: string;
  query?: string;
  conversation?: number;
  limit: number;
}

const facts = command({
  name: 'facts',
  isDefault: true,
  options: [
    ['--client <client>', 'facts linked to this client (name or id)'],
    ['--subject <name>', 'facts about this subject'],
    ['--status <status>', 'active (default), superseded, rejected or all'],
    ['-q, --query <words>', 'full-text search'],
    ['--conversation <id>', 'learned in this conversation', positiveInt],
    limit,
  ],
  description: 'facts, most recently seen first',
  method: 'memory.facts',
  params: (_a, o: FactsOptions) => ({
    ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
    ...(o.subject ? { subject: o.subject } : {}),
    ...(o.status ? { status: o.status as 'all' } : {}),
    ...(o.query ? { query: o.query } : {}),
    ...(o.conversation ? { conversationId: o.conversation } : {}),
    limit: o.limit,
  }),
  human: (res) =>
    res.facts.length ? `${renderFacts(res.facts)}\n${plural(res.total, 'fact')}` : 'No facts.',
});

const factId = ['<id>', 'fact id', positiveInt] as const;

const edit = command({
  name: 'edit',
  args: [factId],
  options: [
    ['--subject <text>', 'who or what it is about'],
    ['--attribute <text>', 'the attribute (location, budget, …)'],
    ['--value <text>', 'the value'],
    ['--restore', 'make a rejected or superseded fact active again'],
  ],
  description: 'correct a fact (it becomes yours: confidence 1)',
  method: 'memory.updateFact',
  params: (
    [id]: [number],
    o: { subject?: string; attribute?: string; value?: string; restore?: boolean },
  ) => ({
    id,
    ...(o.subject !== undefined ? { subject: o.subject } : {}),
    ...(o.attribute !== undefined ? { attribute: o.attribute } : {}),
    ...(o.value !== undefined ? { value: o.value } : {}),
    ...(o.restore ? { status: 'active' as const } : {}),
  }),
  human: (f) => `Fact ${f.id}: ${f.fact}`,
});

const reject = command({
  name: 'reject',
  args: [factId],
  description: 'mark a fact wrong (kept out of answers, not learned again)',
  method: 'memory.rejectFact',
  params: ([id]: [number]) => ({ id }),
  human: (f) => `Rejected fact ${f.id}: ${f.fact}`,
});

const remove = command({
  name: 'delete',
  args: [factId],
  description: 'delete a fact',
  method: 'memory.deleteFact',
  params: ([id]: [number]) => ({ id }),
  human: (r) => `Deleted fact ${r.id}: ${r.fact}`,
});

const conflicts = command({
  name: 'conflicts',
  options: [['--client <client>', 'one client (name or id)'], limit],
  description: 'facts replaced by a newer value (resolved by recency)',
  method: 'memory.conflicts',
  params: (_a, o: { client?: string; limit: number }) => ({
    ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
    limit: o.limit,
  }),
  human: (res) =>
    res.conflicts.length
      ? res.conflicts
          .map(
            (c) =>
              `${c.current.subject} — ${c.current.attribute}: "${c.old.value}" (${c.old.lastSeenAt.slice(0, 10)}, fact ${c.old.id})` +
              ` → "${c.current.value}" (${c.current.lastSeenAt.slice(0, 10)}, fact ${c.current.id})`,
          )
          .join('\n')
      : 'No conflicts.',
});

const entities = command({
  name: 'entities',
  options: [
    ['--kind <kind>', 'person, company, place, permit, visa, licence, date, amount'],
    ['--client <client>', 'linked to this client'],
    ['-q, --query <text>', 'name contains'],
    limit,
  ],
  description: 'people, companies, places, codes, dates and amounts mentioned, most mentioned first',
  method: 'memory.entities',
  params: (_a, o: { kind?: string; client?: string; query?: string; limit: number }) => ({
    ...(o.kind ? { kind: o.kind as 'person' } : {}),
    ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
    ...(o.query ? { query: o.query } : {}),
    limit: o.limit,
  }),
  human: (res) =>
    res.entities.length
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
      : 'No entities.',
});

const analyze = command({
  name: 'analyze',
  options: [
    ['--conversation <id>', 'only this conversation', positiveInt],
    ['--since <date>', 'conversations with messages since (default: all not yet analysed)'],
    ['--model', 'also use the active chat model (JSON schema); patterns only otherwise'],
    ['--max-tokens <n>', 'most model tokens to spend', positiveInt],
  ],
  description: 'extract facts and entities from conversations now',
  method: 'memory.analyze',
  params: (_a, o: { conversation?: number; since?: string; model?: boolean; maxTokens?: number }) => ({
    ...(o.conversation ? { conversationId: o.conversation } : {}),
    ...(o.since ? { since: o.since } : {}),
    useModel: Boolean(o.model),
    ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
  }),
  human: (r) =>
    [
      `Analysed ${plural(r.messages, 'message')} in ${plural(r.conversations, 'conversation')} (${r.method}): ` +
        `${plural(r.facts, 'new fact')}, ${plural(r.entities, 'new entity', 'new entities')}, ${plural(r.proposals, 'client proposal')}` +
        (r.tokensIn || r.tokensOut ? `; ${r.tokensIn} → ${r.tokensOut} tokens` : '') +
        '.',
      ...(r.notice ? [`Note: ${r.notice}`] : []),
    ].join('\n'),
});

export function registerMemory(program: Command, ctx: CliContext): void {
  const memory = program
    .command('memory')
    .description('what the assistant learned from conversations: facts, entities, conflicts');
  addCommands(memory, ctx, [facts, edit, reject, remove, conflicts, entities, analyze]);
}
