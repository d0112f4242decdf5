import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import { collectionArg, type CliContext } from '../context.ts';
import { renderReembed } from '../render-import.ts';
import { renderCollection, renderCollections } from '../render.ts';
import { addCommands, command } from '../command.ts';

const ref = ['<collection>', 'name or id'] as const;

const list = command({
  name: 'list',
  isDefault: true,
  description: 'list collections with their document and chunk counts',
  method: 'collections.list',
  params: () => ({}),
  human: renderCollections,
});

const show = command({
  name: 'show',
  args: [ref],
  description: 'show one collection',
  method: 'collections.get',
  params: ([name]: [string]) => ({ collection: collectionArg(name) }),
  human: renderCollection,
});

const create = command({
  name: 'create',
  args: [['<name>', 'collection name']],
  options: [
    ['-d, --description <text>', 'what the collection holds'],
    ['--chunk-size <tokens>', 'tokens per chunk (default 400)', Number],
    ['--chunk-overlap <tokens>', 'tokens shared by neighbouring chunks (default 60)', Number],
    ['--no-ocr', 'do not read scanned pages and pictures (OCR); `collections ocr` turns it on later'],
  ],
  description: 'create an empty collection',
  method: 'collections.create',
  params: (
    [name]: [string],
    o: { description?: string; chunkSize?: number; chunkOverlap?: number; ocr?: boolean },
  ) => ({
    name,
    ...(o.ocr === false ? { ocr: false } : {}),
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(o.chunkSize !== undefined ? { chunkSize: o.chunkSize } : {}),
    ...(o.chunkOverlap !== undefined ? { chunkOverlap: o.chunkOverlap } : {}),
  }),
  human: (c) => `Created collection "${c.name}" (id ${c.id}).`,
});

const rename = command({
  name: 'rename',
  args: [
    ['<collection>', 'current name or id'],
    ['<new-name>', 'new name'],
  ],
  description: 'rename a collection',
  method: 'collections.rename',
  params: ([name, newName]: [string, string]) => ({ collection: collectionArg(name), name: newName }),
  human: (c) => `Renamed to "${c.name}".`,
});

const remove = command({
  name: 'delete',
  args: [ref],
  options: [['-y, --yes', 'do not ask for confirmation']],
  description: 'delete a collection with all its documents and chunks',
  method: 'collections.delete',
  prepare: (client, [name]: [string]) => client.call('collections.get', { collection: collectionArg(name) }),
  confirm: (_a, _o, c) => ({
    question: `Delete collection "${c.name}" with ${c.documentCount} documents and ${c.chunkCount} chunks?`,
    refusal: `deleting "${c.name}" needs confirmation: add --yes`,
    declined: 'Nothing deleted.\n',
  }),
  params: (_a, _o, c) => ({ collection: c.id }),
  human: (res) => `Deleted "${res.name}": ${res.documents} documents, ${res.chunks} chunks.`,
});

const ocr = command({
  name: 'ocr',
  args: [ref, ['<on|off>', 'read scanned pages and pictures when importing, or not']],
  description: 'turn OCR on or off for what is imported into a collection from now on',
  method: 'collections.setOcr',
  params: ([name, state]: [string, string]) => {
    const on = /^(on|yes|true)$/i.test(state);
    if (!on && !/^(off|no|false)$/i.test(state)) {
      throw new ApiCallError({ code: 'invalid_params', message: `say "on" or "off", not "${state}"` });
    }
    return { collection: collectionArg(name), ocr: on };
  },
  human: (c) =>
    c.ocr
      ? `OCR is on for "${c.name}": scanned pages and pictures imported from now on are read.`
      : `OCR is off for "${c.name}": scanned pages and pictures imported from now on are not read (documents already imported keep their text).`,
});

export function registerCollections(program: Command, ctx: CliContext): void {
  const collections = program.command('collections').description('manage collections of documents');
  addCommands(collections, ctx, [list, show, create, rename, remove, ocr]);
}

const embedder = command({
  name: 'embedder',
  args: [ref],
  options: [
    ['-m, --model <file.gguf>', 'an embedding model (GGUF) to embed this collection with'],
    ['--builtin', 'go back to the built-in embedder'],
  ],
  description: "switch a collection's embedder and re-embed its chunks (resumable)",
  method: 'collections.setEmbedder',
  params: ([name]: [string], o: { model?: string; builtin?: boolean }) => {
    if (Boolean(o.model) === Boolean(o.builtin)) {
      throw new ApiCallError({
        code: 'invalid_params',
        message: 'give either --model FILE.gguf or --builtin',
      });
    }
    return { collection: collectionArg(name), model: o.builtin ? 'builtin' : o.model! };
  },
  events: async (io) =>
    io.progressStream
      ? (await import('../progress-bar.ts')).createImportProgress(io.progressStream)
      : { onEvent: () => {} },
  human: renderReembed,
});

export function registerCollectionEmbedder(program: Command, ctx: CliContext): void {
  const collections = program.commands.find((c) => c.name() === 'collections')!;
  addCommands(collections, ctx, [embedder]);
}
