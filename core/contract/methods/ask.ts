import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { collectionRef, noEvent } from './common.ts';
import { indexRebuild, MAX_QUERY_LENGTH } from './search.ts';

export const answerPath = z.enum(['cache', 'golden', 'rag', 'extractive']);
export type AnswerPath = z.output<typeof answerPath>;

export const citationSchema = z.object({
  /** The passage number as cited in the answer: [n]. */
  n: z.number().int(),
  chunkId: z.number().int().nullable(),
  documentId: z.number().int().nullable(),
  title: z.string().nullable(),
  sourcePath: z.string(),
  headingPath: z.array(z.string()),
  page: z.number().int().nullable(),
  /** The passage was recognised by OCR (a scanned page, a picture). */
  ocr: z.boolean().optional(),
  quote: z.string(),
});
export type CitationInfo = z.output<typeof citationSchema>;

export const askParams = z
  .object({
    question: z
      .string()
      .max(MAX_QUERY_LENGTH, `a question is at most ${MAX_QUERY_LENGTH} characters`)
      .refine((s) => s.trim().length > 0, 'the question cannot be empty'),
    /** Ids or names; all collections when absent. */
    collections: z.array(collectionRef).min(1).max(100).optional(),
    /** Continue this conversation (its messages become the history). */
    conversationId: z.number().int().positive().optional(),
    /** Passages retrieved. */
    k: z.number().int().min(1).max(50).default(8),
  })
  .strict();
export type AskParams = z.input<typeof askParams>;

export const askTimings = z.object({
  cacheMs: z.number(),
  goldenMs: z.number(),
  retrieveMs: z.number(),
  promptMs: z.number(),
  generateMs: z.number(),
  /** From the start of the call to the first streamed token (null: nothing generated). */
  firstTokenMs: z.number().nullable(),
  totalMs: z.number(),
});
export type AskTimings = z.output<typeof askTimings>;

export const askResult = z.object({
  answer: z.string(),
  path: answerPath,
  citations: z.array(citationSchema),
  conversationId: z.number().int(),
  messageId: z.number().int(),
  /** 'partial' when generation was cancelled or cut off. */
  status: z.enum(['complete', 'partial']),
  timings: askTimings,
  tokens: z.object({ in: z.number().int(), out: z.number().int() }),
  model: z.string().nullable(),
  /** Passages retrieved for this answer (0 for cache and golden answers). */
  passages: z.number().int(),
  /** For a golden answer: which one, and how the question matched it. */
  golden: z
    .object({
      id: z.number().int(),
      match: z.enum(['exact', 'variation', 'loose', 'semantic']),
      matchedQuestion: z.string(),
      /** Cosine similarity of a semantic match; null for exact ones. */
      similarity: z.number().nullable(),
    })
    .optional(),
  /** Why the answer is not what one would expect (model failed to load, invalid citations…). */
  notice: z.string().optional(),
  /** Present while the search index is being rebuilt: the passages may be incomplete. */
  rebuilding: indexRebuild.optional(),
});
export type AskResult = z.output<typeof askResult>;

export const askEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('retrieved'), passages: z.number().int() }),
  z.object({ type: z.literal('token'), text: z.string() }),
]);
export type AskEvent = z.output<typeof askEvent>;

export const askContract = defineMethod({
  method: 'ask',
  summary:
    'Answer a question from the documents: cache → golden → retrieval → local Llama (or extractive), cited.',
  params: askParams,
  result: askResult,
  event: askEvent,
});

export const conversationSummary = z.object({
  id: z.number().int(),
  title: z.string().nullable(),
  clientId: z.number().int().nullable(),
  projectId: z.number().int().nullable(),
  messageCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConversationSummary = z.output<typeof conversationSummary>;

export const messageSchema = z.object({
  id: z.number().int(),
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
  path: answerPath.nullable(),
  citations: z.array(citationSchema),
  model: z.string().nullable(),
  tokensIn: z.number().int().nullable(),
  tokensOut: z.number().int().nullable(),
  status: z.enum(['complete', 'partial', 'error']),
  error: z.string().nullable(),
  createdAt: z.string(),
});
export type MessageInfo = z.output<typeof messageSchema>;

const conversationId = z.number().int().positive();

export const conversationsListContract = defineMethod({
  method: 'conversations.list',
  summary: 'Conversations, most recent activity first, with their message counts.',
  params: z
    .object({
      limit: z.number().int().min(1).max(500).default(50),
      offset: z.number().int().min(0).default(0),
    })
    .strict()
    .default({ limit: 50, offset: 0 }),
  result: z.object({ conversations: z.array(conversationSummary), total: z.number().int() }),
  event: noEvent,
});

export const conversationsGetContract = defineMethod({
  method: 'conversations.get',
  summary: 'One conversation with all its messages and their citations.',
  params: z.object({ id: conversationId }).strict(),
  result: conversationSummary.extend({ messages: z.array(messageSchema) }),
  event: noEvent,
});

export const conversationsRenameContract = defineMethod({
  method: 'conversations.rename',
  summary: 'Give a conversation a new title.',
  params: z.object({ id: conversationId, title: z.string().trim().min(1).max(200) }).strict(),
  result: conversationSummary,
  event: noEvent,
});

export const conversationsDeleteContract = defineMethod({
  method: 'conversations.delete',
  summary: 'Delete a conversation and its messages (query logs keep the question, unlinked).',
  params: z.object({ id: conversationId }).strict(),
  result: z.object({ id: z.number().int(), title: z.string().nullable(), messages: z.number().int() }),
  event: noEvent,
});

export const conversationsSearchContract = defineMethod({
  method: 'conversations.search',
  summary: 'Full-text search over the messages of all conversations.',
  params: z
    .object({
      query: z.string().refine((s) => s.trim().length > 0, 'the query cannot be empty'),
      limit: z.number().int().min(1).max(200).default(20),
    })
    .strict(),
  result: z.object({
    hits: z.array(
      z.object({
        conversationId: z.number().int(),
        conversationTitle: z.string().nullable(),
        messageId: z.number().int(),
        role: z.enum(['system', 'user', 'assistant']),
        /** The message around the matches; matches wrapped in « ». */
        snippet: z.string(),
        rank: z.number(),
        createdAt: z.string(),
      }),
    ),
  }),
  event: noEvent,
});
