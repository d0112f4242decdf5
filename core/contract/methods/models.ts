import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { noEvent } from './common.ts';

export const modelRole = z.enum(['chat', 'embedding']);
export type ModelRole = z.output<typeof modelRole>;

/** A model is addressed by its id, its name, its file name or a SHA-256 prefix (8+ hex digits). */
export const modelRef = z.union([z.number().int().positive(), z.string().trim().min(1).max(300)]);

export const modelSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: modelRole,
  fileName: z.string(),
  /** Absolute: in this data folder's models folder, or (linked) wherever the file was chosen. */
  path: z.string(),
  linked: z.boolean(),
  sha256: z.string(),
  /** The id an embedder made from this file has: 'gguf:' + 16 hex digits of the SHA-256. */
  embedderId: z.string(),
  sizeBytes: z.number().int(),
  architecture: z.string().nullable(),
  quantization: z.string().nullable(),
  parameters: z.number().int().nullable(),
  contextLength: z.number().int().nullable(),
  chatTemplate: z.boolean(),
  source: z.enum(['imported', 'downloaded']),
  sourceUri: z.string().nullable(),
  /** The roles this model has now. */
  activeFor: z.array(modelRole),
  /** False when the file was moved or deleted behind our back. */
  fileExists: z.boolean(),
  createdAt: z.string(),
});
export type ModelInfo = z.output<typeof modelSchema>;

export const modelProgressEvent = z.object({
  type: z.literal('progress'),
  phase: z.enum(['download', 'verify', 'copy', 'hash']),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  elapsedMs: z.number(),
});
export type ModelProgressEvent = z.output<typeof modelProgressEvent>;

export const modelImportResult = z.object({
  model: modelSchema,
  /** The same file (by hash) was already registered: nothing was copied. */
  alreadyPresent: z.boolean(),
  durationMs: z.number(),
});

export const modelsListContract = defineMethod({
  method: 'models.list',
  summary: 'GGUF models in this data dir, with the chat and embedding roles.',
  params: z.object({}).strict().default({}),
  result: z.object({
    models: z.array(modelSchema),
    active: z.object({ chat: z.string().nullable(), embedding: z.string().nullable() }),
    modelsDir: z.string(),
  }),
  event: noEvent,
});

export const modelsInspectContract = defineMethod({
  method: 'models.inspect',
  summary: 'One model, or any GGUF file on disk, read from its header (not loaded).',
  params: z.object({ model: modelRef }).strict(),
  result: z.object({
    model: modelSchema.nullable(),
    file: z.object({
      path: z.string(),
      sizeBytes: z.number().int(),
      ggufVersion: z.number().int(),
      architecture: z.string().nullable(),
      name: z.string().nullable(),
      parameters: z.number().int(),
      quantization: z.string().nullable(),
      contextLength: z.number().int().nullable(),
      embeddingLength: z.number().int().nullable(),
      layers: z.number().int().nullable(),
      heads: z.number().int().nullable(),
      headsKv: z.number().int().nullable(),
      vocabSize: z.number().int().nullable(),
      tokenizer: z.string().nullable(),
      chatTemplate: z.string().nullable(),
      kind: modelRole,
      tensors: z.number().int(),
      issues: z.array(z.object({ severity: z.enum(['error', 'warning']), message: z.string() })),
    }),
  }),
  event: noEvent,
});

export const modelsImportContract = defineMethod({
  method: 'models.import',
  summary: 'Import a GGUF file (validated first): copied into the models folder, or linked in place.',
  params: z
    .object({
      path: z.string().min(1),
      link: z.boolean().default(false),
      name: z.string().trim().min(1).max(200).optional(),
    })
    .strict(),
  result: modelImportResult,
  event: modelProgressEvent,
});

export const modelsDownloadContract = defineMethod({
  method: 'models.download',
  summary: 'Download a catalog model (resumable, hash-checked), then import it.',
  params: z
    .object({
      name: z.string().trim().min(1),
      /** Accept a file whose SHA-256 the catalog does not know. */
      allowUnverified: z.boolean().default(false),
    })
    .strict(),
  result: modelImportResult.extend({ resumedFrom: z.number().int(), verified: z.boolean() }),
  event: modelProgressEvent,
});

export const modelsCatalogContract = defineMethod({
  method: 'models.catalog',
  summary: 'Recommended GGUF models that `models.download` can fetch.',
  params: z.object({}).strict().default({}),
  result: z.array(
    z.object({
      name: z.string(),
      role: modelRole,
      title: z.string(),
      fileName: z.string(),
      sizeBytes: z.number().int().nullable(),
      quantization: z.string(),
      licence: z.string(),
      uri: z.string(),
      sha256: z.string().nullable(),
      verified: z.boolean(),
      installed: z.boolean(),
    }),
  ),
  event: noEvent,
});

export const modelsUseContract = defineMethod({
  method: 'models.use',
  summary: 'Choose the chat model, or the embedding model new collections use.',
  params: z.object({ model: modelRef, role: modelRole }).strict(),
  result: modelSchema,
  event: noEvent,
});

export const modelsRemoveContract = defineMethod({
  method: 'models.remove',
  summary: 'Forget a model and delete its copied file (refused while a collection embeds with it).',
  params: z.object({ model: modelRef }).strict(),
  result: z.object({ model: modelSchema, fileDeleted: z.boolean() }),
  event: noEvent,
});

export const hardwareSchema = z.object({
  platform: z.string(),
  arch: z.string(),
  cpuCores: z.number().int(),
  cpuModel: z.string(),
  ramTotal: z.number(),
  ramFree: z.number(),
  gpu: z.union([z.string(), z.literal(false)]),
  gpuName: z.string().nullable(),
  vramTotal: z.number(),
  vramFree: z.number(),
  unifiedMemory: z.boolean(),
  probeError: z.string().nullable(),
});

export const loadPlanSchema = z.object({
  model: z.string(),
  gpuLayers: z.number().int(),
  contextSize: z.number().int(),
  threads: z.number().int(),
  fits: z.boolean(),
  reason: z.string(),
});

export const modelsHardwareContract = defineMethod({
  method: 'models.hardware',
  summary: 'CPU, RAM and GPU of this machine, and how each registered model would be loaded.',
  params: z.object({}).strict().default({}),
  result: z.object({ hardware: hardwareSchema, plans: z.array(loadPlanSchema) }),
  event: noEvent,
});
