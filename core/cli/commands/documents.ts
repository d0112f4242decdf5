import type { Command } from 'commander';
import type { DocumentInfo } from '../../contract/methods/documents.ts';
import { collectionArg, positiveInt, type CliContext } from '../context.ts';
import { renderDocument, renderDocuments } from '../render-import.ts';
import { addCommands, command, required } from '../command.ts';

interface ListOptions {
  collection: string;
  status?: DocumentInfo['status'];
  query?: string;
  thread?: string;
  limit: number;
  offset: number;
}

const list = command({
  name: 'list',
  isDefault: true,
  options: [
    required('-c, --collection <name>', 'collection name or id'),
    ['--status <status>', 'only documents with this status (indexed, failed, …)'],
    ['-q, --query <words>', 'words in the title or path'],
    [
      '--thread <message-id>',
      "the messages of one e-mail thread, oldest first (its first message's Message-ID)",
    ],
    ['-n, --limit <n>', 'how many', positiveInt, 100],
    ['--offset <n>', 'skip this many', Number, 0],
  ],
  description: 'documents of a collection',
  method: 'documents.list',
  params: (_a, o: ListOptions) => ({
    collection: collectionArg(o.collection),
    limit: o.limit,
    offset: o.offset,
    ...(o.status ? { status: o.status } : {}),
    ...(o.query ? { query: o.query } : {}),
    ...(o.thread ? { thread: o.thread.replace(/^<|>$/g, '') } : {}),
  }),
  human: (page) => renderDocuments(page.total, page.items),
});

const documentId = ['<id>', 'document id', positiveInt] as const;

const show = command({
  name: 'show',
  args: [documentId],
  description: 'one document with its processing steps; for e-mail its headers, attachments and thread',
  method: 'documents.get',
  params: ([id]: [number]) => ({ id }),
  human: renderDocument,
});

const chunks = command({
  name: 'chunks',
  args: [documentId],
  options: [
    ['-n, --limit <n>', 'how many', positiveInt, 1000],
    ['--offset <n>', 'skip this many', Number, 0],
  ],
  description: 'the chunks of a document, with heading path, page and offsets',
  method: 'documents.chunks',
  params: ([id]: [number], o: { limit: number; offset: number }) => ({
    id,
    limit: o.limit,
    offset: o.offset,
  }),
  human: (page) =>
    page.items
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
      .join('\n\n') || 'No chunks.',
});

const remove = command({
  name: 'delete',
  args: [documentId],
  options: [['-y, --yes', 'do not ask for confirmation']],
  description: 'delete a document and its chunks (the file itself is not touched)',
  method: 'documents.delete',
  prepare: (client, [id]: [number]) => client.call('documents.get', { id }),
  confirm: ([id], _o, d) => ({
    question: `Delete "${d.title ?? d.sourcePath}" and its ${d.chunkCount} chunks?`,
    refusal: `deleting document ${id} needs confirmation: add --yes`,
    declined: 'Nothing deleted.\n',
  }),
  params: ([id]) => ({ id }),
  human: (res) => `Deleted ${res.sourcePath} (${res.chunks} chunks).`,
});

export function registerDocuments(program: Command, ctx: CliContext): void {
  const documents = program.command('documents').description('list, inspect and delete imported documents');
  addCommands(documents, ctx, [list, show, chunks, remove]);
}
