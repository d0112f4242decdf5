import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { noEvent } from './common.ts';

export const auditEntrySchema = z.object({
  id: z.number().int(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  actor: z.string(),
  createdAt: z.string(),
});
export type AuditEntryResult = z.output<typeof auditEntrySchema>;

export const auditListContract = defineMethod({
  method: 'audit.list',
  summary: 'The audit trail of sensitive actions, newest first.',
  params: z
    .object({
      limit: z.number().int().min(1).max(1_000).default(50),
      /** Only this action ('collection.delete') or family ('lock' matches 'lock.*'). */
      action: z.string().trim().min(1).max(100).optional(),
      /** Entries older than this id (paging). */
      beforeId: z.number().int().positive().optional(),
    })
    .strict()
    .default({ limit: 50 }),
  result: z.array(auditEntrySchema),
  event: noEvent,
});
