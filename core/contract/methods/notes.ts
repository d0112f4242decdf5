import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { noEvent } from './common.ts';
import { reviewStatus } from './golden.ts';

export const contextNote = z.object({
  id: z.number().int(),
  topic: z.string(),
  content: z.string(),
  whenToUse: z.string().nullable(),
  tone: z.string().nullable(),
  language: z.string().nullable(),
  reviewStatus,
  generatedBy: z.string(),
  /** The passage it was made from. */
  source: z.object({ title: z.string().nullable(), sourcePath: z.string().nullable() }),
  usageCount: z.number().int(),
  createdAt: z.string(),
});
export type ContextNote = z.output<typeof contextNote>;

const noteId = z.number().int().positive();

export const notesListContract = defineMethod({
  method: 'notes.list',
  summary: 'Cultural/context notes (drafted by the worker or written by hand) with their review status.',
  params: z
    .object({
      status: z.enum(['draft', 'approved', 'rejected', 'stale', 'all']).default('all'),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .strict()
    .default({ status: 'all', limit: 100 }),
  result: z.array(contextNote),
  event: noEvent,
});

export const notesReviewContract = defineMethod({
  method: 'notes.review',
  summary: 'Approve (used in prompts from now on) or reject a context note.',
  params: z.object({ id: noteId, decision: z.enum(['approve', 'reject']) }).strict(),
  result: contextNote,
  event: noEvent,
});

const text = (max: number) => z.string().trim().min(1).max(max);

export const notesEditContract = defineMethod({
  method: 'notes.edit',
  summary: 'Write a context note by hand (no id) or change one; optionally approve it.',
  params: z
    .object({
      id: noteId.optional(),
      topic: text(200).optional(),
      content: text(4000).optional(),
      whenToUse: z.string().trim().max(500).optional(),
      tone: z.string().trim().max(50).optional(),
      approve: z.boolean().default(false),
    })
    .strict()
    .refine((p) => p.id !== undefined || (p.topic !== undefined && p.content !== undefined), {
      message: 'a new note needs a topic and content',
    }),
  result: contextNote,
  event: noEvent,
});
