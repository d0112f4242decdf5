import { z } from 'zod';

/**
 * A collection archive (`.pustaka-collection`): a gzipped tar of
 *   manifest.json    the collection row, its embedder, counts and member checksums
 *   documents.jsonl  one `documents` row per line (indexed documents only)
 *   chunks.jsonl     one chunk per line, ordered by document then ordinal, with its stored
 *                    (normalised) vector as base64 float32 — no re-embedding on the other side
 * optionally encrypted like a backup.
 */
export const COLLECTION_SUFFIX = '.pustaka-collection';
export const COLLECTION_MEMBERS = {
  manifest: 'manifest.json',
  documents: 'documents.jsonl',
  chunks: 'chunks.jsonl',
};
export const COLLECTION_MEMBER_LIST = Object.values(COLLECTION_MEMBERS);

export const collectionManifestSchema = z.object({
  format: z.literal('pustaka-collection'),
  formatVersion: z.literal(1),
  app: z.object({ name: z.string(), version: z.string() }),
  exportedAt: z.string(),
  collection: z.object({
    name: z.string().min(1),
    description: z.string().nullable(),
    embedderId: z.string().min(1),
    embeddingDim: z.number().int().positive(),
    chunkSize: z.number().int().positive(),
    chunkOverlap: z.number().int().nonnegative(),
    /** OCR on or off for its imports; absent in archives made before OCR (then: on). */
    ocr: z.boolean().optional(),
  }),
  /** The embedding model, when the collection is not on the built-in embedder. */
  embedderModel: z.object({ name: z.string(), sha256: z.string(), fileName: z.string() }).nullable(),
  counts: z.object({ documents: z.number().int().nonnegative(), chunks: z.number().int().nonnegative() }),
  members: z.array(z.object({ name: z.string(), sizeBytes: z.number().int(), sha256: z.string() })),
});
export type CollectionManifest = z.output<typeof collectionManifestSchema>;

export const exportedDocumentSchema = z.object({
  id: z.number().int(),
  sourcePath: z.string().min(1),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  mime: z.string().nullable(),
  fileType: z.string().nullable(),
  title: z.string().nullable(),
  tags: z.array(z.string()),
  sizeBytes: z.number().int().nullable(),
  pageCount: z.number().int().nullable(),
  chunkCount: z.number().int().nonnegative(),
  metadata: z.record(z.string(), z.unknown()),
  fileMtime: z.string().nullable(),
  importedAt: z.string().nullable(),
  /** Its pages read by OCR (documents.ocr_*); absent when none, or in archives made before OCR. */
  ocr: z
    .object({
      pages: z.array(z.number().int().positive()),
      lowConfidencePages: z.array(z.number().int().positive()),
      confidence: z.number().min(0).max(100).nullable(),
    })
    .optional(),
});
export type ExportedDocument = z.output<typeof exportedDocumentSchema>;

export const exportedChunkSchema = z.object({
  documentId: z.number().int(),
  ordinal: z.number().int().nonnegative(),
  text: z.string(),
  headingPath: z.array(z.string()),
  page: z.number().int().nullable(),
  charStart: z.number().int(),
  charEnd: z.number().int(),
  tokenCount: z.number().int(),
  /** base64 of the float32 vector. */
  embedding: z.string(),
});
export type ExportedChunk = z.output<typeof exportedChunkSchema>;
