import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import { collectionArg, type CliContext } from '../context.ts';
import { createImportProgress } from '../progress-bar.ts';
import { renderReembed } from '../render-import.ts';
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

export function registerCollectionEmbedder(program: Command, ctx: CliContext): void {
  const collections = program.commands.find((c) => c.name() === 'collections')!;
  collections
    .command('embedder')
    .argument('<collection>', 'name or id')
    .option('-m, --model <file.gguf>', 'an embedding model (GGUF) to embed this collection with')
    .option('--builtin', 'go back to the built-in embedder')
    .description("switch a collection's embedder and re-embed its chunks (resumable)")
    .action(async (ref: string, o: { model?: string; builtin?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      if (Boolean(o.model) === Boolean(o.builtin)) {
        throw new ApiCallError({
          code: 'invalid_params',
          message: 'give either --model FILE.gguf or --builtin',
        });
      }
      const bar = !opts.json && ctx.io.progressStream ? createImportProgress(ctx.io.progressStream) : null;
      await withClient(opts, ctx.signal, async (client) => {
        try {
          const res = await client.call(
            'collections.setEmbedder',
            { collection: collectionArg(ref), model: o.builtin ? 'builtin' : o.model! },
            { onEvent: (e) => bar?.onEvent(e) },
          );
          bar?.stop();
          ctx.print(opts, renderReembed(res), res);
        } finally {
          bar?.stop();
        }
      });
    });
}
