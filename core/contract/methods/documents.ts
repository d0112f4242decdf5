import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { collectionRef, noEvent } from './common.ts';

export const documentStatus = z.enum([
  'pending',
  'extracting',
  'chunking',
  'embedding',
  'indexed',
  'failed',
  'deleted',
]);

export const documentSchema = z.object({
  id: z.number().int(),
  collectionId: z.number().int(),
  sourcePath: z.string(),
  title: z.string().nullable(),
  /** Who wrote it, as the file's own properties say (PPTX, OpenDocument, RTF); null when unknown. */
  author: z.string().nullable(),
  fileType: z.string().nullable(),
  mime: z.string().nullable(),
  tags: z.array(z.string()),
  sizeBytes: z.number().int().nullable(),
  pageCount: z.number().int().nullable(),
  chunkCount: z.number().int(),
  status: documentStatus,
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  contentHash: z.string(),
  importedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type DocumentInfo = z.output<typeof documentSchema>;

export const documentsListContract = defineMethod({
  method: 'documents.list',
  summary: 'Documents of a collection, filtered by status or text, paged.',
  params: z
    .object({
      collection: collectionRef,
      status: documentStatus.optional(),
      /** Words in the title or file path. */
      query: z.string().max(500).optional(),
      limit: z.number().int().min(1).max(1_000).default(100),
      offset: z.number().int().min(0).default(0),
    })
    .strict(),
  result: z.object({ total: z.number().int(), items: z.array(documentSchema) }),
  event: noEvent,
});

export const documentsGetContract = defineMethod({
  method: 'documents.get',
  summary: 'One document with its processing steps.',
  params: z.object({ id: z.number().int().positive() }).strict(),
  result: documentSchema.extend({
    steps: z.array(
      z.object({
        jobId: z.number().int(),
        step: z.string(),
        status: z.string(),
        durationMs: z.number().int().nullable(),
        error: z.string().nullable(),
        finishedAt: z.string().nullable(),
      }),
    ),
  }),
  event: noEvent,
});

export const chunkSchema = z.object({
  id: z.number().int(),
  ordinal: z.number().int(),
  text: z.string(),
  headingPath: z.array(z.string()),
  page: z.number().int().nullable(),
  charStart: z.number().int(),
  charEnd: z.number().int(),
  tokenCount: z.number().int(),
});

export const documentsChunksContract = defineMethod({
  method: 'documents.chunks',
  summary: 'The chunks of one document, in order.',
  params: z
    .object({
      id: z.number().int().positive(),
      limit: z.number().int().min(1).max(10_000).default(1_000),
      offset: z.number().int().min(0).default(0),
    })
    .strict(),
  result: z.object({ total: z.number().int(), items: z.array(chunkSchema) }),
  event: noEvent,
});

export const documentsDeleteContract = defineMethod({
  method: 'documents.delete',
  summary: 'Delete a document and its chunks.',
  params: z.object({ id: z.number().int().positive() }).strict(),
  result: z.object({ id: z.number().int(), sourcePath: z.string(), chunks: z.number().int() }),
  event: noEvent,
});
