import type { Command } from 'commander';
import type { SessionInfo } from '../../contract/methods/crm.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { addCommands, command, required, type OptionSpec } from '../command.ts';
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

const linkOptions: OptionSpec[] = [
  ['--client <client>', 'client name or id'],
  ['--project <id>', 'project id (its client comes with it)', positiveInt],
  ['--conversation <id>', 'conversation id', positiveInt],
  ['--note <text>', 'what the time was for'],
];

const filterOptions: OptionSpec[] = [
  ['--from <date>', 'sessions started on or after (ISO date or time)'],
  ['--to <date>', 'sessions started before (ISO date or time)'],
  ['--client <client>', 'one client (name or id)'],
  ['--project <id>', 'one project', positiveInt],
];

const start = command({
  name: 'start',
  options: [...linkOptions, ['--at <time>', 'when it started (default now)']],
  description: 'start the timer (one at a time)',
  method: 'sessions.start',
  params: (_a, o: LinkOpts & { at?: string }) => ({ ...links(o), ...(o.at ? { at: o.at } : {}) }),
  human: (s) =>
    `Started session ${s.id}${s.clientName ? ` for ${s.clientName}` : ''} at ${local(s.startedAt)} UTC.`,
});

const stop = command({
  name: 'stop',
  options: [
    ['--at <time>', 'when it ended (default now)'],
    ['--note <text>', 'add a note'],
  ],
  description: 'stop the running timer',
  method: 'sessions.stop',
  params: (_a, o: { at?: string; note?: string }) => ({
    ...(o.at ? { at: o.at } : {}),
    ...(o.note ? { note: o.note } : {}),
  }),
  human: (s) => `Stopped session ${s.id}: ${formatDuration(s.durationSeconds)}.`,
});

const status = command({
  name: 'status',
  description: 'the running session, if any',
  method: 'sessions.current',
  params: () => ({}),
  human: (s) =>
    s
      ? `Session ${s.id} running for ${formatDuration(s.durationSeconds)}${s.clientName ? ` (${s.clientName})` : ''}.`
      : 'No session is running.',
});

const add = command({
  name: 'add',
  options: [
    ...linkOptions,
    required('--start <time>', 'start (ISO date-time, e.g. 2026-03-02T09:00)'),
    required('--end <time>', 'end'),
    ['--non-billable', 'not billable'],
  ],
  description: 'record a finished session by hand',
  method: 'sessions.add',
  params: (_a, o: LinkOpts & { start: string; end: string; nonBillable?: boolean }) => ({
    ...links(o),
    startedAt: o.start,
    endedAt: o.end,
    billable: !o.nonBillable,
  }),
  human: (s) => `Added session ${s.id}: ${formatDuration(s.durationSeconds)}.`,
});

const list = command({
  name: 'list',
  isDefault: true,
  options: [...filterOptions, ['--limit <n>', 'how many (default 100)', positiveInt, 100]],
  description: 'work sessions, newest first, with the total',
  method: 'sessions.list',
  params: (_a, o: FilterOpts & { limit: number }) => ({ ...filters(o), limit: o.limit }),
  human: (res) =>
    res.sessions.length
      ? `${renderSessions(res.sessions)}\n${plural(res.total, 'session')}, ${formatDuration(res.totalSeconds)} in all`
      : 'No sessions.',
});

const remove = command({
  name: 'delete',
  args: [['<id>', 'session id', positiveInt]],
  description: 'delete a work session',
  method: 'sessions.delete',
  params: ([id]: [number]) => ({ id }),
  human: (r) => `Deleted session ${r.id}.`,
});

const exportCsv = command({
  name: 'export',
  options: [...filterOptions, ['--csv <file>', 'write CSV to this file (default: standard output)']],
  description: 'work sessions as CSV, oldest first',
  method: 'sessions.export',
  params: (_a, o: FilterOpts & { csv?: string }) => ({ ...filters(o), ...(o.csv ? { path: o.csv } : {}) }),
  human: (r) => (r.csv !== null ? { stdout: r.csv } : `Wrote ${plural(r.rows, 'session')} to ${r.path}.`),
});

export function registerSessions(program: Command, ctx: CliContext): void {
  const sessions = program
    .command('sessions')
    .description('time tracking: start/stop a timer, manual entries, CSV export');
  addCommands(sessions, ctx, [start, stop, status, add, list, remove, exportCsv]);
}
