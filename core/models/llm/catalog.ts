/**
 * The catalog of recommended GGUF models (models/catalog.json), checked with zod when read. A
 * `sha256` of null means no published hash was found for the file: such an entry is marked
 * `verified: false`, and downloading it needs an explicit override.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { appFile } from '../../base/app-files.ts';

export const catalogEntrySchema = z
  .object({
    /** What the user types: `pustaka models download NAME`. */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, . _ -'),
    role: z.enum(['chat', 'embedding']),
    title: z.string().min(1),
    fileName: z.string().regex(/^[^/\\]+\.gguf$/i, 'a .gguf file name'),
    /** The exact size; null when not known for sure (then only approxBytes is). */
    sizeBytes: z.number().int().positive().nullable(),
    /** A rounded size from the publisher's listing, for display and the free-space check. */
    approxBytes: z.number().int().positive(),
    quantization: z.string().min(1),
    licence: z.string().min(1),
    /** A Hugging Face `resolve` URL. */
    uri: z.url({ protocol: /^https$/ }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    verified: z.boolean(),
    notes: z.string().optional(),
  })
  .refine((e) => !e.verified || e.sha256 !== null, {
    message: 'a verified entry needs its sha256',
    path: ['verified'],
  });
export type CatalogEntry = z.output<typeof catalogEntrySchema>;

export const catalogSchema = z
  .object({ version: z.literal(1), models: z.array(catalogEntrySchema) })
  .refine((c) => new Set(c.models.map((m) => m.name)).size === c.models.length, {
    message: 'catalog names must be unique',
  });

export const CATALOG_PATH = appFile('models', 'catalog.json');

let cached: CatalogEntry[] | undefined;

export function loadCatalog(file = CATALOG_PATH): CatalogEntry[] {
  if (file === CATALOG_PATH && cached) return cached;
  const models = catalogSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).models;
  if (file === CATALOG_PATH) cached = models;
  return models;
}

export function findCatalogEntry(name: string, catalog = loadCatalog()): CatalogEntry | undefined {
  const n = name.trim().toLowerCase();
  return catalog.find((e) => e.name === n || e.fileName.toLowerCase() === n);
}
