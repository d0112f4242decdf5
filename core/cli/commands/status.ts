import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { renderStatus } from '../render.ts';
import { renderRebuildWarning } from '../render-rebuild.ts';
import { withClient } from '../with-client.ts';

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('versions, data folder, store sizes and counts')
    .action(async (_o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, ctx.signal, async (client) => {
        const status = await client.call('status', {});
        ctx.print(opts, renderStatus(status), status);
        if (status.rebuilding && !opts.json) ctx.io.stderr(renderRebuildWarning(status.rebuilding));
      });
    });
}
