/**
 * Step 2: answer the most frequent clusters ahead of time. Each answer is grounded like ask:
 * retrieval for the cluster's representative question, then the local Llama under a JSON schema
 * (answer, confidence, passages used) — or, without a model (or when its reply is unusable), an
 * extractive answer. New answers are drafts unless the model is confident and cites passages.
 * Pinned, approved, rejected and draft answers are left alone; stale ones are regenerated.
 */
import { z } from 'zod';
import { searchParams, type SearchItem } from '../../../contract/methods/search.ts';
import type { CitationInfo } from '../../../contract/methods/ask.ts';
import { citationOf } from '../../../assistant/ask/citations.ts';
import { extractiveAnswer } from '../../../assistant/ask/extractive.ts';
import { formatPassage } from '../../../assistant/ask/prompt.ts';
import type { Db, Queryable } from '../../../stores/pg/pg-store.ts';
import { questionKeys } from '../../../assistant/golden/question-key.ts';
import { saveRevision } from '../../../assistant/golden/review.ts';
import { goldenSettings } from '../../../assistant/golden/settings.ts';
import { citationsToSources } from '../../../assistant/golden/sources.ts';
import { search } from '../../../knowledge/retrieval/search.ts';
import { throwIfAborted, type StepContext, type StepResult } from '../context.ts';
import { generateJson, workerChatModel } from '../generate-json.ts';

export const GOLDEN_SYSTEM_PROMPT = [
  'You write reference answers for a consultant, using only the numbered passages given.',
  'Reply with JSON: "answer" (the answer, citing passages like [1]), "confidence" (0 to 1: how fully',
  'the passages answer the question), "sources_used" (the numbers of the passages you used).',
  'If the passages do not answer the question, say so in "answer" and give a confidence below 0.3.',
].join(' ');

export function goldenJsonSchema(answerMaxChars: number) {
  return {
    type: 'object',
    properties: {
      answer: { type: 'string', maxLength: answerMaxChars },
      confidence: { type: 'number' },
      sources_used: { type: 'array', items: { type: 'integer' }, maxItems: 8 },
    },
    required: ['answer', 'confidence', 'sources_used'],
  } as const;
}

const reply = z.object({
  answer: z.string().trim().min(1),
  confidence: z.number(),
  sources_used: z.array(z.number().int()),
});

interface ClusterRow {
  id: number | bigint;
  query_count: number;
  representative_query: string;
}

interface Member {
  query_hash: string;
  question: string;
  collection_ids: (number | bigint)[] | null;
}

interface Draft {
  answer: string;
  citations: CitationInfo[];
  confidence: number;
  generatedBy: string;
  tokensIn: number | null;
  tokensOut: number | null;
  approved: boolean;
}

async function candidates(db: Queryable, minAsks: number, limit: number): Promise<ClusterRow[]> {
  return db.query<ClusterRow>(
    `SELECT c.id, c.query_count, c.representative_query FROM query_clusters c
      WHERE c.query_count >= $1 AND c.representative_query IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM golden_answers g
                         WHERE g.cluster_id = c.id AND (g.pinned OR g.review_status <> 'stale'))
      ORDER BY c.query_count DESC, c.id LIMIT $2`,
    [minAsks, limit],
  );
}

function scopeOf(members: readonly Member[]): number[] | null {
  if (members.some((m) => m.collection_ids === null)) return null;
  return [...new Set(members.flatMap((m) => m.collection_ids!.map(Number)))].sort((a, b) => a - b);
}

type WorkerModel = Awaited<ReturnType<typeof workerChatModel>>;

/** A golden answer already stored for a question. */
interface ExistingGolden {
  id: number | bigint;
  cluster_id: number | bigint | null;
  review_status: string;
}

/** The cluster being answered: its canonical question, key, members and collection scope. */
interface ClusterQuestion {
  clusterId: number;
  canonical: string;
  key: ReturnType<typeof questionKeys>;
  members: Member[];
  scope: number[] | null;
}

/** An extractive draft (sentences picked by word overlap), or null when nothing fits. */
function extractiveDraft(question: string, items: SearchItem[]): Draft | null {
  const ex = extractiveAnswer(question, items, { label: '', maxSentences: 3 });
  if (!ex.found || !ex.text.trim()) return null;
  return {
    answer: ex.text.trim(),
    citations: ex.cited.map((n) => citationOf(n, items[n - 1]!)),
    // Sentences picked by word overlap: always worth a look before serving.
    confidence: Math.min(0.5, Math.max(0.1, items[0]?.score ?? 0.1)),
    generatedBy: 'extractive',
    tokensIn: null,
    tokensOut: null,
    approved: false,
  };
}

async function draftFor(
  ctx: StepContext,
  question: string,
  items: SearchItem[],
  model: WorkerModel,
  autoApprove: number,
): Promise<Draft | null> {
  if (!model || ctx.overBudget()) return extractiveDraft(question, items);
  const passages = items.slice(0, 6);
  const r = await generateJson(ctx.engine, model, {
    messages: [
      { role: 'system', content: GOLDEN_SYSTEM_PROMPT },
      {
        role: 'user',
        content: `Passages:\n\n${passages.map((p, i) => formatPassage(i + 1, p)).join('\n\n')}\n\nQuestion: ${question}`,
      },
    ],
    jsonSchema: goldenJsonSchema(ctx.options.answerMaxChars),
    schema: reply,
    maxTokens: Math.ceil(ctx.options.answerMaxChars / 2) + 64,
    signal: ctx.signal,
  });
  ctx.spend(r.tokensIn, r.tokensOut);
  if (!r.value) {
    const fallback = extractiveDraft(question, items);
    return fallback && { ...fallback, tokensIn: r.tokensIn, tokensOut: r.tokensOut };
  }
  const used = [...new Set(r.value.sources_used)].filter((n) => n >= 1 && n <= passages.length);
  const confidence = Math.min(1, Math.max(0, r.value.confidence));
  return {
    answer: r.value.answer,
    citations: used.map((n) => citationOf(n, passages[n - 1]!)),
    confidence,
    generatedBy: `llm:${model.name}`,
    tokensIn: r.tokensIn,
    tokensOut: r.tokensOut,
    approved: confidence >= autoApprove && used.length > 0,
  };
}

/** The cluster's most-asked member questions (at most 25). */
function clusterMembers(db: Queryable, clusterId: number): Promise<Member[]> {
  return db.query<Member>(
    `SELECT query_hash, question, collection_ids FROM question_stats
        WHERE cluster_id = $1 ORDER BY ask_count DESC, first_asked_at, query_hash LIMIT 25`,
    [clusterId],
  );
}

/** A golden answer for this very question, if one exists (written by hand, or another cluster's). */
async function existingGolden(db: Queryable, hash: string): Promise<ExistingGolden | undefined> {
  const [existing] = await db.query<ExistingGolden>(
    `SELECT id, cluster_id, review_status FROM golden_answers
        WHERE query_hash = $1 OR variation_hashes @> ARRAY[$1]::text[] LIMIT 1`,
    [hash],
  );
  return existing;
}

/** Stores a draft: regenerates the stale `existing` answer (keeping a revision) or inserts a new one. */
async function saveGolden(
  db: Db,
  q: ClusterQuestion,
  draft: Draft,
  existing: ExistingGolden | undefined,
): Promise<void> {
  const others = q.members.filter((m) => m.query_hash !== q.key.hash);
  const variations = others.map((m) => m.question);
  const variationHashes = others.map((m) => m.query_hash);
  await db.transaction(async (tx) => {
    const values = [
      q.key.hash,
      q.key.looseKey,
      q.canonical,
      variations,
      variationHashes,
      draft.answer,
      JSON.stringify(citationsToSources(draft.citations)),
      draft.generatedBy,
      draft.confidence,
      q.clusterId,
      q.scope,
      draft.approved ? 'approved' : 'draft',
      draft.tokensIn,
      draft.tokensOut,
    ];
    if (existing) {
      await saveRevision(tx, Number(existing.id), 'worker', 'regenerated: its sources had changed');
      await tx.query(
        `UPDATE golden_answers
              SET query_hash = $1, loose_key = $2, canonical_question = $3, variations = $4,
                  variation_hashes = $5, answer = $6, sources = $7::jsonb, generated_by = $8, confidence = $9,
                  cluster_id = $10, collection_ids = $11::bigint[], review_status = $12, stale_reason = NULL,
                  reviewed_at = NULL, tokens_in = $13, tokens_out = $14
            WHERE id = $15`,
        [...values, existing.id],
      );
    } else {
      await tx.query(
        `INSERT INTO golden_answers
             (query_hash, loose_key, canonical_question, variations, variation_hashes, answer, sources,
              generated_by, confidence, cluster_id, collection_ids, review_status, tokens_in, tokens_out)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11::bigint[], $12, $13, $14)`,
        values,
      );
    }
  });
}

/**
 * Answers one cluster: skips it when a live answer already exists (adopting a hand-written one)
 * or nothing is found or drafted; otherwise saves a new draft. Says which it did.
 */
async function answerCluster(
  ctx: StepContext,
  c: ClusterRow,
  model: WorkerModel,
  autoApprove: number,
): Promise<'generated' | 'skipped'> {
  const { engine, signal } = ctx;
  const { db } = engine;
  const clusterId = Number(c.id);
  const members = await clusterMembers(db, clusterId);
  const canonical = c.representative_query;
  const q: ClusterQuestion = {
    clusterId,
    canonical,
    key: questionKeys(canonical),
    members,
    scope: scopeOf(members),
  };
  const existing = await existingGolden(db, q.key.hash);
  if (existing && existing.review_status !== 'stale') {
    if (existing.cluster_id === null) {
      await db.query('UPDATE golden_answers SET cluster_id = $2 WHERE id = $1', [existing.id, clusterId]);
    }
    return 'skipped';
  }
  const found = await search(
    engine,
    searchParams.parse({ query: canonical, k: 6, ...(q.scope ? { collections: q.scope } : {}) }),
    signal,
  );
  if (found.items.length === 0) return 'skipped';
  const draft = await draftFor(ctx, canonical, found.items, model, autoApprove);
  throwIfAborted(signal);
  if (!draft) return 'skipped';
  await saveGolden(db, q, draft, existing);
  return 'generated';
}

export async function goldenStep(ctx: StepContext): Promise<StepResult> {
  const { engine, signal } = ctx;
  const { db } = engine;
  const done = new Set((ctx.state.done as number[] | undefined) ?? []);
  const model = await workerChatModel(engine);
  const { autoApproveConfidence } = await goldenSettings(engine);
  const todo = (await candidates(db, ctx.options.minAsks, ctx.options.maxGolden + done.size)).filter(
    (c) => !done.has(Number(c.id)),
  );
  let generated = 0;
  let skipped = 0;
  let stoppedForBudget = false;
  try {
    for (const [i, c] of todo.slice(0, ctx.options.maxGolden).entries()) {
      throwIfAborted(signal);
      if (model && ctx.overBudget()) {
        stoppedForBudget = true;
        break;
      }
      ctx.progress(i, Math.min(todo.length, ctx.options.maxGolden), `answering: ${c.representative_query}`);
      if ((await answerCluster(ctx, c, model, autoApproveConfidence)) === 'generated') generated++;
      else skipped++;
      done.add(Number(c.id));
      await ctx.checkpoint({ done: [...done] });
    }
  } finally {
    // Drafts written before an abort are in PG too: the index and caches must see them.
    if (generated > 0) await engine.events.emit('golden-changed', { reason: 'worker drafts' });
  }
  const notes = [
    model ? `model ${model.name}` : 'no chat model: extractive drafts for review',
    skipped ? `${skipped} skipped (already answered or nothing found)` : '',
    stoppedForBudget ? 'stopped at the token/time budget' : '',
  ].filter(Boolean);
  return { goldenGenerated: generated, note: notes.join('; ') };
}
