import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { noEvent } from './common.ts';
import { clientRef } from './crm.ts';

const id = z.number().int().positive();
const page = {
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
};
const short = (what: string, max: number) =>
  z.string().trim().min(1, `${what} cannot be empty`).max(max, `${what} is at most ${max} characters`);

export const entityKind = z.enum([
  'person',
  'company',
  'place',
  'permit',
  'visa',
  'licence',
  'date',
  'amount',
  'other',
]);
export const factStatus = z.enum(['active', 'superseded', 'rejected']);

export const factSchema = z.object({
  id: z.number().int(),
  subject: z.string(),
  attribute: z.string(),
  value: z.string(),
  fact: z.string(),
  status: factStatus,
  confidence: z.number(),
  /** 'patterns', 'model' or 'user' (edited). */
  method: z.string(),
  entityId: z.number().int().nullable(),
  clientId: z.number().int().nullable(),
  sourceMessageId: z.number().int().nullable(),
  sourceConversationId: z.number().int().nullable(),
  supersededBy: z.number().int().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});
export type FactInfo = z.output<typeof factSchema>;

export const entitySchema = z.object({
  id: z.number().int(),
  kind: entityKind,
  name: z.string(),
  normalizedName: z.string(),
  clientId: z.number().int().nullable(),
  mentions: z.number().int(),
  conversations: z.number().int(),
  attributes: z.record(z.string(), z.unknown()),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});
export type EntityInfo = z.output<typeof entitySchema>;

export const memoryFactsContract = defineMethod({
  method: 'memory.facts',
  summary: 'Facts learned from conversations, most recently seen first (default: active ones).',
  params: z
    .object({
      client: clientRef.optional(),
      subject: z.string().trim().min(1).optional(),
      status: z.enum(['active', 'superseded', 'rejected', 'all']).default('active'),
      /** Full-text over subject and fact. */
      query: z.string().trim().min(1).optional(),
      conversationId: id.optional(),
      ...page,
    })
    .strict()
    .default({ status: 'active', limit: 100, offset: 0 }),
  result: z.object({ facts: z.array(factSchema), total: z.number().int() }),
  event: noEvent,
});

export const memoryUpdateFactContract = defineMethod({
  method: 'memory.updateFact',
  summary: 'Correct a fact (it becomes a user fact, confidence 1) or restore a rejected/superseded one.',
  params: z
    .object({
      id,
      subject: short('the subject', 200).optional(),
      attribute: short('the attribute', 60).optional(),
      value: short('the value', 500).optional(),
      status: z.literal('active').optional(),
    })
    .strict()
    .refine(
      (p) => p.subject ?? p.attribute ?? p.value ?? p.status,
      'nothing to change: give subject, attribute, value or status',
    ),
  result: factSchema,
  event: noEvent,
});

export const memoryRejectFactContract = defineMethod({
  method: 'memory.rejectFact',
  summary: 'Mark a fact wrong: kept out of prompts and not learned again.',
  params: z.object({ id }).strict(),
  result: factSchema,
  event: noEvent,
});

export const memoryDeleteFactContract = defineMethod({
  method: 'memory.deleteFact',
  summary: 'Delete a fact for good (it may be learned again from its message).',
  params: z.object({ id }).strict(),
  result: z.object({ id: z.number().int(), fact: z.string() }),
  event: noEvent,
});

export const memoryConflictsContract = defineMethod({
  method: 'memory.conflicts',
  summary: 'Facts replaced by a newer, different value (resolved by recency), newest first.',
  params: z
    .object({ client: clientRef.optional(), ...page })
    .strict()
    .default({ limit: 100, offset: 0 }),
  result: z.object({
    conflicts: z.array(z.object({ old: factSchema, current: factSchema })),
    total: z.number().int(),
  }),
  event: noEvent,
});

export const memoryEntitiesContract = defineMethod({
  method: 'memory.entities',
  summary: 'Entities extracted from conversations, most mentioned first.',
  params: z
    .object({
      kind: entityKind.optional(),
      client: clientRef.optional(),
      query: z.string().trim().min(1).optional(),
      ...page,
    })
    .strict()
    .default({ limit: 100, offset: 0 }),
  result: z.object({ entities: z.array(entitySchema), total: z.number().int() }),
  event: noEvent,
});

export const analyzeResultSchema = z.object({
  conversations: z.number().int(),
  messages: z.number().int(),
  entities: z.number().int(),
  facts: z.number().int(),
  proposals: z.number().int(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  method: z.enum(['patterns', 'model']),
  notice: z.string().optional(),
});

export const memoryAnalyzeContract = defineMethod({
  method: 'memory.analyze',
  summary: 'Extract facts and entities now: one conversation, or all with new messages (since a time).',
  params: z
    .object({
      conversationId: id.optional(),
      since: z
        .string()
        .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid date or time')
        .optional(),
      /** Also ask the active chat model (JSON schema); patterns alone otherwise. */
      useModel: z.boolean().default(false),
      /** Most model tokens to spend. */
      maxTokens: z.number().int().positive().optional(),
    })
    .strict()
    .default({ useModel: false }),
  result: analyzeResultSchema,
  event: noEvent,
});
