import type { Command } from 'commander';
import type { ProjectInfo } from '../../contract/methods/crm.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural } from '../format.ts';
import { addCommands, command, required, type OptionSpec } from '../command.ts';
import { renderProjects } from './clients.ts';

interface ProjectOpts {
  client?: string;
  name?: string;
  type?: string;
  status?: ProjectInfo['status'];
  start?: string;
  due?: string;
  end?: string;
  notes?: string;
}

function projectFields(o: ProjectOpts) {
  return {
    ...(o.type !== undefined ? { type: o.type } : {}),
    ...(o.status !== undefined ? { status: o.status } : {}),
    ...(o.start !== undefined ? { startsOn: o.start || null } : {}),
    ...(o.due !== undefined ? { dueOn: o.due || null } : {}),
    ...(o.end !== undefined ? { endedOn: o.end || null } : {}),
    ...(o.notes !== undefined ? { notes: o.notes } : {}),
  };
}

const fields: OptionSpec[] = [
  ['--type <type>', 'visa, tax, company-setup, …'],
  ['--status <status>', 'planned, active, on_hold, done or cancelled'],
  ['--start <YYYY-MM-DD>', 'start date'],
  ['--due <YYYY-MM-DD>', 'due date'],
  ['--end <YYYY-MM-DD>', 'end date'],
  ['--notes <text>', 'notes'],
];

const list = command({
  name: 'list',
  isDefault: true,
  options: [
    ['--client <client>', 'one client’s projects (name or id)'],
    ['--status <status>', 'planned, active, on_hold, done or cancelled'],
    ['--limit <n>', 'how many (default 100)', positiveInt, 100],
  ],
  description: 'projects, by due date',
  method: 'projects.list',
  params: (_a, o: ProjectOpts & { limit: number }) => ({
    ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
    ...(o.status ? { status: o.status } : {}),
    limit: o.limit,
  }),
  human: (res) =>
    res.projects.length ? `${renderProjects(res.projects)}\n${plural(res.total, 'project')}` : 'No projects.',
});

const add = command({
  name: 'add',
  args: [['<name>', 'project name']],
  options: [required('--client <client>', 'the client (name or id)'), ...fields],
  description: 'add a project for a client',
  method: 'projects.create',
  params: ([name]: [string], o: ProjectOpts) => ({
    client: collectionArg(o.client!),
    name,
    ...projectFields(o),
  }),
  human: (p) => `Added project "${p.name}" (id ${p.id}) for ${p.clientName}.`,
});

const edit = command({
  name: 'edit',
  args: [['<id>', 'project id', positiveInt]],
  options: [['--name <name>', 'new name'], ...fields],
  description: 'change a project (status, dates, …; "" clears a date)',
  method: 'projects.update',
  params: ([id]: [number], o: ProjectOpts) => ({
    id,
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...projectFields(o),
  }),
  human: (p) => `Updated project "${p.name}" (${p.status}).`,
});

const remove = command({
  name: 'delete',
  args: [['<id>', 'project id', positiveInt]],
  options: [['-y, --yes', 'do not ask for confirmation']],
  description: 'delete a project (its sessions and conversations stay, unlinked)',
  method: 'projects.delete',
  confirm: ([id]: [number]) => ({
    question: `Delete project ${id}?`,
    refusal: `deleting project ${id} needs confirmation: add --yes`,
    declined: 'Nothing deleted.\n',
  }),
  params: ([id]: [number]) => ({ id }),
  human: (r) => `Deleted project "${r.name}".`,
});

export function registerProjects(program: Command, ctx: CliContext): void {
  const projects = program.command('projects').description('projects per client: type, status, timeline');
  addCommands(projects, ctx, [list, add, edit, remove]);
}
