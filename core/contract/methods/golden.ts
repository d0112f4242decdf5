import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { citationSchema } from './ask.ts';
import { collectionRef, noEvent } from './common.ts';

export const reviewStatus = z.enum(['draft', 'approved', 'rejected', 'stale']);
export type ReviewStatus = z.output<typeof reviewStatus>;

const goldenId = z.number().int().positive();
const questionText = z
  .string()
  .trim()
  .min(1, 'a question cannot be empty')
  .max(2_000, 'a question is at most 2000 characters');
const answerText = z
  .string()
  .trim()
  .min(1, 'an answer cannot be empty')
  .max(20_000, 'an answer is at most 20000 characters');

export const goldenSummary = z.object({
  id: z.number().int(),
  canonicalQuestion: z.string(),
  /** The answer's first 280 characters. */
  answerPreview: z.string(),
  reviewStatus,
  /** 'llm:<model>', 'extractive' or 'user'. */
  generatedBy: z.string(),
  confidence: z.number().nullable(),
  pinned: z.boolean(),
  usageCount: z.number().int(),
  lastUsedAt: z.string().nullable(),
  variationCount: z.number().int(),
  sourceCount: z.number().int(),
  staleReason: z.string().nullable(),
  /** How often the questions of its cluster were asked. */
  clusterQueryCount: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GoldenSummary = z.output<typeof goldenSummary>;

export const goldenDetail = goldenSummary.extend({
  answer: z.string(),
  variations: z.array(z.string()),
  sources: z.array(citationSchema),
  collectionIds: z.array(z.number().int()).nullable(),
  clusterId: z.number().int().nullable(),
  reviewedAt: z.string().nullable(),
  revisions: z.number().int(),
  tokens: z.object({ in: z.number().int().nullable(), out: z.number().int().nullable() }),
});
export type GoldenDetail = z.output<typeof goldenDetail>;

export const goldenRevision = z.object({
  id: z.number().int(),
  canonicalQuestion: z.string(),
  variations: z.array(z.string()),
  answer: z.string(),
  reviewStatus: z.string(),
  generatedBy: z.string(),
  editedBy: z.string(),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type GoldenRevision = z.output<typeof goldenRevision>;

export const goldenListParams = z
  .object({
    status: z.enum(['draft', 'approved', 'rejected', 'stale', 'review', 'all']).default('all'),
    /** Words in the question or answer. */
    query: z.string().max(500).optional(),
    limit: z.number().int().min(1).max(500).default(50),
    offset: z.number().int().min(0).default(0),
  })
  .strict()
  .default({ status: 'all', limit: 50, offset: 0 });

export const goldenListContract = defineMethod({
  method: 'golden.list',
  summary:
    "Golden answers with review status, usage and stale flags ('review' = drafts and stale ones, most asked first).",
  params: goldenListParams,
  result: z.object({
    items: z.array(goldenSummary),
    total: z.number().int(),
    counts: z.object({
      draft: z.number().int(),
      approved: z.number().int(),
      rejected: z.number().int(),
      stale: z.number().int(),
    }),
  }),
  event: noEvent,
});

export const goldenGetContract = defineMethod({
  method: 'golden.get',
  summary: 'One golden answer with its variations, sources and review state.',
  params: z.object({ id: goldenId }).strict(),
  result: goldenDetail,
  event: noEvent,
});

export const goldenApproveContract = defineMethod({
  method: 'golden.approve',
  summary: 'Approve golden answers: from now on they are served for their questions.',
  params: z.object({ ids: z.array(goldenId).min(1).max(500) }).strict(),
  result: z.object({ approved: z.array(z.number().int()) }),
  event: noEvent,
});

export const goldenRejectContract = defineMethod({
  method: 'golden.reject',
  summary: 'Reject a golden answer: never served, and the worker does not propose it again.',
  params: z.object({ id: goldenId, reason: z.string().max(500).optional() }).strict(),
  result: goldenDetail,
  event: noEvent,
});

export const goldenEditContract = defineMethod({
  method: 'golden.edit',
  summary: 'Edit a golden answer (the previous version is kept in its history); optionally approve it.',
  params: z
    .object({
      id: goldenId,
      answer: answerText.optional(),
      canonicalQuestion: questionText.optional(),
      /** Replaces the variations. */
      variations: z.array(questionText).max(100).optional(),
      addVariations: z.array(questionText).max(100).optional(),
      approve: z.boolean().default(false),
      note: z.string().max(500).optional(),
    })
    .strict(),
  result: goldenDetail,
  event: noEvent,
});

export const goldenPinContract = defineMethod({
  method: 'golden.pin',
  summary: 'Pin (or unpin) a golden answer: the nightly worker never replaces a pinned answer.',
  params: z.object({ id: goldenId, pinned: z.boolean().default(true) }).strict(),
  result: goldenDetail,
  event: noEvent,
});

export const goldenCreateContract = defineMethod({
  method: 'golden.create',
  summary: 'Write a golden answer by hand: approved and pinned at once.',
  params: z
    .object({
      question: questionText,
      answer: answerText,
      variations: z.array(questionText).max(100).default([]),
      /** Serve it only when asking within these collections (default: everywhere). */
      collections: z.array(collectionRef).min(1).max(100).optional(),
    })
    .strict(),
  result: goldenDetail,
  event: noEvent,
});

export const goldenHistoryContract = defineMethod({
  method: 'golden.history',
  summary: 'Earlier versions of a golden answer, newest first.',
  params: z.object({ id: goldenId }).strict(),
  result: z.array(goldenRevision),
  event: noEvent,
});

export const goldenDeleteContract = defineMethod({
  method: 'golden.delete',
  summary: 'Delete a golden answer and its history.',
  params: z.object({ id: goldenId }).strict(),
  result: z.object({ id: z.number().int() }),
  event: noEvent,
});
