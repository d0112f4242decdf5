import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { ProjectInfo } from '../../contract/methods/crm.ts';
import { askTTY } from '../ask.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural } from '../format.ts';
import { withClient } from '../session.ts';
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

export function registerProjects(program: Command, ctx: CliContext): void {
  const { io, signal } = ctx;
  const projects = program.command('projects').description('projects per client: type, status, timeline');
  const withFields = (c: Command) =>
    c
      .option('--type <type>', 'visa, tax, company-setup, …')
      .option('--status <status>', 'planned, active, on_hold, done or cancelled')
      .option('--start <YYYY-MM-DD>', 'start date')
      .option('--due <YYYY-MM-DD>', 'due date')
      .option('--end <YYYY-MM-DD>', 'end date')
      .option('--notes <text>', 'notes');

  projects
    .command('list', { isDefault: true })
    .option('--client <client>', 'one client’s projects (name or id)')
    .option('--status <status>', 'planned, active, on_hold, done or cancelled')
    .option('--limit <n>', 'how many (default 100)', positiveInt, 100)
    .description('projects, by due date')
    .action(async (o: ProjectOpts & { limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const res = await client.call('projects.list', {
          ...(o.client !== undefined ? { client: collectionArg(o.client) } : {}),
          ...(o.status ? { status: o.status } : {}),
          limit: o.limit,
        });
        ctx.print(
          opts,
          res.projects.length
            ? `${renderProjects(res.projects)}\n${plural(res.total, 'project')}`
            : 'No projects.',
          res,
        );
      });
    });

  withFields(
    projects
      .command('add')
      .argument('<name>', 'project name')
      .requiredOption('--client <client>', 'the client (name or id)'),
  )
    .description('add a project for a client')
    .action(async (name: string, o: ProjectOpts, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const p = await client.call('projects.create', {
          client: collectionArg(o.client!),
          name,
          ...projectFields(o),
        });
        ctx.print(opts, `Added project "${p.name}" (id ${p.id}) for ${p.clientName}.`, p);
      });
    });

  withFields(
    projects.command('edit').argument('<id>', 'project id', positiveInt).option('--name <name>', 'new name'),
  )
    .description('change a project (status, dates, …; "" clears a date)')
    .action(async (id: number, o: ProjectOpts, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const p = await client.call('projects.update', {
          id,
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...projectFields(o),
        });
        ctx.print(opts, `Updated project "${p.name}" (${p.status}).`, p);
      });
    });

  projects
    .command('delete')
    .argument('<id>', 'project id', positiveInt)
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete a project (its sessions and conversations stay, unlinked)')
    .action(async (id: number, o: { yes?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        if (!o.yes) {
          if (!io.isTTY || opts.json) {
            throw new ApiCallError({
              code: 'invalid_params',
              message: `deleting project ${id} needs confirmation: add --yes`,
            });
          }
          if (!(await (io.confirm ?? askTTY)(`Delete project ${id}?`))) {
            io.stderr('Nothing deleted.\n');
            return;
          }
        }
        const r = await client.call('projects.delete', { id });
        ctx.print(opts, `Deleted project "${r.name}".`, r);
      });
    });
}
