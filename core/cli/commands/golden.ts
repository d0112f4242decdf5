import fs from 'node:fs';
import type { Command } from 'commander';
import type { GoldenDetail, GoldenSummary } from '../../contract/methods/golden.ts';
import { commaList, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { withClient } from '../session.ts';

const STATUSES = ['draft', 'approved', 'rejected', 'stale', 'review', 'all'] as const;

function renderList(r: { items: GoldenSummary[]; total: number; counts: Record<string, number> }): string {
  const head = `${plural(r.total, 'golden answer')} — ${Object.entries(r.counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}`;
  if (r.items.length === 0) {
    return `${head}\nNothing here yet: golden answers are drafted by \`pustaka worker run\` from questions asked more than once, or written with \`pustaka golden add\`.`;
  }
  return `${head}\n${table(
    ['id', 'status', 'asked', 'used', 'by', 'question'],
    r.items.map((g) => [
      g.id,
      `${g.reviewStatus}${g.pinned ? ' (pinned)' : ''}`,
      g.clusterQueryCount ?? '',
      g.usageCount,
      g.generatedBy,
      g.canonicalQuestion.length > 70 ? `${g.canonicalQuestion.slice(0, 69)}…` : g.canonicalQuestion,
    ]),
  )}`;
}

function renderDetail(g: GoldenDetail): string {
  const lines = [
    `Golden answer ${g.id} — ${g.reviewStatus}${g.pinned ? ', pinned' : ''} (${g.generatedBy}${
      g.confidence !== null ? `, confidence ${g.confidence}` : ''
    })`,
    `Q: ${g.canonicalQuestion}`,
    ...g.variations.map((v) => `   also: ${v}`),
    '',
    g.answer,
    '',
  ];
  if (g.staleReason) lines.push(`Stale: ${g.staleReason}`);
  if (g.sources.length) {
    lines.push('Sources:');
    for (const s of g.sources) {
      lines.push(`  [${s.n}] ${s.title ?? s.sourcePath}${s.page !== null ? ` p. ${s.page}` : ''}`);
    }
  }
  lines.push(
    `Used ${plural(g.usageCount, 'time')}${g.lastUsedAt ? `, last ${g.lastUsedAt}` : ''}; ${plural(g.revisions, 'earlier version')}.`,
  );
  return lines.join('\n');
}

function readText(value: string | undefined, file: string | undefined): string | undefined {
  if (file !== undefined) return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  return value;
}

export function registerGolden(program: Command, ctx: CliContext): void {
  const { signal } = ctx;
  const golden = program
    .command('golden')
    .description('review golden answers: pre-made answers served instantly for recurring questions');

  golden
    .command('list', { isDefault: true })
    .option(`--status <status>`, `${STATUSES.join('|')} (review = drafts and stale ones)`, 'all')
    .option('-q, --query <words>', 'words in the question or answer')
    .option('-n, --limit <n>', 'how many', positiveInt, 50)
    .description('list golden answers')
    .action(async (o: { status: string; query?: string; limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const r = await client.call('golden.list', {
          status: o.status as (typeof STATUSES)[number],
          limit: o.limit,
          offset: 0,
          ...(o.query ? { query: o.query } : {}),
        });
        ctx.print(opts, renderList(r), r);
      });
    });

  golden
    .command('show')
    .argument('<id>', 'golden answer id', positiveInt)
    .description('show a golden answer with its variations and sources')
    .action(async (id: number, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const g = await client.call('golden.get', { id });
        ctx.print(opts, renderDetail(g), g);
      });
    });

  golden
    .command('approve')
    .argument('<ids...>', 'golden answer ids')
    .description('approve golden answers: they are served from now on')
    .action(async (ids: string[], _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const r = await client.call('golden.approve', { ids: ids.map(positiveInt) });
        const missing = ids.map(Number).filter((id) => !r.approved.includes(id));
        ctx.print(
          opts,
          `Approved ${r.approved.join(', ')}.${missing.length ? ` Not found: ${missing.join(', ')}.` : ''}`,
          r,
        );
      });
    });

  golden
    .command('reject')
    .argument('<id>', 'golden answer id', positiveInt)
    .option('--reason <text>', 'why (kept with the answer)')
    .description('reject a golden answer: never served, not proposed again')
    .action(async (id: number, o: { reason?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const g = await client.call('golden.reject', { id, ...(o.reason ? { reason: o.reason } : {}) });
        ctx.print(opts, `Rejected golden answer ${g.id}.`, g);
      });
    });

  golden
    .command('edit')
    .argument('<id>', 'golden answer id', positiveInt)
    .option('--answer <text>', 'the new answer')
    .option('--answer-file <file>', 'read the new answer from a file (- = stdin)')
    .option('--question <text>', 'the new canonical question (the old one stays as a variation)')
    .option(
      '--add-variation <text>',
      'another wording served by this answer (repeatable)',
      (v, p: string[] = []) => [...p, v],
    )
    .option('--variations <list>', 'replace the variations (comma-separated)', commaList)
    .option('--approve', 'approve it too')
    .option('--note <text>', 'what changed (kept in the history)')
    .description('edit a golden answer; the previous version is kept')
    .action(
      async (
        id: number,
        o: {
          answer?: string;
          answerFile?: string;
          question?: string;
          addVariation?: string[];
          variations?: string[];
          approve?: boolean;
          note?: string;
        },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        const answer = readText(o.answer, o.answerFile);
        await withClient(opts, signal, async (client) => {
          const g = await client.call('golden.edit', {
            id,
            approve: o.approve === true,
            ...(answer !== undefined ? { answer } : {}),
            ...(o.question ? { canonicalQuestion: o.question } : {}),
            ...(o.addVariation ? { addVariations: o.addVariation } : {}),
            ...(o.variations ? { variations: o.variations } : {}),
            ...(o.note ? { note: o.note } : {}),
          });
          ctx.print(opts, `Saved golden answer ${g.id} (${g.reviewStatus}).`, g);
        });
      },
    );

  golden
    .command('pin')
    .argument('<id>', 'golden answer id', positiveInt)
    .option('--off', 'unpin')
    .description('pin a golden answer so the nightly worker never replaces it')
    .action(async (id: number, o: { off?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const g = await client.call('golden.pin', { id, pinned: !o.off });
        ctx.print(opts, `${g.pinned ? 'Pinned' : 'Unpinned'} golden answer ${g.id}.`, g);
      });
    });

  golden
    .command('add')
    .requiredOption('--question <text>', 'the question')
    .option('--answer <text>', 'the answer')
    .option('--answer-file <file>', 'read the answer from a file (- = stdin)')
    .option('--variation <text>', 'another wording (repeatable)', (v, p: string[] = []) => [...p, v])
    .option('-c, --collection <names>', 'serve it only when asking these collections', commaList)
    .description('write a golden answer by hand (approved and pinned)')
    .action(
      async (
        o: {
          question: string;
          answer?: string;
          answerFile?: string;
          variation?: string[];
          collection?: string[];
        },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        const answer = readText(o.answer, o.answerFile);
        if (!answer) throw new Error('give the answer with --answer or --answer-file');
        await withClient(opts, signal, async (client) => {
          const g = await client.call('golden.create', {
            question: o.question,
            answer,
            variations: o.variation ?? [],
            ...(o.collection ? { collections: o.collection } : {}),
          });
          ctx.print(opts, `Added golden answer ${g.id} (approved, pinned).`, g);
        });
      },
    );

  golden
    .command('history')
    .argument('<id>', 'golden answer id', positiveInt)
    .description('earlier versions of a golden answer')
    .action(async (id: number, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const revs = await client.call('golden.history', { id });
        const human = revs.length
          ? revs
              .map(
                (r) =>
                  `${r.createdAt} by ${r.editedBy}${r.note ? ` (${r.note})` : ''}\n  Q: ${r.canonicalQuestion}\n  ${r.answer.replace(/\n/g, '\n  ')}`,
              )
              .join('\n\n')
          : 'No earlier versions.';
        ctx.print(opts, human, revs);
      });
    });

  golden
    .command('delete')
    .argument('<id>', 'golden answer id', positiveInt)
    .description('delete a golden answer and its history')
    .action(async (id: number, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const r = await client.call('golden.delete', { id });
        ctx.print(opts, `Deleted golden answer ${r.id}.`, r);
      });
    });
}

export function registerNotes(program: Command, ctx: CliContext): void {
  const { signal } = ctx;
  const notes = program
    .command('notes')
    .description('review cultural/context notes: approved ones are added to prompts when they match');
  notes
    .command('list', { isDefault: true })
    .option('--status <status>', 'draft|approved|rejected|all', 'all')
    .description('list context notes')
    .action(async (o: { status: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const list = await client.call('notes.list', {
          status: o.status as 'draft' | 'approved' | 'rejected' | 'all',
          limit: 100,
        });
        const human = list.length
          ? table(
              ['id', 'status', 'by', 'topic', 'note'],
              list.map((n) => [n.id, n.reviewStatus, n.generatedBy, n.topic, n.content.slice(0, 60)]),
            )
          : 'No context notes yet: `pustaka worker run` drafts them from your documents, or write one with `pustaka notes add`.';
        ctx.print(opts, human, list);
      });
    });
  for (const decision of ['approve', 'reject'] as const) {
    notes
      .command(decision)
      .argument('<id>', 'note id', positiveInt)
      .description(`${decision} a context note`)
      .action(async (id: number, _o, cmd: Command) => {
        const opts = ctx.globals(cmd);
        await withClient(opts, signal, async (client) => {
          const n = await client.call('notes.review', { id, decision });
          ctx.print(opts, `Note ${n.id} is ${n.reviewStatus}.`, n);
        });
      });
  }
  notes
    .command('add')
    .requiredOption('--topic <text>', 'what it is about')
    .requiredOption('--content <text>', 'the note')
    .option('--when <text>', 'when to use it')
    .option('--tone <text>', 'formal, respectful, friendly or neutral')
    .description('write a context note by hand (approved at once)')
    .action(async (o: { topic: string; content: string; when?: string; tone?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const n = await client.call('notes.edit', {
          topic: o.topic,
          content: o.content,
          approve: true,
          ...(o.when ? { whenToUse: o.when } : {}),
          ...(o.tone ? { tone: o.tone } : {}),
        });
        ctx.print(opts, `Added note ${n.id}.`, n);
      });
    });
}
