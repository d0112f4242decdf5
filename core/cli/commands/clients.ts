import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { ClientInfo, ProjectInfo } from '../../contract/methods/crm.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { addCommands, command } from '../command.ts';

/** "3h 05m", "12m", "45s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m`;
}

export function renderClients(list: ClientInfo[], total: number): string {
  if (!list.length) return 'No clients.';
  return `${table(
    ['ID', 'NAME', 'KIND', 'STATUS', 'MENTIONS', 'FACTS', 'PROJECTS', 'TRACKED'],
    list.map((c) => [
      c.id,
      c.name,
      c.kind,
      c.status,
      c.mentions,
      c.facts,
      c.projects,
      formatDuration(c.trackedSeconds),
    ]),
  )}\n${plural(total, 'client')}`;
}

export function renderProjects(list: ProjectInfo[]): string {
  return table(
    ['ID', 'CLIENT', 'NAME', 'TYPE', 'STATUS', 'START', 'DUE', 'TRACKED'],
    list.map((p) => [
      p.id,
      p.clientName,
      p.name,
      p.type ?? '',
      p.status,
      p.startsOn ?? '',
      p.dueOn ?? '',
      formatDuration(p.trackedSeconds),
    ]),
  );
}

interface ClientOpts {
  company?: boolean;
  person?: boolean;
  email?: string;
  phone?: string;
  notes?: string;
  name?: string;
  archive?: boolean;
  activate?: boolean;
}

function clientFields(o: ClientOpts) {
  return {
    ...(o.company ? { kind: 'company' as const } : o.person ? { kind: 'person' as const } : {}),
    ...(o.email !== undefined ? { email: o.email } : {}),
    ...(o.phone !== undefined ? { phone: o.phone } : {}),
    ...(o.notes !== undefined ? { notes: o.notes } : {}),
  };
}

const clientRef = ['<client>', 'name or id'] as const;

const list = command({
  name: 'list',
  isDefault: true,
  options: [
    ['--status <status>', 'proposed, active, archived or all (default: active and proposed)'],
    ['-q, --query <words>', 'find by name, e-mail, phone or notes'],
    ['--limit <n>', 'how many (default 100)', positiveInt, 100],
  ],
  description: 'clients with mentions, facts, projects and tracked time',
  method: 'clients.list',
  params: (_a, o: { status?: string; query?: string; limit: number }) => ({
    ...(o.status ? { status: o.status as 'all' } : {}),
    ...(o.query ? { query: o.query } : {}),
    limit: o.limit,
  }),
  human: (res) => renderClients(res.clients, res.total),
});

const show = command({
  name: 'show',
  args: [clientRef],
  description: 'a client with its projects, names it is mentioned under, and facts',
  method: 'clients.get',
  params: ([ref]: [string]) => ({ client: collectionArg(ref) }),
  after: async (client, c) => ({
    ...c,
    facts: (await client.call('memory.facts', { client: c.id, limit: 50 })).facts,
  }),
  human: (c) => {
    const lines = [
      `#${c.id} ${c.name} (${c.kind}, ${c.status})`,
      ...[
        c.email && `e-mail: ${c.email}`,
        c.phone && `phone: ${c.phone}`,
        c.notes && `notes: ${c.notes}`,
      ].filter((l): l is string => Boolean(l)),
      `tracked: ${formatDuration(c.trackedSeconds)} · ${plural(c.conversations, 'conversation')} · ${plural(c.mentions, 'mention')}`,
    ];
    if (c.entities.length)
      lines.push('', `Known as: ${c.entities.map((e) => `${e.name} (${e.kind})`).join(', ')}`);
    if (c.projectList.length) lines.push('', 'Projects:', renderProjects(c.projectList));
    if (c.facts.length) lines.push('', 'Facts:', ...c.facts.map((f) => `  [${f.id}] ${f.fact}`));
    return lines.join('\n');
  },
});

const add = command({
  name: 'add',
  args: [['<name>', 'the client’s name']],
  options: [
    ['--company', 'a company (default: a person)'],
    ['--email <address>', 'e-mail address'],
    ['--phone <number>', 'phone number'],
    ['--notes <text>', 'notes'],
  ],
  description: 'add a client',
  method: 'clients.create',
  params: ([name]: [string], o: ClientOpts) => ({ name, ...clientFields(o) }),
  human: (c) => `Added client "${c.name}" (id ${c.id}).`,
});

const edit = command({
  name: 'edit',
  args: [clientRef],
  options: [
    ['--name <name>', 'new name'],
    ['--company', 'make it a company'],
    ['--person', 'make it a person'],
    ['--email <address>', 'e-mail address ("" clears it)'],
    ['--phone <number>', 'phone number ("" clears it)'],
    ['--notes <text>', 'notes ("" clears them)'],
    ['--archive', 'archive the client'],
    ['--activate', 'make the client active again'],
  ],
  description: 'change a client',
  method: 'clients.update',
  params: ([ref]: [string], o: ClientOpts) => ({
    client: collectionArg(ref),
    ...clientFields(o),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.archive ? { status: 'archived' as const } : o.activate ? { status: 'active' as const } : {}),
  }),
  human: (c) => `Updated client "${c.name}" (${c.status}).`,
});

const confirm = command({
  name: 'confirm',
  args: [['<client>', 'name or id of a proposed client']],
  description: 'confirm a proposed client: it becomes active and its facts are linked to it',
  method: 'clients.confirm',
  params: ([ref]: [string]) => ({ client: collectionArg(ref) }),
  human: (c) => `Confirmed "${c.name}" (id ${c.id}); ${plural(c.linkedFacts, 'fact')} linked.`,
});

const reject = command({
  name: 'reject',
  args: [['<client>', 'name or id of a proposed client']],
  description: 'reject a proposed client (it will not be proposed again)',
  method: 'clients.reject',
  params: ([ref]: [string]) => ({ client: collectionArg(ref) }),
  human: (r) => `Rejected "${r.name}".`,
});

const propose = command({
  name: 'propose',
  description: 'propose clients from people and companies mentioned in two or more messages',
  method: 'clients.propose',
  params: () => ({}),
  human: (r) =>
    `${plural(r.proposed, 'new proposal')}; ${plural(r.linked, 'entity', 'entities')} linked to existing clients.`,
});

const remove = command({
  name: 'delete',
  args: [clientRef],
  options: [['-y, --yes', 'do not ask for confirmation']],
  description: 'delete a client and its projects (facts, conversations and sessions stay, unlinked)',
  method: 'clients.delete',
  prepare: (client, [ref]: [string]) => client.call('clients.get', { client: collectionArg(ref) }),
  confirm: (_a, _o, c) => ({
    question: `Delete client "${c.name}" and its ${plural(c.projects, 'project')}?`,
    refusal: `deleting "${c.name}" needs confirmation: add --yes`,
    declined: 'Nothing deleted.\n',
  }),
  params: (_a, _o, c) => ({ client: c.id }),
  human: (r) => `Deleted client "${r.name}" (${plural(r.projects, 'project')}).`,
});

export function registerClients(program: Command, ctx: CliContext): void {
  const clients = program
    .command('clients')
    .description('clients: list, add, edit, confirm or reject proposals, delete');
  addCommands(clients, ctx, [list, show, add, edit, confirm, reject, propose, remove]);
}

const link = command({
  name: 'link',
  args: [['<id>', 'conversation id', positiveInt]],
  options: [
    ['--client <client>', 'client name or id'],
    ['--project <id>', 'project id (its client comes with it)', positiveInt],
    ['--unlink', 'remove the client and project link'],
  ],
  description: "link a conversation to a client (the client's facts then reach the answers)",
  method: 'conversations.link',
  params: ([id]: [number], o: { client?: string; project?: number; unlink?: boolean }) => {
    if (!o.unlink && o.client === undefined && o.project === undefined) {
      throw new ApiCallError({ code: 'invalid_params', message: 'give --client, --project or --unlink' });
    }
    return {
      conversationId: id,
      ...(o.unlink ? { client: null } : {}),
      ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
      ...(o.project !== undefined ? { projectId: o.project } : {}),
    };
  },
  human: (c) => {
    const what =
      c.clientId === null
        ? 'no client'
        : `client ${c.clientId}${c.projectId ? `, project ${c.projectId}` : ''}`;
    return `Conversation ${c.id} is linked to ${what}.`;
  },
});

/** `pustaka conversations link ID --client X [--project N] | --unlink` (beside the conversations commands). */
export function registerConversationLink(program: Command, ctx: CliContext): void {
  const conv = program.commands.find((c) => c.name() === 'conversations');
  if (conv) addCommands(conv, ctx, [link]);
}
