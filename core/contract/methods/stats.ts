import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { noEvent } from './common.ts';

/** Latency stages recorded in query_logs.latency_ms. */
export const LATENCY_STAGES = [
  'cacheMs',
  'goldenMs',
  'retrieveMs',
  'promptMs',
  'firstTokenMs',
  'generateMs',
  'loadMs',
  'totalMs',
] as const;

const count = z.number().int();

export const statsResult = z.object({
  from: z.string(),
  to: z.string(),
  days: count,
  totals: z.object({
    questions: count,
    errors: count,
    tokensIn: count,
    tokensOut: count,
    conversations: count,
  }),
  /** One row per day of the period (zeros included), oldest first: ready to chart. */
  perDay: z.array(
    z.object({
      day: z.string(),
      questions: count,
      cache: count,
      golden: count,
      rag: count,
      extractive: count,
      errors: count,
      tokensIn: count,
      tokensOut: count,
    }),
  ),
  pathMix: z.array(
    z.object({ path: z.enum(['cache', 'golden', 'rag', 'extractive']), count, share: z.number() }),
  ),
  /** Percentiles in milliseconds over the questions where the stage ran (> 0). */
  latency: z.array(
    z.object({
      stage: z.enum(LATENCY_STAGES),
      count,
      p50: z.number().nullable(),
      p95: z.number().nullable(),
      p99: z.number().nullable(),
    }),
  ),
  /** Questions the documents could not answer (nothing found, no passages, or a low top score). */
  gaps: z.array(
    z.object({
      question: z.string(),
      normalizedQuestion: z.string(),
      count,
      lastAskedAt: z.string(),
      bestScore: z.number().nullable(),
      nothingFound: count,
    }),
  ),
  crm: z.object({
    clients: count,
    proposedClients: count,
    projects: count,
    activeProjects: count,
    sessions: count,
    trackedSeconds: count,
  }),
  memory: z.object({ facts: count, superseded: count, entities: count }),
  /** performance_metrics recorded in the period, per name. */
  metrics: z.array(
    z.object({
      name: z.string(),
      unit: z.string().nullable(),
      count,
      avg: z.number(),
      p50: z.number(),
      p95: z.number(),
      last: z.number(),
    }),
  ),
});
export type StatsResult = z.output<typeof statsResult>;

export const statsContract = defineMethod({
  method: 'stats',
  summary:
    'How the assistant is doing: questions per day, answer paths, stage latencies, tokens, knowledge gaps.',
  params: z
    .object({
      days: z.number().int().min(1).max(3650).default(30),
      /** How many gaps to list. */
      top: z.number().int().min(1).max(100).default(10),
      /** Also count answers whose best passage scored below this as gaps. */
      lowScore: z.number().min(0).optional(),
      /** The end of the period (default now); for tests and reports of past periods. */
      until: z
        .string()
        .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid date or time')
        .optional(),
    })
    .strict()
    .default({ days: 30, top: 10 }),
  result: statsResult,
  event: noEvent,
});
