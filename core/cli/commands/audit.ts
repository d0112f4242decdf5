import type { Command } from 'commander';
import type { AuditEntryResult } from '../../contract/methods/audit.ts';
import { positiveInt, type CliContext } from '../context.ts';
import { withClient } from '../with-client.ts';

function renderDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export function renderAudit(entries: AuditEntryResult[]): string {
  if (entries.length === 0) return 'The audit trail is empty.';
  return entries
    .map((e) => {
      const target = e.targetType ? ` ${e.targetType}${e.targetId !== null ? ` ${e.targetId}` : ''}` : '';
      const details = renderDetails(e.details);
      return `${e.createdAt.replace('T', ' ').slice(0, 19)}  ${e.action}${target} (${e.actor})${details ? `  ${details}` : ''}`;
    })
    .join('\n');
}

export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .option('-n, --limit <n>', 'how many entries (default 50)', positiveInt)
    .option('-a, --action <action>', "only this action, or a family: 'lock', 'model', 'collection.delete'")
    .description(
      'the audit trail of sensitive actions (deletions, model changes, lock changes, restores), newest first',
    )
    .action(async (o: { limit?: number; action?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, ctx.signal, async (client) => {
        const entries = await client.call('audit.list', {
          limit: o.limit ?? 50,
          ...(o.action !== undefined ? { action: o.action } : {}),
        });
        ctx.print(opts, renderAudit(entries), entries);
      });
    });
}
