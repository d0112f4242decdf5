import fs from 'node:fs';
import path from 'node:path';
import { APP_INFO } from '../../base/app-info.ts';
import { getCollection, type CollectionRef } from '../../knowledge/collections/collections.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { sha256File } from '../../base/hash-file.ts';
import { embedderIdOf } from '../../models/llm/models.ts';
import { writeArchive } from './archive.ts';
import { writeAudit } from './audit.ts';
import { loadInstallKey } from './install-key.ts';
import {
  COLLECTION_MEMBER_LIST,
  COLLECTION_MEMBERS,
  COLLECTION_SUFFIX,
  type CollectionManifest,
  type ExportedChunk,
  type ExportedDocument,
} from './collection-format.ts';

export interface ExportResult {
  path: string;
  sizeBytes: number;
  sha256: string;
  collection: string;
  documents: number;
  chunks: number;
  embedderId: string;
  durationMs: number;
}

interface DocRow {
  id: number;
  source_path: string;
  content_hash: string;
  mime: string | null;
  file_type: string | null;
  title: string | null;
  tags: string[];
  size_bytes: number | null;
  page_count: number | null;
  chunk_count: number;
  metadata: Record<string, unknown>;
  file_mtime: Date | null;
  imported_at: Date | null;
  ocr_pages: number[];
  ocr_low_confidence_pages: number[];
  ocr_confidence: number | null;
}

/** `--out` may name a folder (the file is named after the collection) or the archive itself. */
function outputPath(out: string, collectionName: string): string {
  const abs = path.resolve(out);
  if (fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
    const slug =
      collectionName
        .normalize('NFKD')
        .replace(/[^\p{L}\p{N}]+/gu, '-')
        .replace(/^-|-$/g, '') || 'collection';
    return path.join(abs, `${slug}${COLLECTION_SUFFIX}`);
  }
  return abs;
}

/**
 * Writes one collection — its row, its indexed documents, their chunks and stored vectors — to an
 * archive. Read in one read-only PG transaction with the chunks read synchronously inside it, so a
 * concurrent import cannot make the documents and chunks disagree.
 */
export async function exportCollection(
  engine: Engine,
  ref: CollectionRef,
  out: string,
  opts: { passphrase?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<ExportResult> {
  const started = performance.now();
  const collection = await getCollection(engine.db, engine.vectors, ref);
  const file = outputPath(out, collection.name);
  if (fs.existsSync(file)) {
    throw new PustakaError('conflict', `${file} already exists; choose another --out`, { path: file });
  }
  if (!fs.existsSync(path.dirname(file))) {
    throw new PustakaError('invalid_params', `the folder ${path.dirname(file)} does not exist`, {
      path: file,
    });
  }
  const work = fs.mkdtempSync(path.join(path.dirname(file), '.pustaka-export-'));
  try {
    let documents = 0;
    let chunks = 0;
    let model: CollectionManifest['embedderModel'] = null;
    await engine.db.pg.transaction(async (tx) => {
      await tx.exec('SET TRANSACTION READ ONLY');
      const docs = (
        await tx.query<DocRow>(
          `SELECT id, source_path, content_hash, mime, file_type, title, tags, size_bytes, page_count, chunk_count,
                  metadata, file_mtime, imported_at, ocr_pages, ocr_low_confidence_pages, ocr_confidence
           FROM documents WHERE collection_id = $1 AND status = 'indexed' ORDER BY id`,
          [collection.id],
        )
      ).rows;
      if (collection.embedderModel || collection.embedderId.startsWith('gguf:')) {
        const models = (
          await tx.query<{ name: string; sha256: string; file_name: string }>(
            `SELECT name, sha256, file_name FROM models WHERE kind = 'embedding'`,
          )
        ).rows;
        const m = models.find((r) => embedderIdOf(r.sha256) === collection.embedderId);
        if (m) model = { name: m.name, sha256: m.sha256, fileName: m.file_name };
      }
      documents = writeDocuments(path.join(work, COLLECTION_MEMBERS.documents), docs);
      chunks = writeChunks(
        engine,
        path.join(work, COLLECTION_MEMBERS.chunks),
        collection.id,
        new Set(docs.map((d) => Number(d.id))),
      );
    });
    opts.signal?.throwIfAborted();
    const members = [];
    for (const name of [COLLECTION_MEMBERS.documents, COLLECTION_MEMBERS.chunks]) {
      const p = path.join(work, name);
      const size = fs.statSync(p).size;
      members.push({ name, sizeBytes: size, sha256: await sha256File(p, size) });
    }
    const manifest: CollectionManifest = {
      format: 'pustaka-collection',
      formatVersion: 1,
      app: { name: APP_INFO.name, version: APP_INFO.version },
      exportedAt: new Date().toISOString(),
      collection: {
        name: collection.name,
        description: collection.description,
        embedderId: collection.embedderId,
        embeddingDim: collection.embeddingDim,
        chunkSize: collection.chunkSize,
        chunkOverlap: collection.chunkOverlap,
        ocr: collection.ocr,
      },
      embedderModel: model,
      counts: { documents, chunks },
      members,
    };
    fs.writeFileSync(path.join(work, COLLECTION_MEMBERS.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    const written = await writeArchive({
      dir: work,
      members: COLLECTION_MEMBER_LIST,
      out: file,
      passphrase: opts.passphrase,
      signingKey: loadInstallKey(engine.paths.root),
      signal: opts.signal,
    });
    await writeAudit(
      engine.db,
      'collection.export',
      { type: 'collection', id: collection.id },
      {
        name: collection.name,
        file,
        documents,
        chunks,
        encrypted: opts.passphrase !== undefined,
      },
    );
    return {
      path: file,
      sizeBytes: written.sizeBytes,
      sha256: written.sha256,
      collection: collection.name,
      documents,
      chunks,
      embedderId: collection.embedderId,
      durationMs: performance.now() - started,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function writeDocuments(file: string, docs: DocRow[]): number {
  const fd = fs.openSync(file, 'w');
  try {
    for (const d of docs) {
      const doc: ExportedDocument = {
        id: Number(d.id),
        sourcePath: d.source_path,
        contentHash: d.content_hash,
        mime: d.mime,
        fileType: d.file_type,
        title: d.title,
        tags: d.tags,
        sizeBytes: d.size_bytes === null ? null : Number(d.size_bytes),
        pageCount: d.page_count,
        chunkCount: d.chunk_count,
        metadata: d.metadata,
        fileMtime: d.file_mtime?.toISOString() ?? null,
        importedAt: d.imported_at?.toISOString() ?? null,
        ...(d.ocr_pages?.length
          ? {
              ocr: {
                pages: d.ocr_pages,
                lowConfidencePages: d.ocr_low_confidence_pages ?? [],
                confidence: d.ocr_confidence === null ? null : Number(d.ocr_confidence),
              },
            }
          : {}),
      };
      fs.writeSync(fd, `${JSON.stringify(doc)}\n`);
    }
  } finally {
    fs.closeSync(fd);
  }
  return docs.length;
}

/** Synchronous on purpose: no SQLite write can land between the first and the last row read. */
function writeChunks(engine: Engine, file: string, collectionId: number, docIds: Set<number>): number {
  const rows = engine.vectors.collectionExportRows(collectionId);
  const fd = fs.openSync(file, 'w');
  let n = 0;
  try {
    let buffer = '';
    for (const r of rows) {
      if (!docIds.has(r.documentId)) continue; // chunks PG does not vouch for (an import mid-way)
      if (!r.embedding)
        throw new PustakaError(
          'storage_error',
          `chunk ${r.ordinal} of document ${r.documentId} has no vector`,
        );
      const chunk: ExportedChunk = {
        documentId: r.documentId,
        ordinal: r.ordinal,
        text: r.text,
        headingPath: r.headingPath,
        page: r.page,
        charStart: r.charStart,
        charEnd: r.charEnd,
        tokenCount: r.tokenCount,
        embedding: r.embedding.toString('base64'),
      };
      buffer += `${JSON.stringify(chunk)}\n`;
      if (buffer.length > 1 << 20) {
        fs.writeSync(fd, buffer);
        buffer = '';
      }
      n++;
    }
    fs.writeSync(fd, buffer);
  } finally {
    fs.closeSync(fd);
  }
  return n;
}
