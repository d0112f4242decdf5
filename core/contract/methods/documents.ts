import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { collectionRef, noEvent } from './common.ts';

export const documentStatus = z.enum([
  'pending',
  'extracting',
  'chunking',
  'embedding',
  'indexed',
  'failed',
  'deleted',
]);

const mailAddress = z.object({ name: z.string(), address: z.string() });

/** A message's headers (documents.metadata.email), for .eml, .msg and the messages of a mailbox. */
export const emailSchema = z.object({
  messageId: z.string().nullable(),
  /** The Message-ID of the thread's first message: messages with the same one are a thread. */
  threadId: z.string().nullable(),
  inReplyTo: z.string().nullable(),
  subject: z.string().nullable(),
  from: z.array(mailAddress),
  to: z.array(mailAddress),
  cc: z.array(mailAddress),
  /** ISO 8601; null when the message has no valid date. */
  date: z.string().nullable(),
  /** The names of its attachments; those imported are documents of their own (see `members`). */
  attachments: z.array(z.string()),
  /** Attachments not imported, and why ("files of type .zip cannot be imported"). */
  notImported: z.array(z.object({ name: z.string(), why: z.string() })),
  /** Other places the same message was found (by Message-ID) and not indexed again. */
  alsoIn: z.array(z.string()),
});
export type EmailInfo = z.output<typeof emailSchema>;

/** A document whose text was (partly) recognised by OCR from scanned pages or pictures. */
export const documentOcrSchema = z.object({
  /** 1-based pages whose text is OCR text (citations from them say so). */
  pages: z.array(z.number().int()),
  /** The OCR pages read with low confidence (below 60 of 100): check them against the original. */
  lowConfidencePages: z.array(z.number().int()),
  /** Mean OCR confidence over those pages, 0–100. */
  confidence: z.number().nullable(),
});
export type DocumentOcr = z.output<typeof documentOcrSchema>;

export const documentSchema = z.object({
  id: z.number().int(),
  collectionId: z.number().int(),
  sourcePath: z.string(),
  title: z.string().nullable(),
  /** Who wrote it, as the file's own properties say (PPTX, OpenDocument, RTF); null when unknown. */
  author: z.string().nullable(),
  fileType: z.string().nullable(),
  mime: z.string().nullable(),
  tags: z.array(z.string()),
  sizeBytes: z.number().int().nullable(),
  pageCount: z.number().int().nullable(),
  chunkCount: z.number().int(),
  status: documentStatus,
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  contentHash: z.string(),
  importedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** A message's headers; null for other documents. */
  email: emailSchema.nullable(),
  /**
   * For a document inside another one (a mailbox's message, a message's attachment): the source
   * path of that document; null for a file of its own.
   */
  partOf: z.string().nullable(),
  /** For such a document: the file on disk that holds it (what to import again); else null. */
  container: z.string().nullable(),
  /** Its OCR pages; null when none of its text came from OCR. */
  ocr: documentOcrSchema.nullable(),
});
export type DocumentInfo = z.output<typeof documentSchema>;

/** A document named in another's view: a message's attachment, a thread's message. */
export const documentRefSchema = z.object({
  id: z.number().int(),
  title: z.string().nullable(),
  sourcePath: z.string(),
  fileType: z.string().nullable(),
  status: documentStatus,
  error: z.string().nullable(),
  /** For a message: who sent it, and when (ISO 8601). */
  from: z.string().nullable(),
  date: z.string().nullable(),
});
export type DocumentRef = z.output<typeof documentRefSchema>;

export const documentsListContract = defineMethod({
  method: 'documents.list',
  summary: 'Documents of a collection, filtered by status or text, paged.',
  params: z
    .object({
      collection: collectionRef,
      status: documentStatus.optional(),
      /** Words in the title or file path. */
      query: z.string().max(500).optional(),
      /** Only the messages of this thread (its first message's Message-ID), oldest first. */
      thread: z.string().trim().min(1).max(1_000).optional(),
      limit: z.number().int().min(1).max(1_000).default(100),
      offset: z.number().int().min(0).default(0),
    })
    .strict(),
  result: z.object({ total: z.number().int(), items: z.array(documentSchema) }),
  event: noEvent,
});

export const documentsGetContract = defineMethod({
  method: 'documents.get',
  summary:
    'One document with its processing steps, the document it sits in, the documents inside it (a message’s attachments, a mailbox’s messages) and, for a message, its thread.',
  params: z.object({ id: z.number().int().positive() }).strict(),
  result: documentSchema.extend({
    /** The document it sits in (the message of an attachment, the mailbox of a message). */
    parent: documentRefSchema.nullable(),
    /** The documents inside it, in order (the first 500). */
    members: z.object({ total: z.number().int(), items: z.array(documentRefSchema) }),
    /** For a message: the messages of its thread (itself included), oldest first; else []. */
    thread: z.array(documentRefSchema),
    steps: z.array(
      z.object({
        jobId: z.number().int(),
        step: z.string(),
        status: z.string(),
        durationMs: z.number().int().nullable(),
        error: z.string().nullable(),
        finishedAt: z.string().nullable(),
      }),
    ),
  }),
  event: noEvent,
});

export const chunkSchema = z.object({
  id: z.number().int(),
  ordinal: z.number().int(),
  text: z.string(),
  headingPath: z.array(z.string()),
  page: z.number().int().nullable(),
  charStart: z.number().int(),
  charEnd: z.number().int(),
  tokenCount: z.number().int(),
});

export const documentsChunksContract = defineMethod({
  method: 'documents.chunks',
  summary: 'The chunks of one document, in order.',
  params: z
    .object({
      id: z.number().int().positive(),
      limit: z.number().int().min(1).max(10_000).default(1_000),
      offset: z.number().int().min(0).default(0),
    })
    .strict(),
  result: z.object({ total: z.number().int(), items: z.array(chunkSchema) }),
  event: noEvent,
});

export const documentsDeleteContract = defineMethod({
  method: 'documents.delete',
  summary: 'Delete a document and its chunks.',
  params: z.object({ id: z.number().int().positive() }).strict(),
  result: z.object({ id: z.number().int(), sourcePath: z.string(), chunks: z.number().int() }),
  event: noEvent,
});
