import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { conversationSummary } from './ask.ts';
import { noEvent } from './common.ts';

const id = z.number().int().positive();
const text = (max: number) => z.string().trim().max(max);
const name = z
  .string()
  .trim()
  .min(1, 'a name cannot be empty')
  .max(200, 'a name is at most 200 characters')
  .refine((s) => !/\p{Cc}/u.test(s), 'a name cannot contain control characters');
/** A client is addressed by its id or (case-insensitively) by its name. */
export const clientRef = z.union([id, name]);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'a date is written YYYY-MM-DD');
/** An ISO date-time (or date); parsed by the engine. */
const instant = z
  .string()
  .trim()
  .refine(
    (s) => !Number.isNaN(Date.parse(s)),
    'not a valid date or time (use ISO 8601, e.g. 2026-03-12T09:30)',
  );
const page = {
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
};

export const clientStatus = z.enum(['proposed', 'active', 'archived']);
export const clientSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: z.enum(['person', 'company']),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  notes: z.string().nullable(),
  status: clientStatus,
  /** Messages that mention the client's entities (the evidence of a proposal). */
  mentions: z.number().int(),
  facts: z.number().int(),
  projects: z.number().int(),
  conversations: z.number().int(),
  trackedSeconds: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ClientInfo = z.output<typeof clientSchema>;

export const projectStatus = z.enum(['planned', 'active', 'on_hold', 'done', 'cancelled']);
export const projectSchema = z.object({
  id: z.number().int(),
  clientId: z.number().int(),
  clientName: z.string(),
  name: z.string(),
  type: z.string().nullable(),
  status: projectStatus,
  startsOn: z.string().nullable(),
  dueOn: z.string().nullable(),
  endedOn: z.string().nullable(),
  notes: z.string().nullable(),
  trackedSeconds: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProjectInfo = z.output<typeof projectSchema>;

export const sessionSchema = z.object({
  id: z.number().int(),
  clientId: z.number().int().nullable(),
  clientName: z.string().nullable(),
  projectId: z.number().int().nullable(),
  projectName: z.string().nullable(),
  conversationId: z.number().int().nullable(),
  startedAt: z.string(),
  /** null while the timer runs. */
  endedAt: z.string().nullable(),
  /** Up to now for the running session. */
  durationSeconds: z.number().int(),
  description: z.string().nullable(),
  billable: z.boolean(),
});
export type SessionInfo = z.output<typeof sessionSchema>;

export const clientsListContract = defineMethod({
  method: 'clients.list',
  summary: 'Clients (default: active and proposed), with facts, projects and tracked time.',
  params: z
    .object({
      status: z.enum(['proposed', 'active', 'archived', 'all']).optional(),
      query: text(200).optional(),
      ...page,
    })
    .strict()
    .default({ limit: 100, offset: 0 }),
  result: z.object({ clients: z.array(clientSchema), total: z.number().int() }),
  event: noEvent,
});

export const clientsGetContract = defineMethod({
  method: 'clients.get',
  summary: 'One client with its projects and the names it is mentioned under.',
  params: z.object({ client: clientRef }).strict(),
  result: clientSchema.extend({
    projectList: z.array(projectSchema),
    entities: z.array(
      z.object({ id: z.number().int(), kind: z.string(), name: z.string(), mentions: z.number().int() }),
    ),
  }),
  event: noEvent,
});

const clientFields = {
  kind: z.enum(['person', 'company']).optional(),
  email: text(200).nullable().optional(),
  phone: text(100).nullable().optional(),
  notes: text(10_000).nullable().optional(),
};

export const clientsCreateContract = defineMethod({
  method: 'clients.create',
  summary: 'Add a client (active).',
  params: z.object({ name, ...clientFields }).strict(),
  result: clientSchema,
  event: noEvent,
});

export const clientsUpdateContract = defineMethod({
  method: 'clients.update',
  summary: 'Change a client’s name, kind, contact details, notes or status.',
  params: z
    .object({ client: clientRef, name: name.optional(), status: clientStatus.optional(), ...clientFields })
    .strict(),
  result: clientSchema,
  event: noEvent,
});

export const clientsConfirmContract = defineMethod({
  method: 'clients.confirm',
  summary: 'Confirm a proposed client: it becomes active and its entities’ facts are linked to it.',
  params: z.object({ client: clientRef }).strict(),
  result: clientSchema.extend({ linkedFacts: z.number().int() }),
  event: noEvent,
});

export const clientsRejectContract = defineMethod({
  method: 'clients.reject',
  summary: 'Reject a proposed client: removed, and not proposed again.',
  params: z.object({ client: clientRef }).strict(),
  result: z.object({ id: z.number().int(), name: z.string() }),
  event: noEvent,
});

export const clientsDeleteContract = defineMethod({
  method: 'clients.delete',
  summary: 'Delete a client and its projects; facts, entities, conversations and sessions stay, unlinked.',
  params: z.object({ client: clientRef }).strict(),
  result: z.object({ id: z.number().int(), name: z.string(), projects: z.number().int() }),
  event: noEvent,
});

export const clientsProposeContract = defineMethod({
  method: 'clients.propose',
  summary: 'Propose clients from people and companies mentioned in two or more messages.',
  params: z.object({}).strict().default({}),
  result: z.object({ proposed: z.number().int(), linked: z.number().int() }),
  event: noEvent,
});

export const projectsListContract = defineMethod({
  method: 'projects.list',
  summary: 'Projects, by due date, optionally of one client or in one status.',
  params: z
    .object({ client: clientRef.optional(), status: projectStatus.optional(), ...page })
    .strict()
    .default({ limit: 100, offset: 0 }),
  result: z.object({ projects: z.array(projectSchema), total: z.number().int() }),
  event: noEvent,
});

const projectFields = {
  type: text(100).nullable().optional(),
  status: projectStatus.optional(),
  startsOn: isoDate.nullable().optional(),
  dueOn: isoDate.nullable().optional(),
  endedOn: isoDate.nullable().optional(),
  notes: text(10_000).nullable().optional(),
};

export const projectsCreateContract = defineMethod({
  method: 'projects.create',
  summary: 'Add a project for a client.',
  params: z.object({ client: clientRef, name, ...projectFields }).strict(),
  result: projectSchema,
  event: noEvent,
});

export const projectsUpdateContract = defineMethod({
  method: 'projects.update',
  summary: 'Change a project’s name, type, status, timeline or notes.',
  params: z.object({ id, name: name.optional(), ...projectFields }).strict(),
  result: projectSchema,
  event: noEvent,
});

export const projectsDeleteContract = defineMethod({
  method: 'projects.delete',
  summary: 'Delete a project (its sessions and conversations stay, unlinked).',
  params: z.object({ id }).strict(),
  result: z.object({ id: z.number().int(), name: z.string() }),
  event: noEvent,
});

const sessionLinks = {
  client: clientRef.optional(),
  projectId: id.optional(),
  conversationId: id.optional(),
  note: text(2_000).optional(),
};

export const sessionsStartContract = defineMethod({
  method: 'sessions.start',
  summary: 'Start the timer (one runs at a time).',
  params: z
    .object({ ...sessionLinks, at: instant.optional() })
    .strict()
    .default({}),
  result: sessionSchema,
  event: noEvent,
});

export const sessionsStopContract = defineMethod({
  method: 'sessions.stop',
  summary: 'Stop the running timer.',
  params: z
    .object({ at: instant.optional(), note: text(2_000).optional() })
    .strict()
    .default({}),
  result: sessionSchema,
  event: noEvent,
});

export const sessionsCurrentContract = defineMethod({
  method: 'sessions.current',
  summary: 'The running session, or null.',
  params: z.object({}).strict().default({}),
  result: sessionSchema.nullable(),
  event: noEvent,
});

export const sessionsAddContract = defineMethod({
  method: 'sessions.add',
  summary: 'Record a finished session by hand.',
  params: z
    .object({ ...sessionLinks, startedAt: instant, endedAt: instant, billable: z.boolean().default(true) })
    .strict(),
  result: sessionSchema,
  event: noEvent,
});

const sessionFilter = {
  /** Sessions that started on or after / before these times. */
  from: instant.optional(),
  to: instant.optional(),
  client: clientRef.optional(),
  projectId: id.optional(),
};

export const sessionsListContract = defineMethod({
  method: 'sessions.list',
  summary: 'Work sessions, newest first, with the total tracked time of the whole selection.',
  params: z
    .object({ ...sessionFilter, ...page })
    .strict()
    .default({ limit: 100, offset: 0 }),
  result: z.object({
    sessions: z.array(sessionSchema),
    total: z.number().int(),
    totalSeconds: z.number().int(),
  }),
  event: noEvent,
});

export const sessionsDeleteContract = defineMethod({
  method: 'sessions.delete',
  summary: 'Delete a work session.',
  params: z.object({ id }).strict(),
  result: z.object({ id: z.number().int() }),
  event: noEvent,
});

export const sessionsExportContract = defineMethod({
  method: 'sessions.export',
  summary: 'Work sessions as CSV (oldest first): written to a file, or returned when no path is given.',
  params: z
    .object({ ...sessionFilter, path: z.string().trim().min(1).optional() })
    .strict()
    .default({}),
  result: z.object({ rows: z.number().int(), path: z.string().nullable(), csv: z.string().nullable() }),
  event: noEvent,
});

export const conversationsLinkContract = defineMethod({
  method: 'conversations.link',
  summary: 'Link a conversation to a client and/or project (null unlinks); its facts then reach the prompt.',
  params: z
    .object({
      conversationId: id,
      client: clientRef.nullable().optional(),
      projectId: id.nullable().optional(),
    })
    .strict(),
  result: conversationSummary,
  event: noEvent,
});
