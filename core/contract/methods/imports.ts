import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { reembedEvent, reembedResult } from './collections.ts';
import { collectionRef } from './common.ts';

const tag = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((s) => !/[\p{Cc},]/u.test(s), 'a tag cannot contain commas or control characters');

export const fileOutcome = z.enum(['imported', 'updated', 'unchanged', 'duplicate', 'failed', 'removed']);

export const importFailure = z.object({ path: z.string(), reason: z.string(), message: z.string() });

export const importSummary = z.object({
  jobId: z.number().int(),
  collection: z.object({ id: z.number().int(), name: z.string() }),
  status: z.enum(['done', 'cancelled', 'failed']),
  filesTotal: z.number().int(),
  imported: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  duplicates: z.number().int(),
  removed: z.number().int(),
  failed: z.array(importFailure),
  /** Files imported with a caveat (e.g. one that kept changing while it was read). */
  warnings: z.array(z.object({ path: z.string(), message: z.string() })),
  ignored: z.object({ total: z.number().int(), byReason: z.record(z.string(), z.number().int()) }),
  chunks: z.number().int(),
  bytes: z.number().int(),
  durationMs: z.number(),
  timings: z.object({ extractMs: z.number(), chunkMs: z.number(), embedMs: z.number(), indexMs: z.number() }),
});
export type ImportSummary = z.output<typeof importSummary>;

export const pageProgress = z.object({
  path: z.string(),
  done: z.number().int(),
  total: z.number().int(),
  /** The page being recognised by OCR right now ("OCR page 3 of 12"); absent otherwise. */
  ocrPage: z.number().int().optional(),
});
export type PageProgress = z.output<typeof pageProgress>;

export const importEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('scanned'),
    jobId: z.number().int(),
    filesTotal: z.number().int(),
    bytesTotal: z.number().int(),
    ignored: z.number().int(),
  }),
  z.object({
    type: z.literal('file'),
    path: z.string(),
    outcome: fileOutcome,
    chunks: z.number().int(),
    reason: z.string().optional(),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal('watching'), paths: z.array(z.string()) }),
  z.object({ type: z.literal('synced'), pass: z.number().int(), changed: z.number().int() }),
  z.object({
    type: z.literal('progress'),
    filesDone: z.number().int(),
    filesTotal: z.number().int(),
    bytesDone: z.number().int(),
    bytesTotal: z.number().int(),
    chunksDone: z.number().int(),
    elapsedMs: z.number(),
    /** Files being read page by page (PDFs) right now: pages read so far, of their total. */
    pages: z.array(pageProgress).optional(),
  }),
]);
export type ImportEvent = z.output<typeof importEvent>;
export type ImportProgressEvent = Extract<ImportEvent, { type: 'progress' }>;

/**
 * Files done plus the read share of each file still being read page by page: a fractional file
 * count for progress bars, so one large PDF moves the bar instead of holding it at 0 %.
 */
export function filesProgress(e: ImportProgressEvent): number {
  let partial = 0;
  for (const p of e.pages ?? []) if (p.total > 0) partial += Math.min(1, p.done / p.total);
  return Math.min(e.filesTotal, e.filesDone + partial);
}

export const importRunContract = defineMethod({
  method: 'import.run',
  summary: 'Import files and folders into a collection, with progress events.',
  params: z
    .object({
      collection: collectionRef,
      paths: z.array(z.string().min(1)).min(1, 'give at least one file or folder'),
      /** Create the collection (built-in embedder) when no collection has that name. */
      create: z.boolean().default(false),
      tags: z.array(tag).max(50).optional(),
      include: z.array(z.string().min(1)).optional(),
      exclude: z.array(z.string().min(1)).optional(),
      /** Remove documents whose files disappeared from the given folders. */
      removeMissing: z.boolean().default(false),
    })
    .strict(),
  result: importSummary,
  event: importEvent,
});

export const importWatchContract = defineMethod({
  method: 'import.watch',
  summary: 'Import folders, then keep the collection in sync with them until cancelled.',
  params: z
    .object({
      collection: collectionRef,
      paths: z.array(z.string().min(1)).min(1, 'give at least one folder'),
      create: z.boolean().default(false),
      tags: z.array(tag).max(50).optional(),
      include: z.array(z.string().min(1)).optional(),
      exclude: z.array(z.string().min(1)).optional(),
    })
    .strict(),
  result: z.object({ passes: z.number().int(), last: importSummary }),
  event: importEvent,
});

export const importResumeContract = defineMethod({
  method: 'import.resume',
  summary: 'Resume the import and re-embedding jobs a quit, crash or power loss interrupted.',
  params: z.object({}).strict().default({}),
  result: z.object({
    imports: z.array(importSummary),
    reembeds: z.array(reembedResult),
  }),
  event: z.union([importEvent, reembedEvent]),
});

const jobSchema = z.object({
  id: z.number().int(),
  collection: z.string(),
  kind: z.string(),
  status: z.string(),
  paths: z.array(z.string()),
  filesTotal: z.number().int(),
  filesDone: z.number().int(),
  filesSkipped: z.number().int(),
  filesFailed: z.number().int(),
  chunksTotal: z.number().int(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ImportJob = z.infer<typeof jobSchema>;

export const jobsListContract = defineMethod({
  method: 'jobs.list',
  summary: 'Recent import jobs, newest first.',
  params: z
    .object({ limit: z.number().int().min(1).max(500).default(20) })
    .strict()
    .default({ limit: 20 }),
  result: z.array(jobSchema),
  event: z.never(),
});
