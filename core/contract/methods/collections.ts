import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { collectionName, collectionRef, noEvent } from './common.ts';

export const collectionSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  embedderId: z.string(),
  /**
   * The embedding GGUF file, or null for the built-in embedder: its name when it lies in the data
   * folder's models folder (so a copied or restored data folder uses its own), else its absolute path.
   */
  embedderModel: z.string().nullable(),
  embeddingDim: z.number().int(),
  chunkSize: z.number().int(),
  chunkOverlap: z.number().int(),
  /** Scanned pages and pictures are read by OCR when importing (on unless turned off). */
  ocr: z.boolean(),
  documentCount: z.number().int(),
  chunkCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Collection = z.output<typeof collectionSchema>;

export const collectionsListContract = defineMethod({
  method: 'collections.list',
  summary: 'All collections with document and chunk counts.',
  params: z.object({}).strict().default({}),
  result: z.array(collectionSchema),
  event: noEvent,
});

export const collectionsGetContract = defineMethod({
  method: 'collections.get',
  summary: 'One collection by id or name.',
  params: z.object({ collection: collectionRef }).strict(),
  result: collectionSchema,
  event: noEvent,
});

export const collectionsCreateContract = defineMethod({
  method: 'collections.create',
  summary: 'Create an empty collection (built-in embedder unless told otherwise).',
  params: z
    .object({
      name: collectionName,
      description: z.string().trim().max(2_000).optional(),
      chunkSize: z.number().int().min(64).max(4_096).optional(),
      chunkOverlap: z.number().int().min(0).max(1_024).optional(),
      /** Read scanned pages and pictures by OCR (default true); `collections.setOcr` changes it later. */
      ocr: z.boolean().optional(),
    })
    .strict()
    .refine((p) => (p.chunkOverlap ?? 0) < (p.chunkSize ?? Infinity), {
      message: 'chunkOverlap must be smaller than chunkSize',
      path: ['chunkOverlap'],
    }),
  result: collectionSchema,
  event: noEvent,
});

export const collectionsRenameContract = defineMethod({
  method: 'collections.rename',
  summary: 'Rename a collection.',
  params: z.object({ collection: collectionRef, name: collectionName }).strict(),
  result: collectionSchema,
  event: noEvent,
});

export const collectionsSetOcrContract = defineMethod({
  method: 'collections.setOcr',
  summary:
    'Turn OCR on or off for a collection: whether its imports read scanned pages and pictures (documents already imported stay as they are until imported again).',
  params: z.object({ collection: collectionRef, ocr: z.boolean() }).strict(),
  result: collectionSchema,
  event: noEvent,
});

export const collectionsDeleteContract = defineMethod({
  method: 'collections.delete',
  summary: 'Delete a collection with all its documents, chunks and vectors.',
  params: z.object({ collection: collectionRef }).strict(),
  result: z.object({
    id: z.number().int(),
    name: z.string(),
    documents: z.number().int(),
    chunks: z.number().int(),
  }),
  event: noEvent,
});

export const reembedEvent = z.object({
  type: z.literal('reembed'),
  done: z.number().int(),
  total: z.number().int(),
  elapsedMs: z.number(),
});
export type ReembedEvent = z.output<typeof reembedEvent>;

export const reembedResult = z.object({
  jobId: z.number().int().nullable(),
  collection: collectionSchema,
  status: z.enum(['done', 'unchanged', 'cancelled']),
  chunks: z.number().int(),
  durationMs: z.number(),
});

export const collectionsSetEmbedderContract = defineMethod({
  method: 'collections.setEmbedder',
  summary: 'Switch a collection to another embedder and re-embed its chunks (a resumable job).',
  params: z
    .object({
      collection: collectionRef,
      /** Path of an embedding GGUF file, or "builtin". */
      model: z.string().trim().min(1),
    })
    .strict(),
  result: reembedResult,
  event: reembedEvent,
});
