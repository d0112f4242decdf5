import fs from 'node:fs';
import type { Command } from 'commander';
import type { GoldenDetail, GoldenSummary } from '../../contract/methods/golden.ts';
import { commaList, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { addCommands, command, required } from '../command.ts';

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

const list = command({
  name: 'list',
  isDefault: true,
  options: [
    [`--status <status>`, `${STATUSES.join('|')} (review = drafts and stale ones)`, 'all'],
    ['-q, --query <words>', 'words in the question or answer'],
    ['-n, --limit <n>', 'how many', positiveInt, 50],
  ],
  description: 'list golden answers',
  method: 'golden.list',
  params: (_a, o: { status: string; query?: string; limit: number }) => ({
    status: o.status as (typeof STATUSES)[number],
    limit: o.limit,
    offset: 0,
    ...(o.query ? { query: o.query } : {}),
  }),
  human: renderList,
});

const idArg = ['<id>', 'golden answer id', positiveInt] as const;

const show = command({
  name: 'show',
  args: [idArg],
  description: 'show a golden answer with its variations and sources',
  method: 'golden.get',
  params: ([id]: [number]) => ({ id }),
  human: renderDetail,
});

const approve = command({
  name: 'approve',
  args: [['<ids...>', 'golden answer ids']],
  description: 'approve golden answers: they are served from now on',
  method: 'golden.approve',
  params: ([ids]: [string[]]) => ({ ids: ids.map(positiveInt) }),
  human: (r, [ids]) => {
    const missing = ids.map(Number).filter((id) => !r.approved.includes(id));
    return `Approved ${r.approved.join(', ')}.${missing.length ? ` Not found: ${missing.join(', ')}.` : ''}`;
  },
});

const reject = command({
  name: 'reject',
  args: [idArg],
  options: [['--reason <text>', 'why (kept with the answer)']],
  description: 'reject a golden answer: never served, not proposed again',
  method: 'golden.reject',
  params: ([id]: [number], o: { reason?: string }) => ({ id, ...(o.reason ? { reason: o.reason } : {}) }),
  human: (g) => `Rejected golden answer ${g.id}.`,
});

const repeatable = (v: string, p: string[] = []) => [...p, v];

interface EditOptions {
  answer?: string;
  answerFile?: string;
  question?: string;
  addVariation?: string[];
  variations?: string[];
  approve?: boolean;
  note?: string;
}

const edit = command({
  name: 'edit',
  args: [idArg],
  options: [
    ['--answer <text>', 'the new answer'],
    ['--answer-file <file>', 'read the new answer from a file (- = stdin)'],
    ['--question <text>', 'the new canonical question (the old one stays as a variation)'],
    ['--add-variation <text>', 'another wording served by this answer (repeatable)', repeatable],
    ['--variations <list>', 'replace the variations (comma-separated)', commaList],
    ['--approve', 'approve it too'],
    ['--note <text>', 'what changed (kept in the history)'],
  ],
  description: 'edit a golden answer; the previous version is kept',
  method: 'golden.edit',
  params: ([id]: [number], o: EditOptions) => {
    const answer = readText(o.answer, o.answerFile);
    return {
      id,
      approve: o.approve === true,
      ...(answer !== undefined ? { answer } : {}),
      ...(o.question ? { canonicalQuestion: o.question } : {}),
      ...(o.addVariation ? { addVariations: o.addVariation } : {}),
      ...(o.variations ? { variations: o.variations } : {}),
      ...(o.note ? { note: o.note } : {}),
    };
  },
  human: (g) => `Saved golden answer ${g.id} (${g.reviewStatus}).`,
});

const pin = command({
  name: 'pin',
  args: [idArg],
  options: [['--off', 'unpin']],
  description: 'pin a golden answer so the nightly worker never replaces it',
  method: 'golden.pin',
  params: ([id]: [number], o: { off?: boolean }) => ({ id, pinned: !o.off }),
  human: (g) => `${g.pinned ? 'Pinned' : 'Unpinned'} golden answer ${g.id}.`,
});

interface AddOptions {
  question: string;
  answer?: string;
  answerFile?: string;
  variation?: string[];
  collection?: string[];
}

const add = command({
  name: 'add',
  options: [
    required('--question <text>', 'the question'),
    ['--answer <text>', 'the answer'],
    ['--answer-file <file>', 'read the answer from a file (- = stdin)'],
    ['--variation <text>', 'another wording (repeatable)', repeatable],
    ['-c, --collection <names>', 'serve it only when asking these collections', commaList],
  ],
  description: 'write a golden answer by hand (approved and pinned)',
  method: 'golden.create',
  params: (_a, o: AddOptions) => {
    const answer = readText(o.answer, o.answerFile);
    if (!answer) throw new Error('give the answer with --answer or --answer-file');
    return {
      question: o.question,
      answer,
      variations: o.variation ?? [],
      ...(o.collection ? { collections: o.collection } : {}),
    };
  },
  human: (g) => `Added golden answer ${g.id} (approved, pinned).`,
});

const history = command({
  name: 'history',
  args: [idArg],
  description: 'earlier versions of a golden answer',
  method: 'golden.history',
  params: ([id]: [number]) => ({ id }),
  human: (revs) =>
    revs.length
      ? revs
          .map(
            (r) =>
              `${r.createdAt} by ${r.editedBy}${r.note ? ` (${r.note})` : ''}\n  Q: ${r.canonicalQuestion}\n  ${r.answer.replace(/\n/g, '\n  ')}`,
          )
          .join('\n\n')
      : 'No earlier versions.',
});

const remove = command({
  name: 'delete',
  args: [idArg],
  description: 'delete a golden answer and its history',
  method: 'golden.delete',
  params: ([id]: [number]) => ({ id }),
  human: (r) => `Deleted golden answer ${r.id}.`,
});

export function registerGolden(program: Command, ctx: CliContext): void {
  const golden = program
    .command('golden')
    .description('review golden answers: pre-made answers served instantly for recurring questions');
  addCommands(golden, ctx, [list, show, approve, reject, edit, pin, add, history, remove]);
}

const notesList = command({
  name: 'list',
  isDefault: true,
  options: [['--status <status>', 'draft|approved|rejected|all', 'all']],
  description: 'list context notes',
  method: 'notes.list',
  params: (_a, o: { status: string }) => ({
    status: o.status as 'draft' | 'approved' | 'rejected' | 'all',
    limit: 100,
  }),
  human: (list) =>
    list.length
      ? table(
          ['id', 'status', 'by', 'topic', 'note'],
          list.map((n) => [n.id, n.reviewStatus, n.generatedBy, n.topic, n.content.slice(0, 60)]),
        )
      : 'No context notes yet: `pustaka worker run` drafts them from your documents, or write one with `pustaka notes add`.',
});

const notesReview = (decision: 'approve' | 'reject') =>
  command({
    name: decision,
    args: [['<id>', 'note id', positiveInt]],
    description: `${decision} a context note`,
    method: 'notes.review',
    params: ([id]: [number]) => ({ id, decision }),
    human: (n) => `Note ${n.id} is ${n.reviewStatus}.`,
  });

const notesAdd = command({
  name: 'add',
  options: [
    required('--topic <text>', 'what it is about'),
    required('--content <text>', 'the note'),
    ['--when <text>', 'when to use it'],
    ['--tone <text>', 'formal, respectful, friendly or neutral'],
  ],
  description: 'write a context note by hand (approved at once)',
  method: 'notes.edit',
  params: (_a, o: { topic: string; content: string; when?: string; tone?: string }) => ({
    topic: o.topic,
    content: o.content,
    approve: true,
    ...(o.when ? { whenToUse: o.when } : {}),
    ...(o.tone ? { tone: o.tone } : {}),
  }),
  human: (n) => `Added note ${n.id}.`,
});

export function registerNotes(program: Command, ctx: CliContext): void {
  const notes = program
    .command('notes')
    .description('review cultural/context notes: approved ones are added to prompts when they match');
  addCommands(notes, ctx, [notesList, notesReview('approve'), notesReview('reject'), notesAdd]);
}
