import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { noEvent } from './common.ts';

export const workerStepName = z.enum(['cluster', 'golden', 'cultural', 'memory', 'maintenance']);

export const workerStepState = z.object({
  status: z.enum(['pending', 'running', 'done', 'failed', 'aborted']),
  ms: z.number().optional(),
  note: z.string().optional(),
  error: z.string().optional(),
});

export const workerRun = z.object({
  id: z.number().int(),
  trigger: z.enum(['idle', 'manual', 'schedule']),
  status: z.enum(['running', 'done', 'failed', 'aborted', 'interrupted']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  steps: z.record(z.string(), workerStepState),
  clustersFound: z.number().int(),
  goldenGenerated: z.number().int(),
  culturalGenerated: z.number().int(),
  factsExtracted: z.number().int(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type WorkerRunInfo = z.output<typeof workerRun>;

/** When the worker runs by itself (profile.settings.worker); defaults fill what is unset. */
export const workerSettings = z.object({
  /** Off = the worker never starts by itself (run on demand still works). */
  enabled: z.boolean().default(true),
  idleMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** On laptops: wait for AC power. */
  requireAc: z.boolean().default(true),
  /** Local hour from which an idle run may start (0 = any time). */
  earliestHour: z.number().int().min(0).max(23).default(0),
  /** Tokens (in + out) one run may spend generating. */
  budgetTokens: z.number().int().min(0).max(10_000_000).default(200_000),
  budgetMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** Take a daily backup in the maintenance step. */
  backup: z.boolean().default(true),
});
export type WorkerSettings = z.output<typeof workerSettings>;

const workerSettingsPatch = z
  .object({
    enabled: z.boolean(),
    idleMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    requireAc: z.boolean(),
    earliestHour: z.number().int().min(0).max(23),
    budgetTokens: z.number().int().min(0).max(10_000_000),
    budgetMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    backup: z.boolean(),
  })
  .partial()
  .strict();

export const activityParams = z
  .object({
    idleSeconds: z.number().min(0).max(1e9),
    onBattery: z.boolean().nullable(),
    locked: z.boolean().default(false),
    suspended: z.boolean().default(false),
  })
  .strict();

export const decisionSchema = z.object({
  action: z.enum(['start', 'continue', 'stop', 'wait']),
  reason: z.string(),
});

export const workerEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('step'),
    step: workerStepName,
    status: workerStepState.shape.status,
    note: z.string().optional(),
  }),
  z.object({
    type: z.literal('progress'),
    step: workerStepName,
    done: z.number().int(),
    total: z.number().int(),
    message: z.string(),
  }),
]);

export const workerRunContract = defineMethod({
  method: 'worker.run',
  summary:
    'Run the nightly worker now (cluster questions, draft golden answers, context notes, memory, maintenance); continues a run stopped earlier today.',
  params: z
    .object({
      steps: z.array(workerStepName).min(1).optional(),
      budgetTokens: z.number().int().min(0).max(10_000_000).optional(),
      maxMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .optional(),
      maxGolden: z.number().int().min(0).max(1000).optional(),
      minAsks: z.number().int().min(1).max(1000).optional(),
      /** Longest generated golden answer in characters. */
      answerMaxChars: z.number().int().min(20).max(8000).optional(),
      backup: z.boolean().optional(),
    })
    .strict()
    .default({}),
  result: workerRun,
  event: workerEvent,
});

export const workerStatusContract = defineMethod({
  method: 'worker.status',
  summary: 'Whether the worker runs now, its last run, its settings and what it would decide now.',
  params: z.object({}).strict().default({}),
  result: z.object({
    running: workerRun.nullable(),
    lastRun: workerRun.nullable(),
    settings: workerSettings,
    activity: activityParams.extend({ receivedAt: z.string() }).nullable(),
    decision: decisionSchema.nullable(),
  }),
  event: noEvent,
});

export const workerHistoryContract = defineMethod({
  method: 'worker.history',
  summary: 'Past worker runs, newest first.',
  params: z
    .object({ limit: z.number().int().min(1).max(365).default(30) })
    .strict()
    .default({ limit: 30 }),
  result: z.array(workerRun),
  event: noEvent,
});

export const workerActivityContract = defineMethod({
  method: 'worker.activity',
  summary:
    "The shell's idle report (idle seconds, battery, lock, sleep): starts the worker when idle, stops it when the user is back.",
  params: activityParams,
  result: decisionSchema,
  event: noEvent,
});

export const workerStopContract = defineMethod({
  method: 'worker.stop',
  summary: 'Stop the run in progress (it continues from where it stopped next time).',
  params: z.object({}).strict().default({}),
  result: z.object({ stopped: z.boolean() }),
  event: noEvent,
});

export const workerSettingsContract = defineMethod({
  method: 'worker.settings',
  summary: 'Read or change when the worker runs by itself (idle minutes, AC power, pause, budget).',
  params: workerSettingsPatch.default({}),
  result: workerSettings,
  event: noEvent,
});
