import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { ClientInfo, ProjectInfo } from '../../contract/methods/crm.ts';
import { askTTY } from '../ask.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { withClient } from '../session.ts';

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

export function registerClients(program: Command, ctx: CliContext): void {
  const { io, signal } = ctx;
  const clients = program
    .command('clients')
    .description('clients: list, add, edit, confirm or reject proposals, delete');

  clients
    .command('list', { isDefault: true })
    .option('--status <status>', 'proposed, active, archived or all (default: active and proposed)')
    .option('-q, --query <words>', 'find by name, e-mail, phone or notes')
    .option('--limit <n>', 'how many (default 100)', positiveInt, 100)
    .description('clients with mentions, facts, projects and tracked time')
    .action(async (o: { status?: string; query?: string; limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const res = await client.call('clients.list', {
          ...(o.status ? { status: o.status as 'all' } : {}),
          ...(o.query ? { query: o.query } : {}),
          limit: o.limit,
        });
        ctx.print(opts, renderClients(res.clients, res.total), res);
      });
    });

  clients
    .command('show')
    .argument('<client>', 'name or id')
    .description('a client with its projects, names it is mentioned under, and facts')
    .action(async (ref: string, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('clients.get', { client: collectionArg(ref) });
        const facts = await client.call('memory.facts', { client: c.id, limit: 50 });
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
        if (facts.facts.length) lines.push('', 'Facts:', ...facts.facts.map((f) => `  [${f.id}] ${f.fact}`));
        ctx.print(opts, lines.join('\n'), { ...c, facts: facts.facts });
      });
    });

  clients
    .command('add')
    .argument('<name>', 'the client’s name')
    .option('--company', 'a company (default: a person)')
    .option('--email <address>', 'e-mail address')
    .option('--phone <number>', 'phone number')
    .option('--notes <text>', 'notes')
    .description('add a client')
    .action(async (name: string, o: ClientOpts, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('clients.create', { name, ...clientFields(o) });
        ctx.print(opts, `Added client "${c.name}" (id ${c.id}).`, c);
      });
    });

  clients
    .command('edit')
    .argument('<client>', 'name or id')
    .option('--name <name>', 'new name')
    .option('--company', 'make it a company')
    .option('--person', 'make it a person')
    .option('--email <address>', 'e-mail address ("" clears it)')
    .option('--phone <number>', 'phone number ("" clears it)')
    .option('--notes <text>', 'notes ("" clears them)')
    .option('--archive', 'archive the client')
    .option('--activate', 'make the client active again')
    .description('change a client')
    .action(async (ref: string, o: ClientOpts, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('clients.update', {
          client: collectionArg(ref),
          ...clientFields(o),
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.archive ? { status: 'archived' as const } : o.activate ? { status: 'active' as const } : {}),
        });
        ctx.print(opts, `Updated client "${c.name}" (${c.status}).`, c);
      });
    });

  clients
    .command('confirm')
    .argument('<client>', 'name or id of a proposed client')
    .description('confirm a proposed client: it becomes active and its facts are linked to it')
    .action(async (ref: string, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('clients.confirm', { client: collectionArg(ref) });
        ctx.print(opts, `Confirmed "${c.name}" (id ${c.id}); ${plural(c.linkedFacts, 'fact')} linked.`, c);
      });
    });

  clients
    .command('reject')
    .argument('<client>', 'name or id of a proposed client')
    .description('reject a proposed client (it will not be proposed again)')
    .action(async (ref: string, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const r = await client.call('clients.reject', { client: collectionArg(ref) });
        ctx.print(opts, `Rejected "${r.name}".`, r);
      });
    });

  clients
    .command('propose')
    .description('propose clients from people and companies mentioned in two or more messages')
    .action(async (_o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const r = await client.call('clients.propose', {});
        ctx.print(
          opts,
          `${plural(r.proposed, 'new proposal')}; ${plural(r.linked, 'entity', 'entities')} linked to existing clients.`,
          r,
        );
      });
    });

  clients
    .command('delete')
    .argument('<client>', 'name or id')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete a client and its projects (facts, conversations and sessions stay, unlinked)')
    .action(async (ref: string, o: { yes?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('clients.get', { client: collectionArg(ref) });
        if (!o.yes) {
          if (!io.isTTY || opts.json) {
            throw new ApiCallError({
              code: 'invalid_params',
              message: `deleting "${c.name}" needs confirmation: add --yes`,
            });
          }
          if (
            !(await (io.confirm ?? askTTY)(
              `Delete client "${c.name}" and its ${plural(c.projects, 'project')}?`,
            ))
          ) {
            io.stderr('Nothing deleted.\n');
            return;
          }
        }
        const r = await client.call('clients.delete', { client: c.id });
        ctx.print(opts, `Deleted client "${r.name}" (${plural(r.projects, 'project')}).`, r);
      });
    });
}

/** `pustaka conversations link ID --client X [--project N] | --unlink` (beside the conversations commands). */
export function registerConversationLink(program: Command, ctx: CliContext): void {
  const conv = program.commands.find((c) => c.name() === 'conversations');
  if (!conv) return;
  conv
    .command('link')
    .argument('<id>', 'conversation id', positiveInt)
    .option('--client <client>', 'client name or id')
    .option('--project <id>', 'project id (its client comes with it)', positiveInt)
    .option('--unlink', 'remove the client and project link')
    .description("link a conversation to a client (the client's facts then reach the answers)")
    .action(async (id: number, o: { client?: string; project?: number; unlink?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      if (!o.unlink && o.client === undefined && o.project === undefined) {
        throw new ApiCallError({ code: 'invalid_params', message: 'give --client, --project or --unlink' });
      }
      await withClient(opts, ctx.signal, async (client) => {
        const c = await client.call('conversations.link', {
          conversationId: id,
          ...(o.unlink ? { client: null } : {}),
          ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
          ...(o.project !== undefined ? { projectId: o.project } : {}),
        });
        const what =
          c.clientId === null
            ? 'no client'
            : `client ${c.clientId}${c.projectId ? `, project ${c.projectId}` : ''}`;
        ctx.print(opts, `Conversation ${c.id} is linked to ${what}.`, c);
      });
    });
}
