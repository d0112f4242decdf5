/**
 * Serving golden answers (DESIGN.md "Ask": golden exact → golden semantic). Exact: the same
 * normalised question, one of its approved variations, or the same words without fillers.
 * Semantic: the nearest approved golden question by embedding, above the embedder's threshold,
 * and only if the near-miss guard finds no number, code, date, name or negation that differs.
 * Results (hits and misses) are cached per question and scope until a golden answer changes.
 */
import type { Engine } from '../../engine/engine.ts';
import { defineService } from '../../engine/services.ts';
import { refreshGoldenStaleness } from './staleness.ts';
import type { Embedder } from '../../models/embed/types.ts';
import { goldenEmbedder } from './embedder.ts';
import { nearMissReason } from './near-miss.ts';
import type { QuestionKey } from './question-key.ts';
import { loadGoldenMatrix, nearestInMatrix, type GoldenMatrix } from './memory-index.ts';
import { approvedQuestions, ensureTable, syncGoldenIndex } from './semantic-index.ts';
import { goldenSettings, type GoldenSettings } from './settings.ts';
import { thresholdFor } from './thresholds.ts';

export type GoldenMatchKind = 'exact' | 'variation' | 'loose' | 'semantic';

export interface GoldenMatch {
  id: number;
  answer: string;
  sources: Record<string, unknown>[];
  canonicalQuestion: string;
  match: GoldenMatchKind;
  /** The golden wording that matched (canonical question or a variation). */
  matchedQuestion: string;
  /** Cosine similarity of a semantic match; null for exact ones. */
  similarity: number | null;
}

interface GoldenState {
  /** Embedder id the index was last synced for while nothing changed since; null = re-sync. */
  syncedFor: string | null;
  syncing: Promise<void> | null;
  /** The golden embedder, looked up once until something changes (one PG query saved a lookup). */
  embedder: Promise<Embedder> | null;
  /** The synced index in memory (for syncedFor's embedder). */
  matrix: GoldenMatrix | null;
  settings: Promise<GoldenSettings> | null;
}

const goldenService = defineService<GoldenState>('golden-index', () => ({
  syncedFor: null,
  syncing: null,
  embedder: null,
  matrix: null,
  settings: null,
}));
const stateOf = (engine: Engine): GoldenState => engine.services.get(goldenService);

/**
 * Subscribed once at start-up: after any change to golden answers or to the embedding model the
 * index re-syncs and cached lookups go; changed documents may leave golden answers stale.
 */
export function subscribeGolden(engine: Engine): void {
  const reset = () => {
    const s = stateOf(engine);
    s.syncedFor = null;
    s.embedder = null;
    s.matrix = null;
    s.settings = null;
    engine.caches.get('golden').clear();
  };
  engine.events.on('golden-changed', reset);
  engine.events.on('model-changed', ({ role }) => {
    if (role === 'embedding') reset(); // golden questions are matched with it
  });
  engine.events.on('documents-changed', async () => {
    await refreshGoldenStaleness(engine);
  });
}

/**
 * Makes the semantic index match the approved golden answers for the current embedder and
 * returns it, loaded in memory.
 */
export async function ensureGoldenIndex(
  engine: Engine,
  signal?: AbortSignal,
): Promise<{ embedder: Embedder; matrix: GoldenMatrix }> {
  const s = stateOf(engine);
  for (;;) {
    if (!s.embedder) {
      s.embedder = goldenEmbedder(engine);
      s.embedder.catch(() => (s.embedder = null));
    }
    const e = await s.embedder;
    if (s.syncedFor === e.id && s.matrix) return { embedder: e, matrix: s.matrix };
    if (!s.syncing) {
      s.syncing = (async () => {
        // Mark first: a change during the sync resets it, and the loop syncs again.
        s.syncedFor = e.id;
        try {
          await syncGoldenIndex(engine.vectors, await approvedQuestions(engine.db), e, signal);
          s.matrix = loadGoldenMatrix(engine.vectors, e, ensureTable(engine.vectors, e.dim));
        } catch (err) {
          s.syncedFor = null;
          throw err;
        }
      })().finally(() => {
        s.syncing = null;
      });
    }
    await s.syncing;
  }
}

interface Row {
  id: number | bigint;
  answer: string;
  sources: Record<string, unknown>[];
  canonical_question: string;
  query_hash: string;
  variations: string[];
  variation_hashes: string[];
}

const SCOPE = `(collection_ids IS NULL OR $SCOPE::bigint[] IS NULL OR collection_ids && $SCOPE::bigint[])`;

function toMatch(r: Row, match: GoldenMatchKind, hash: string, similarity: number | null, text?: string) {
  let matched = r.canonical_question;
  if (text) matched = text;
  else if (match === 'variation') {
    const i = r.variation_hashes.indexOf(hash);
    matched = r.variations[i] ?? r.canonical_question;
  }
  return {
    id: Number(r.id),
    answer: r.answer,
    sources: r.sources,
    canonicalQuestion: r.canonical_question,
    match,
    matchedQuestion: matched,
    similarity,
  } satisfies GoldenMatch;
}

const COLUMNS = 'id, answer, sources, canonical_question, query_hash, variations, variation_hashes';

/**
 * The same question first (one unique-index probe, the common hit), then its variations and its
 * filler-free key in one round trip (UNION ALL: one OR would make the planner combine all three
 * indexes for every question, several times slower).
 */
async function exactMatch(engine: Engine, key: QuestionKey, scope: number[] | null) {
  const branch = (rank: number, where: string, scopeParam: string) =>
    `(SELECT ${COLUMNS}, ${rank} AS rank FROM golden_answers
       WHERE ${where} AND review_status = 'approved' AND ${SCOPE.replaceAll('$SCOPE', scopeParam)}
       ORDER BY pinned DESC, usage_count DESC, id LIMIT 1)`;
  const [same] = await engine.db.query<Row & { rank: number }>(branch(1, 'query_hash = $1', '$2'), [
    key.hash,
    scope,
  ]);
  if (same) return toMatch(same, 'exact', key.hash, null);
  const [r] = await engine.db.query<Row & { rank: number }>(
    `${branch(2, 'variation_hashes @> ARRAY[$1]::text[]', '$3')}
     UNION ALL ${branch(3, "loose_key = $2 AND $2 <> ''", '$3')}
     ORDER BY rank LIMIT 1`,
    [key.hash, key.looseKey, scope],
  );
  if (!r) return null;
  return toMatch(r, r.rank === 2 ? 'variation' : 'loose', key.hash, null);
}

async function semanticMatch(
  engine: Engine,
  question: string,
  key: QuestionKey,
  scope: number[] | null,
  signal?: AbortSignal,
): Promise<GoldenMatch | null> {
  const s = stateOf(engine);
  if (!s.settings) {
    s.settings = goldenSettings(engine);
    s.settings.catch(() => (s.settings = null));
  }
  const settings = await s.settings;
  if (!settings.semantic) return null;
  const { embedder, matrix } = await ensureGoldenIndex(engine, signal);
  const [vector] = await embedder.embed([question], signal);
  const threshold = thresholdFor(embedder.id, settings.thresholds);
  for (const hit of nearestInMatrix(matrix, vector!, 5)) {
    if (hit.similarity < threshold) break;
    if (nearMissReason(question, hit.text) !== null) continue;
    const [r] = await engine.db.query<Row>(
      `SELECT ${COLUMNS} FROM golden_answers
        WHERE id = $1 AND review_status = 'approved' AND ${SCOPE.replaceAll('$SCOPE', '$2')}`,
      [hit.goldenId, scope],
    );
    if (r) return toMatch(r, 'semantic', key.hash, Math.round(hit.similarity * 1000) / 1000, hit.text);
  }
  return null;
}

type Cached = GoldenMatch | { miss: true };

/**
 * The approved golden answer for this question in this scope, or null. `semantic: false` keeps
 * to exact matches (a follow-up in a conversation depends on what came before it).
 */
export async function findGolden(
  engine: Engine,
  question: string,
  key: QuestionKey,
  scope: number[] | null,
  opts: { signal?: AbortSignal | undefined; semantic?: boolean } = {},
): Promise<GoldenMatch | null> {
  const semantic = opts.semantic ?? true;
  const cache = engine.caches.get<Cached>('golden');
  const cacheKey = `${key.hash}|${scope?.join(',') ?? '*'}|${semantic ? 's' : 'x'}`;
  const hit = cache.get(cacheKey);
  if (hit) return 'miss' in hit ? null : hit;
  const found =
    (await exactMatch(engine, key, scope)) ??
    (semantic ? await semanticMatch(engine, question, key, scope, opts.signal) : null);
  cache.set(cacheKey, found ?? { miss: true });
  return found;
}
