import type { Command } from 'commander';
import { ApiCallError } from '../../api/client.ts';
import { collectionArg, type CliContext } from '../context.ts';
import { renderCollection, renderCollections } from '../render.ts';
import { askTTY } from '../ask.ts';
import { withClient } from '../session.ts';

export function registerCollections(program: Command, ctx: CliContext): void {
  const { io, signal } = ctx;
  const collections = program.command('collections').description('manage collections of documents');

  collections
    .command('list', { isDefault: true })
    .description('list collections with their document and chunk counts')
    .action(async (_o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const list = await client.call('collections.list', {});
        ctx.print(opts, renderCollections(list), list);
      });
    });

  collections
    .command('show')
    .argument('<collection>', 'name or id')
    .description('show one collection')
    .action(async (ref: string, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('collections.get', { collection: collectionArg(ref) });
        ctx.print(opts, renderCollection(c), c);
      });
    });

  collections
    .command('create')
    .argument('<name>', 'collection name')
    .option('-d, --description <text>', 'what the collection holds')
    .option('--chunk-size <tokens>', 'tokens per chunk (default 400)', Number)
    .option('--chunk-overlap <tokens>', 'tokens shared by neighbouring chunks (default 60)', Number)
    .description('create an empty collection')
    .action(
      async (
        name: string,
        o: { description?: string; chunkSize?: number; chunkOverlap?: number },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        await withClient(opts, signal, async (client) => {
          const c = await client.call('collections.create', {
            name,
            ...(o.description !== undefined ? { description: o.description } : {}),
            ...(o.chunkSize !== undefined ? { chunkSize: o.chunkSize } : {}),
            ...(o.chunkOverlap !== undefined ? { chunkOverlap: o.chunkOverlap } : {}),
          });
          ctx.print(opts, `Created collection "${c.name}" (id ${c.id}).`, c);
        });
      },
    );

  collections
    .command('rename')
    .argument('<collection>', 'current name or id')
    .argument('<new-name>', 'new name')
    .description('rename a collection')
    .action(async (ref: string, newName: string, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('collections.rename', { collection: collectionArg(ref), name: newName });
        ctx.print(opts, `Renamed to "${c.name}".`, c);
      });
    });

  collections
    .command('delete')
    .argument('<collection>', 'name or id')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete a collection with all its documents and chunks')
    .action(async (ref: string, o: { yes?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('collections.get', { collection: collectionArg(ref) });
        if (!o.yes) {
          if (!io.isTTY || opts.json) {
            throw new ApiCallError({
              code: 'invalid_params',
              message: `deleting "${c.name}" needs confirmation: add --yes`,
            });
          }
          const ok = await (io.confirm ?? askTTY)(
            `Delete collection "${c.name}" with ${c.documentCount} documents and ${c.chunkCount} chunks?`,
          );
          if (!ok) {
            io.stderr('Nothing deleted.\n');
            return;
          }
        }
        const res = await client.call('collections.delete', { collection: c.id });
        ctx.print(opts, `Deleted "${res.name}": ${res.documents} documents, ${res.chunks} chunks.`, res);
      });
    });
}
