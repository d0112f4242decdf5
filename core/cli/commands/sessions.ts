import type { Command } from 'commander';
import type { SessionInfo } from '../../contract/methods/crm.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { withClient } from '../session.ts';
import { formatDuration } from './clients.ts';

const local = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

export function renderSessions(list: SessionInfo[]): string {
  return table(
    ['ID', 'START (UTC)', 'END', 'DURATION', 'CLIENT', 'PROJECT', 'NOTE'],
    list.map((s) => [
      s.id,
      local(s.startedAt),
      s.endedAt ? local(s.endedAt) : 'running',
      formatDuration(s.durationSeconds),
      s.clientName ?? '',
      s.projectName ?? '',
      (s.description ?? '').replace(/\s+/gu, ' ').slice(0, 40),
    ]),
  );
}

interface LinkOpts {
  client?: string;
  project?: number;
  conversation?: number;
  note?: string;
}

const links = (o: LinkOpts) => ({
  ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
  ...(o.project !== undefined ? { projectId: o.project } : {}),
  ...(o.conversation !== undefined ? { conversationId: o.conversation } : {}),
  ...(o.note !== undefined ? { note: o.note } : {}),
});

interface FilterOpts {
  from?: string;
  to?: string;
  client?: string;
  project?: number;
}

const filters = (o: FilterOpts) => ({
  ...(o.from !== undefined ? { from: o.from } : {}),
  ...(o.to !== undefined ? { to: o.to } : {}),
  ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
  ...(o.project !== undefined ? { projectId: o.project } : {}),
});

export function registerSessions(program: Command, ctx: CliContext): void {
  const { signal } = ctx;
  const sessions = program
    .command('sessions')
    .description('time tracking: start/stop a timer, manual entries, CSV export');
  const withLinks = (c: Command) =>
    c
      .option('--client <client>', 'client name or id')
      .option('--project <id>', 'project id (its client comes with it)', positiveInt)
      .option('--conversation <id>', 'conversation id', positiveInt)
      .option('--note <text>', 'what the time was for');
  const withFilters = (c: Command) =>
    c
      .option('--from <date>', 'sessions started on or after (ISO date or time)')
      .option('--to <date>', 'sessions started before (ISO date or time)')
      .option('--client <client>', 'one client (name or id)')
      .option('--project <id>', 'one project', positiveInt);

  withLinks(sessions.command('start'))
    .option('--at <time>', 'when it started (default now)')
    .description('start the timer (one at a time)')
    .action(async (o: LinkOpts & { at?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const s = await client.call('sessions.start', { ...links(o), ...(o.at ? { at: o.at } : {}) });
        ctx.print(
          opts,
          `Started session ${s.id}${s.clientName ? ` for ${s.clientName}` : ''} at ${local(s.startedAt)} UTC.`,
          s,
        );
      });
    });

  sessions
    .command('stop')
    .option('--at <time>', 'when it ended (default now)')
    .option('--note <text>', 'add a note')
    .description('stop the running timer')
    .action(async (o: { at?: string; note?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const s = await client.call('sessions.stop', {
          ...(o.at ? { at: o.at } : {}),
          ...(o.note ? { note: o.note } : {}),
        });
        ctx.print(opts, `Stopped session ${s.id}: ${formatDuration(s.durationSeconds)}.`, s);
      });
    });

  sessions
    .command('status')
    .description('the running session, if any')
    .action(async (_o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const s = await client.call('sessions.current', {});
        const human = s
          ? `Session ${s.id} running for ${formatDuration(s.durationSeconds)}${s.clientName ? ` (${s.clientName})` : ''}.`
          : 'No session is running.';
        ctx.print(opts, human, s);
      });
    });

  withLinks(sessions.command('add'))
    .requiredOption('--start <time>', 'start (ISO date-time, e.g. 2026-03-02T09:00)')
    .requiredOption('--end <time>', 'end')
    .option('--non-billable', 'not billable')
    .description('record a finished session by hand')
    .action(async (o: LinkOpts & { start: string; end: string; nonBillable?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const s = await client.call('sessions.add', {
          ...links(o),
          startedAt: o.start,
          endedAt: o.end,
          billable: !o.nonBillable,
        });
        ctx.print(opts, `Added session ${s.id}: ${formatDuration(s.durationSeconds)}.`, s);
      });
    });

  withFilters(sessions.command('list', { isDefault: true }))
    .option('--limit <n>', 'how many (default 100)', positiveInt, 100)
    .description('work sessions, newest first, with the total')
    .action(async (o: FilterOpts & { limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const res = await client.call('sessions.list', { ...filters(o), limit: o.limit });
        const human = res.sessions.length
          ? `${renderSessions(res.sessions)}\n${plural(res.total, 'session')}, ${formatDuration(res.totalSeconds)} in all`
          : 'No sessions.';
        ctx.print(opts, human, res);
      });
    });

  sessions
    .command('delete')
    .argument('<id>', 'session id', positiveInt)
    .description('delete a work session')
    .action(async (id: number, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const r = await client.call('sessions.delete', { id });
        ctx.print(opts, `Deleted session ${r.id}.`, r);
      });
    });

  withFilters(sessions.command('export'))
    .option('--csv <file>', 'write CSV to this file (default: standard output)')
    .description('work sessions as CSV, oldest first')
    .action(async (o: FilterOpts & { csv?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const r = await client.call('sessions.export', { ...filters(o), ...(o.csv ? { path: o.csv } : {}) });
        if (r.csv !== null && !opts.json) ctx.io.stdout(r.csv);
        else ctx.print(opts, `Wrote ${plural(r.rows, 'session')} to ${r.path}.`, r);
      });
    });
}
