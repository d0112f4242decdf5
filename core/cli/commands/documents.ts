import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { DocumentInfo } from '../../contract/methods/documents.ts';
import { askTTY } from '../ask.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { renderDocument, renderDocuments } from '../render-import.ts';
import { withClient } from '../session.ts';

export function registerDocuments(program: Command, ctx: CliContext): void {
  const { io, signal } = ctx;
  const documents = program.command('documents').description('list, inspect and delete imported documents');

  documents
    .command('list', { isDefault: true })
    .requiredOption('-c, --collection <name>', 'collection name or id')
    .option('--status <status>', 'only documents with this status (indexed, failed, …)')
    .option('-q, --query <words>', 'words in the title or path')
    .option('-n, --limit <n>', 'how many', positiveInt, 100)
    .option('--offset <n>', 'skip this many', Number, 0)
    .description('documents of a collection')
    .action(
      async (
        o: {
          collection: string;
          status?: DocumentInfo['status'];
          query?: string;
          limit: number;
          offset: number;
        },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        await withClient(opts, signal, async (client) => {
          const page = await client.call('documents.list', {
            collection: collectionArg(o.collection),
            limit: o.limit,
            offset: o.offset,
            ...(o.status ? { status: o.status } : {}),
            ...(o.query ? { query: o.query } : {}),
          });
          ctx.print(opts, renderDocuments(page.total, page.items), page);
        });
      },
    );

  documents
    .command('show')
    .argument('<id>', 'document id', positiveInt)
    .description('one document with its processing steps')
    .action(async (id: number, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const d = await client.call('documents.get', { id });
        ctx.print(opts, renderDocument(d), d);
      });
    });

  documents
    .command('chunks')
    .argument('<id>', 'document id', positiveInt)
    .option('-n, --limit <n>', 'how many', positiveInt, 1000)
    .option('--offset <n>', 'skip this many', Number, 0)
    .description('the chunks of a document, with heading path, page and offsets')
    .action(async (id: number, o: { limit: number; offset: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const page = await client.call('documents.chunks', { id, limit: o.limit, offset: o.offset });
        const human = page.items
          .map((c) => {
            const where = [
              c.headingPath.join(' › '),
              c.page ? `p. ${c.page}` : '',
              `chars ${c.charStart}–${c.charEnd}`,
            ]
              .filter(Boolean)
              .join(' · ');
            return `── #${c.ordinal} (${c.tokenCount} tokens) ${where}\n${c.text}`;
          })
          .join('\n\n');
        ctx.print(opts, human || 'No chunks.', page);
      });
    });

  documents
    .command('delete')
    .argument('<id>', 'document id', positiveInt)
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete a document and its chunks (the file itself is not touched)')
    .action(async (id: number, o: { yes?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const d = await client.call('documents.get', { id });
        if (!o.yes) {
          if (!io.isTTY || opts.json) {
            throw new ApiCallError({
              code: 'invalid_params',
              message: `deleting document ${id} needs confirmation: add --yes`,
            });
          }
          if (
            !(await (io.confirm ?? askTTY)(
              `Delete "${d.title ?? d.sourcePath}" and its ${d.chunkCount} chunks?`,
            ))
          ) {
            io.stderr('Nothing deleted.\n');
            return;
          }
        }
        const res = await client.call('documents.delete', { id });
        ctx.print(opts, `Deleted ${res.sourcePath} (${res.chunks} chunks).`, res);
      });
    });
}
