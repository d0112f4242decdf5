import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { ArchiveIntegrity } from '../../contract/methods/backup.ts';
import type { Collection } from '../../contract/methods/collections.ts';
import { getCollection } from '../../knowledge/collections/collections.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { BUILTIN_EMBEDDER } from '../../models/embed/builtin-spec.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { embedderIdOf } from '../../models/llm/models.ts';
import { setCollectionEmbedderId } from '../../stores/vectors/reembed.ts';
import { fillTitles } from '../../stores/reconcile.ts';
import type { ChunkInput } from '../../stores/vectors/store.ts';
import { extractArchive } from './archive.ts';
import { writeAudit } from './audit.ts';
import {
  COLLECTION_MEMBER_LIST,
  COLLECTION_MEMBERS,
  collectionManifestSchema,
  exportedChunkSchema,
  exportedDocumentSchema,
  type CollectionManifest,
  type ExportedDocument,
} from './collection-format.ts';
import { checkMembers } from './manifest.ts';
import { checkSignature, SIGNATURE_MEMBER } from './signature.ts';

export interface ImportArchiveResult {
  collection: Collection;
  documents: number;
  chunks: number;
  vectorsUsable: boolean;
  warning: string | null;
  integrity: ArchiveIntegrity;
  durationMs: number;
}

/**
 * Imports a collection archive as a new collection, searchable at once with the stored vectors.
 * Everything happens inside one PG transaction with the SQLite writes made before its commit: a
 * failure or a crash leaves no collection in PG, and the reconciler (or the catch below) removes
 * the SQLite side — the same order the importer keeps.
 */
export async function importCollectionArchive(
  engine: Engine,
  file: string,
  opts: {
    as?: string | undefined;
    passphrase?: string | undefined;
    signal?: AbortSignal | undefined;
  } = {},
): Promise<ImportArchiveResult> {
  const started = performance.now();
  const archive = path.resolve(file);
  const stat = fs.statSync(archive, { throwIfNoEntry: false });
  if (!stat) throw new PustakaError('not_found', `${archive} does not exist`, { path: archive });
  if (!stat.isFile()) {
    throw new PustakaError('invalid_params', `${archive} is a folder, not a collection archive`, {
      path: archive,
    });
  }
  const work = fs.mkdtempSync(path.join(engine.paths.root, '.collection-import-'));
  try {
    const { encrypted } = await extractArchive(archive, work, COLLECTION_MEMBER_LIST, {
      passphrase: opts.passphrase,
      signal: opts.signal,
      optional: [SIGNATURE_MEMBER],
    });
    const integrity = checkSignature(work, archive, encrypted, {
      dataDir: engine.paths.root,
      action: 'import',
    });
    const manifest = readManifest(path.join(work, COLLECTION_MEMBERS.manifest), archive);
    const expected = [COLLECTION_MEMBERS.documents, COLLECTION_MEMBERS.chunks];
    const bad = (await checkMembers(work, manifest, expected)).filter((c) => !c.ok);
    if (bad.length) {
      throw new PustakaError(
        'storage_error',
        `${path.basename(archive)} is damaged: ${bad.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
      );
    }
    const name = (opts.as ?? manifest.collection.name).trim();
    const taken = await engine.db.query('SELECT 1 FROM collections WHERE lower(name) = lower($1)', [name]);
    if (taken.length) {
      throw new PustakaError(
        'conflict',
        `a collection named "${name}" already exists; import it under another name with --as NAME`,
        { name },
      );
    }
    const { modelPath, warning } = await resolveEmbedder(engine.db, manifest);
    const docs = await readDocuments(path.join(work, COLLECTION_MEMBERS.documents));

    let collectionId = 0;
    let chunks = 0;
    try {
      await engine.db.transaction(async (tx) => {
        collectionId = await insertCollection(tx, name, manifest, modelPath);
        const ids = await insertDocuments(tx, collectionId, docs);
        engine.vectors.ensureCollection(collectionId, manifest.collection.embeddingDim);
        setCollectionEmbedderId(engine.vectors, collectionId, manifest.collection.embedderId);
        chunks = await writeChunks(
          engine,
          collectionId,
          ids,
          manifest.collection.embeddingDim,
          path.join(work, COLLECTION_MEMBERS.chunks),
          opts.signal,
        );
        if (chunks !== manifest.counts.chunks) {
          throw new PustakaError(
            'storage_error',
            `${path.basename(archive)} holds ${chunks} chunks, its manifest says ${manifest.counts.chunks}`,
          );
        }
        // The archive's chunks carry no title; the keyword index gets the documents' own.
        await fillTitles(tx, engine.vectors);
        await writeAudit(
          tx,
          'collection.import',
          { type: 'collection', id: collectionId },
          {
            name,
            originalName: manifest.collection.name,
            file: archive,
            documents: docs.length,
            chunks,
            embedderId: manifest.collection.embedderId,
            integrity: integrity.status,
          },
        );
      });
    } catch (err) {
      if (collectionId) engine.vectors.dropCollection(collectionId);
      throw err;
    }
    await engine.events.emit('documents-changed', { collectionIds: [collectionId] });
    return {
      collection: await getCollection(engine.db, engine.vectors, collectionId),
      documents: docs.length,
      chunks,
      vectorsUsable: warning === null,
      warning,
      integrity,
      durationMs: performance.now() - started,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function readManifest(file: string, archive: string): CollectionManifest {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new PustakaError('storage_error', `${path.basename(archive)}: its manifest is not valid JSON`);
  }
  const parsed = collectionManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new PustakaError('invalid_params', `${path.basename(archive)} is not a Pustaka collection archive`);
  }
  return parsed.data;
}

/**
 * The built-in embedder exists everywhere. A GGUF embedder is usable if the same model file (by
 * content) is registered here; otherwise the vectors are kept for when it is, and the collection
 * is searchable by keyword meanwhile.
 */
async function resolveEmbedder(
  db: Queryable,
  manifest: CollectionManifest,
): Promise<{ modelPath: string | null; warning: string | null }> {
  const id = manifest.collection.embedderId;
  if (id === BUILTIN_EMBEDDER.id) return { modelPath: null, warning: null };
  const models = await db.query<{ path: string; sha256: string }>(
    `SELECT path, sha256 FROM models WHERE kind = 'embedding'`,
  );
  const found = models.find((m) => embedderIdOf(m.sha256) === id);
  if (found) return { modelPath: found.path, warning: null };
  const model = manifest.embedderModel;
  return {
    modelPath: null,
    warning: `this collection was embedded with ${model ? `the model "${model.name}" (${model.fileName})` : id}, which is not installed here: keyword search works now; for vector and hybrid search import that model (pustaka models import) or re-embed the collection (pustaka collections embedder)`,
  };
}

async function readDocuments(file: string): Promise<ExportedDocument[]> {
  const docs: ExportedDocument[] = [];
  for await (const line of readline.createInterface({
    input: fs.createReadStream(file),
    crlfDelay: Infinity,
  })) {
    if (!line) continue;
    const parsed = exportedDocumentSchema.safeParse(parseLine(line));
    if (!parsed.success)
      throw new PustakaError('storage_error', `a document line of the archive is malformed`);
    docs.push(parsed.data);
  }
  return docs;
}

async function insertCollection(
  tx: Queryable,
  name: string,
  m: CollectionManifest,
  modelPath: string | null,
): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO collections (name, description, embedder_id, embedding_dim, chunk_size, chunk_overlap, settings, ocr)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      name,
      m.collection.description,
      m.collection.embedderId,
      m.collection.embeddingDim,
      m.collection.chunkSize,
      m.collection.chunkOverlap,
      modelPath ? { embedderModel: modelPath } : {},
      m.collection.ocr ?? true,
    ],
  );
  return Number(rows[0]!.id);
}

/** Old document id (in the archive) → new id here. */
async function insertDocuments(
  tx: Queryable,
  collectionId: number,
  docs: ExportedDocument[],
): Promise<Map<number, number>> {
  const ids = new Map<number, number>();
  for (let i = 0; i < docs.length; i += 500) {
    const batch = docs.slice(i, i + 500);
    const rows = await tx.query<{ id: number; source_path: string }>(
      `INSERT INTO documents (collection_id, source_path, content_hash, mime, file_type, title, tags, size_bytes,
                              page_count, chunk_count, status, metadata, file_mtime, imported_at,
                              ocr_pages, ocr_low_confidence_pages, ocr_confidence)
       SELECT $1, r."sourcePath", r."contentHash", r.mime, r."fileType", r.title,
              ARRAY(SELECT jsonb_array_elements_text(r.tags)), r."sizeBytes", r."pageCount", r."chunkCount",
              'indexed', r.metadata, r."fileMtime", r."importedAt",
              ARRAY(SELECT jsonb_array_elements_text(coalesce(r.ocr->'pages', '[]')))::int[],
              ARRAY(SELECT jsonb_array_elements_text(coalesce(r.ocr->'lowConfidencePages', '[]')))::int[],
              (r.ocr->>'confidence')::real
       FROM jsonb_to_recordset($2::jsonb) AS r("sourcePath" text, "contentHash" text, mime text, "fileType" text,
            title text, tags jsonb, "sizeBytes" bigint, "pageCount" int, "chunkCount" int, metadata jsonb,
            "fileMtime" timestamptz, "importedAt" timestamptz, ocr jsonb)
       RETURNING id, source_path`,
      [collectionId, JSON.stringify(batch)],
    );
    const byPath = new Map(rows.map((r) => [r.source_path, Number(r.id)]));
    for (const d of batch) ids.set(d.id, byPath.get(d.sourcePath)!);
  }
  return ids;
}

/** Streams chunks.jsonl (ordered by document) and writes each document's chunks in one transaction. */
async function writeChunks(
  engine: Engine,
  collectionId: number,
  ids: Map<number, number>,
  dim: number,
  file: string,
  signal?: AbortSignal,
): Promise<number> {
  let current: number | null = null;
  let pending: ChunkInput[] = [];
  let total = 0;
  const flush = () => {
    if (current === null) return;
    const docId = ids.get(current);
    if (docId === undefined)
      throw new PustakaError('storage_error', `the archive has chunks of an unknown document ${current}`);
    engine.vectors.replaceDocumentChunks(collectionId, docId, pending);
    total += pending.length;
    pending = [];
  };
  for await (const line of readline.createInterface({
    input: fs.createReadStream(file),
    crlfDelay: Infinity,
  })) {
    if (!line) continue;
    const parsed = exportedChunkSchema.safeParse(parseLine(line));
    if (!parsed.success) throw new PustakaError('storage_error', 'a chunk line of the archive is malformed');
    const c = parsed.data;
    const bytes = Buffer.from(c.embedding, 'base64');
    if (bytes.length !== dim * 4) {
      throw new PustakaError(
        'storage_error',
        `a chunk vector has ${bytes.length / 4} dimensions, the collection ${dim}`,
      );
    }
    if (c.documentId !== current) {
      flush();
      signal?.throwIfAborted();
      current = c.documentId;
    }
    const embedding = new Float32Array(dim);
    new Uint8Array(embedding.buffer).set(bytes);
    pending.push({
      ordinal: c.ordinal,
      text: c.text,
      headingPath: c.headingPath,
      page: c.page,
      charStart: c.charStart,
      charEnd: c.charEnd,
      tokenCount: c.tokenCount,
      embedding,
    });
  }
  flush();
  return total;
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null; // reported by the schema check as a malformed line
  }
}
