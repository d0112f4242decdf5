/**
 * What a search covers, from Postgres (the source of truth): the collections asked for, with the
 * embedder each was built with, and the metadata of their documents for filters and result titles.
 *
 * Both are cached in the engine's 'search' cache, so they are dropped exactly when search results
 * are (after an import changed a collection, a document was deleted, …). Document metadata is
 * cached per collection; ids missing from a cached map (a document imported since) are fetched on
 * demand.
 */
import type { NamedCache } from '../../base/cache/named-cache.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { PustakaError } from '../../base/errors.ts';
import type { VectorStore } from '../../stores/vectors/store.ts';

export interface ScopeCollection {
  id: number;
  name: string;
  embedderId: string;
  embeddingDim: number;
  /** The embedding GGUF file (a name in the data folder's `models/`, or a path), or null: built-in. */
  embedderModel: string | null;
}

export interface DocMeta {
  id: number;
  collectionId: number;
  title: string | null;
  sourcePath: string;
  fileType: string | null;
  /** Lower-cased. */
  tags: string[];
  importedAt: number | null;
  chunkCount: number;
  /** Pages whose text is OCR text (documents.ocr_pages). */
  ocrPages: number[];
}

export interface SearchFilters {
  /** Lower-cased; a document matches with any of them. */
  tags?: string[] | undefined;
  types?: string[] | undefined;
  /** Epoch ms, inclusive. */
  importedAfter?: number | undefined;
  /** Epoch ms, exclusive. */
  importedBefore?: number | undefined;
}

interface CollectionRow {
  id: number | string;
  name: string;
  embedder_id: string;
  embedding_dim: number;
  settings: { embedderModel?: string | null } | null;
}

async function loadCollections(db: Queryable): Promise<ScopeCollection[]> {
  const rows = await db.query<CollectionRow>(
    'SELECT id, name, embedder_id, embedding_dim, settings FROM collections ORDER BY id',
  );
  return rows.map((r): ScopeCollection => ({
    id: Number(r.id),
    name: r.name,
    embedderId: r.embedder_id,
    embeddingDim: r.embedding_dim,
    embedderModel: r.settings?.embedderModel ?? null,
  }));
}

interface CachedCollections {
  /** The vector store's collection registry when loaded (ids, dimensions, embedders). */
  fingerprint: string;
  all: ScopeCollection[];
}

/**
 * Every collection, from the search cache while the vector store's registry is unchanged: creating,
 * deleting or re-embedding a collection changes it, so the list is never stale on what matters for
 * retrieval. (A rename is caught by the retry in resolveCollections.)
 */
async function allCollections(
  db: Queryable,
  vectors: VectorStore,
  cache: NamedCache<NonNullable<unknown>>,
  fresh: boolean,
): Promise<ScopeCollection[]> {
  const fingerprint = vectors.registryFingerprint();
  const cached = cache.get('collections') as CachedCollections | undefined;
  if (!fresh && cached?.fingerprint === fingerprint) return cached.all;
  const all = await loadCollections(db);
  cache.set('collections', { fingerprint, all } satisfies CachedCollections);
  return all;
}

/** The collections named (ids or case-insensitive names), or all of them; unknown ones are an error. */
export async function resolveCollections(
  db: Queryable,
  vectors: VectorStore,
  cache: NamedCache<NonNullable<unknown>>,
  refs: readonly (number | string)[] | undefined,
): Promise<ScopeCollection[]> {
  let all = await allCollections(db, vectors, cache, false);
  if (!refs) return all;
  const find = (ref: number | string) =>
    typeof ref === 'number'
      ? all.find((x) => x.id === ref)
      : all.find((x) => x.name.toLowerCase() === ref.trim().toLowerCase());
  if (refs.some((ref) => !find(ref))) all = await allCollections(db, vectors, cache, true);
  const picked = new Map<number, ScopeCollection>();
  for (const ref of refs) {
    const c = find(ref);
    if (!c) {
      throw new PustakaError(
        'not_found',
        typeof ref === 'number' ? `no collection with id ${ref}` : `no collection named "${ref}"`,
        { collection: ref },
      );
    }
    picked.set(c.id, c);
  }
  return [...picked.values()].sort((a, b) => a.id - b.id);
}

export function hasFilters(f: SearchFilters): boolean {
  return Boolean(
    f.tags?.length || f.types?.length || f.importedAfter !== undefined || f.importedBefore !== undefined,
  );
}

export function matchesFilters(doc: DocMeta, f: SearchFilters): boolean {
  if (f.types?.length && !(doc.fileType && f.types.includes(doc.fileType))) return false;
  if (f.tags?.length && !doc.tags.some((t) => f.tags!.includes(t))) return false;
  if (f.importedAfter !== undefined && !(doc.importedAt !== null && doc.importedAt >= f.importedAfter))
    return false;
  if (f.importedBefore !== undefined && !(doc.importedAt !== null && doc.importedAt < f.importedBefore))
    return false;
  return true;
}

interface DocRow {
  id: number | string;
  collection_id: number | string;
  title: string | null;
  source_path: string;
  file_type: string | null;
  tags: string[] | null;
  imported_at: Date | null;
  chunk_count: number;
  ocr_pages: number[] | null;
}

const DOC_COLUMNS =
  'id, collection_id, title, source_path, file_type, tags, imported_at, chunk_count, ocr_pages';

function toMeta(r: DocRow): DocMeta {
  return {
    id: Number(r.id),
    collectionId: Number(r.collection_id),
    title: r.title,
    sourcePath: r.source_path,
    fileType: r.file_type,
    tags: (r.tags ?? []).map((t) => t.toLowerCase()),
    importedAt: r.imported_at ? r.imported_at.getTime() : null,
    chunkCount: r.chunk_count,
    ocrPages: r.ocr_pages ?? [],
  };
}

/** One collection's documents as far as known; `complete` once all of them were loaded. */
interface CollectionDocs {
  complete: boolean;
  byId: Map<number, DocMeta>;
}

/** Document metadata for searches, cached per collection (see the module comment). */
export class DocumentCatalog {
  constructor(
    private readonly db: Queryable,
    private readonly cache: NamedCache<NonNullable<unknown>>,
  ) {}

  private entry(collectionId: number): CollectionDocs {
    const key = `docs:${collectionId}`;
    let docs = this.cache.get(key) as CollectionDocs | undefined;
    if (!docs) {
      docs = { complete: false, byId: new Map() };
      this.cache.set(key, docs);
    }
    return docs;
  }

  /** Every live document of these collections (loaded once per collection, then cached). */
  async all(collectionIds: readonly number[]): Promise<DocMeta[]> {
    const entries = collectionIds.map((id) => [id, this.entry(id)] as const);
    const missing = entries.filter(([, e]) => !e.complete).map(([id]) => id);
    if (missing.length) {
      const rows = await this.db.query<DocRow>(
        `SELECT ${DOC_COLUMNS} FROM documents WHERE collection_id = ANY($1::bigint[]) AND status <> 'deleted'`,
        [missing],
      );
      for (const [id, e] of entries) {
        if (!missing.includes(id)) continue;
        e.byId.clear();
        e.complete = true;
      }
      for (const r of rows) {
        const m = toMeta(r);
        this.entry(m.collectionId).byId.set(m.id, m);
      }
    }
    return entries.flatMap(([, e]) => [...e.byId.values()]);
  }

  /** Metadata of these documents by id; ids not in Postgres (or deleted there) are absent. */
  async get(refs: readonly { collectionId: number; documentId: number }[]): Promise<Map<number, DocMeta>> {
    const out = new Map<number, DocMeta>();
    const missing: number[] = [];
    for (const { collectionId, documentId } of refs) {
      if (out.has(documentId)) continue;
      const m = this.entry(collectionId).byId.get(documentId);
      if (m) out.set(documentId, m);
      else if (!missing.includes(documentId)) missing.push(documentId);
    }
    if (missing.length) {
      const rows = await this.db.query<DocRow>(
        `SELECT ${DOC_COLUMNS} FROM documents WHERE id = ANY($1::bigint[]) AND status <> 'deleted'`,
        [missing],
      );
      for (const r of rows) {
        const m = toMeta(r);
        this.entry(m.collectionId).byId.set(m.id, m);
        out.set(m.id, m);
      }
    }
    return out;
  }
}
