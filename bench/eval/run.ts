// `npm run eval`: retrieval quality and latency of Pustaka's keyword (BM25) search, vector search,
// hybrid search (and hybrid + rerank) against Xapian's BM25 over the same pages, on test sets
// whose relevance comes from the documents' authors (testset.ts, open-sets.ts), each query also
// in a reworded form (variants.ts).
//
//   npm run eval                           imports into a temporary data dir, removed at the end
//   npm run eval -- --data-dir DIR         keeps (and on later runs reuses) the imported data dir
//   npm run eval -- --max 200              at most 200 queries per set (default 600)
//   npm run eval -- --sample 20            CI's smoke run: 20 queries per set, every corpus
//                                          required, exits 1 if anything broke (a missing corpus, a
//                                          failed import, a set without queries, a metric that is
//                                          not a number, search() ranking unlike the harness, Xapian
//                                          not runnable); the quality figures are printed, never
//                                          checked
//
// The documents come from scripts/fetch-real-docs.sh --office (.fixtures/). Queries are split in
// two halves by a hash of their text: anything tuned is tuned on the tune half, and every figure
// printed is measured on the other (report) half.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { importPaths } from '../../core/knowledge/import/import-service.ts';
import {
  fuseCandidates,
  gatherCandidates,
  listsForRerank,
  planSearch,
  search,
  type CandidateLists,
  type FusionFor,
} from '../../core/knowledge/retrieval/search.ts';
import { DEFAULT_FUSION, fusionWeights, type FusionWeights } from '../../core/knowledge/retrieval/weights.ts';
import type { SearchMode } from '../../core/contract/methods/search.ts';
import type { ImportSummary } from '../../core/contract/methods/imports.ts';
import { cpuLoopMs, loadavgLine } from '../report.ts';
import { percentile } from '../stats.ts';
import { mean, scoreRanking, type Metrics } from './metrics.ts';
import { officeQueries, pythonIndexQueries } from './open-sets.ts';
import { buildTestSet, hash, type EvalQuery } from './testset.ts';
import { reword } from './variants.ts';
import { ensureXapian, runXapian } from './xapian.ts';
import { extractiveAnswer } from '../../core/assistant/ask/extractive.ts';
import {
  RERANK_POOL,
  RERANK_WEIGHTS,
  features,
  rerankQuery,
  score,
  type Features,
  type RerankWeights,
} from '../../core/knowledge/retrieval/rerank.ts';

const FIXTURES = path.resolve('.fixtures');
const DOCS = path.join(FIXTURES, 'root/usr/share/doc');
const HANDBOOK = path.join(DOCS, 'debian-handbook/html');
const POSTGRES = path.join(DOCS, 'postgresql-doc-15/html');
const PYTHON = path.join(DOCS, 'python3.11/html');
const OFFICE = path.join(FIXTURES, 'office');
const VARIANTS = ['exact', 'reworded'] as const;
type Variant = (typeof VARIANTS)[number];
const TOP = 10;
/** Queries per set and variant timed through the search() API. */
const LATENCY_QUERIES = 60;

const C = {
  handbook: 'Debian handbook',
  postgres: 'PostgreSQL manual',
  python: 'Python 3.11 manual',
  office: 'Handbook pages as PDF and DOCX',
} as const;

interface EvalSet {
  name: string;
  /** Collections searched (and the pages Xapian indexes). */
  collections: string[];
  queries: EvalQuery[];
}

interface Case {
  set: string;
  query: EvalQuery;
  variant: Variant;
  text: string;
  relevant: number[];
  tune: boolean;
  collectionIds: number[];
  lists: CandidateLists;
  docOf: Map<number, number>;
  /** The rerank pool (as search() builds it) with each chunk's features, then the rest. */
  pool: { chunkId: number; rank: number; f: Features }[];
  rest: number[];
}

const exists = (p: string): string | null => (fs.existsSync(p) ? p : null);

async function importCorpora(engine: Engine): Promise<ImportSummary[]> {
  const ctx = { signal: new AbortController().signal, emit: () => {} };
  const html = ['**/*.html'];
  const handbook = [exists(path.join(HANDBOOK, 'en-US')), exists(path.join(HANDBOOK, 'id-ID'))].filter(
    (p): p is string => p !== null,
  );
  const jobs: [string, string[], string[]][] = [
    [C.handbook, handbook, html],
    [C.postgres, [POSTGRES], html],
    [C.python, [PYTHON], html],
    [C.office, [OFFICE], ['*.pdf', '*.docx', 'id-ID/*.pdf', 'id-ID/*.docx']],
  ];
  const t = performance.now();
  const summaries: ImportSummary[] = [];
  for (const [collection, paths, include] of jobs) {
    const present = paths.filter((p) => fs.existsSync(p));
    if (present.length === 0) continue;
    summaries.push(await importPaths(engine, { collection, create: true, paths: present, include }, ctx));
  }
  const chunks = summaries.reduce((n, s) => n + s.chunks, 0);
  const took = ((performance.now() - t) / 1000).toFixed(1);
  console.log(`import: ${chunks ? `${chunks} new chunks` : 'unchanged (reused data dir)'} in ${took} s`);
  return summaries;
}

function buildSets(max: number): EvalSet[] {
  const debianEn = exists(path.join(HANDBOOK, 'en-US'));
  const debianId = exists(path.join(HANDBOOK, 'id-ID'));
  const sets: EvalSet[] = [];
  if (debianEn) {
    const headings = buildTestSet({ debianEn, debianId, postgres: exists(POSTGRES) }, max);
    for (const name of ['debian-en', 'debian-id', 'postgresql'])
      sets.push({
        name,
        collections: [C.handbook, C.postgres],
        queries: headings.filter((q) => q.source === name),
      });
  }
  if (exists(PYTHON))
    sets.push({ name: 'python-index', collections: [C.python], queries: pythonIndexQueries(PYTHON, max) });
  if (debianEn && exists(OFFICE)) {
    const office: { dir: string; html: string; lang: 'en' | 'id' }[] = [
      { dir: OFFICE, html: debianEn, lang: 'en' },
    ];
    if (debianId && exists(path.join(OFFICE, 'id-ID')))
      office.push({ dir: path.join(OFFICE, 'id-ID'), html: debianId, lang: 'id' as const });
    sets.push({ name: 'office', collections: [C.office], queries: officeQueries(office, max) });
  }
  return sets;
}

/** Document ids of a fused candidate list, best first, each once, at most TOP. */
function topDocs(chunkIds: Iterable<number>, docOf: Map<number, number>): number[] {
  const docs: number[] = [];
  for (const chunkId of chunkIds) {
    const doc = docOf.get(chunkId);
    if (doc === undefined || docs.includes(doc)) continue;
    docs.push(doc);
    if (docs.length === TOP) break;
  }
  return docs;
}

function rankDocs(c: Case, mode: SearchMode, fusionFor: FusionFor): number[] {
  return topDocs(
    fuseCandidates(c.lists, mode, fusionFor).map((s) => s.chunkId),
    c.docOf,
  );
}

function rerankDocs(c: Case, w: Readonly<RerankWeights>): number[] {
  const order = c.pool
    .map((p) => ({ id: p.chunkId, rank: p.rank, s: score(p.f, w) }))
    .sort((a, b) => b.s - a.s || a.rank - b.rank)
    .map((p) => p.id);
  return topDocs([...order, ...c.rest], c.docOf);
}

const evaluateRerank = (cases: Case[], w: Readonly<RerankWeights>): Metrics =>
  mean(cases.map((c) => scoreRanking(rerankDocs(c, w), c.relevant)));

/**
 * Reranker weights by coordinate search from the configured ones: the best mean nDCG@10 over the
 * tune half's sets and variants, each set-variant counting once.
 */
function tuneRerank(cases: Case[]): RerankWeights {
  const byKey = new Map<string, Case[]>();
  for (const c of cases)
    byKey.set(`${c.set}|${c.variant}`, [...(byKey.get(`${c.set}|${c.variant}`) ?? []), c]);
  const groups = [...byKey.values()];
  const objective = (w: RerankWeights) =>
    groups.reduce((a, g) => a + evaluateRerank(g, w).ndcg10, 0) / groups.length;
  const best = { ...RERANK_WEIGHTS };
  let bestScore = objective(best);
  const grid = [0, 0.1, 0.25, 0.5, 1, 2, 4];
  for (let round = 0; round < 2; round++) {
    for (const k of Object.keys(best) as (keyof RerankWeights)[]) {
      if (k === 'fused') continue; // the scale
      for (const v of grid) {
        const w = { ...best, [k]: v };
        const o = objective(w);
        if (o > bestScore + MIN_GAIN) {
          bestScore = o;
          best[k] = v;
        }
      }
    }
  }
  return best;
}

function evaluate(cases: Case[], mode: SearchMode, fusionFor: FusionFor): Metrics {
  return mean(cases.map((c) => scoreRanking(rankDocs(c, mode, fusionFor), c.relevant)));
}

const fixed =
  (w: FusionWeights): FusionFor =>
  () =>
    w;

/** Vector weights tried (the keyword weight is 1 − w) and RRF constants. */
const WEIGHT_GRID = [0.01, 0.02, 0.05, ...Array.from({ length: 18 }, (_, i) => (i + 2) / 20)];
const RRF_K_GRID = [100, 60, 30, 20, 10, 5, 2, 1];
/** A setting must beat the best so far by this much (ties keep the larger k, the smaller weight). */
const MIN_GAIN = 1e-4;

/**
 * The fusion weights with the best mean nDCG@10 over sets and variants on the tune half, among
 * those at least as good as keyword search alone on every set and variant there (when any is).
 */
function tune(cases: Case[]): FusionWeights {
  const byKey = new Map<string, Case[]>();
  for (const c of cases)
    byKey.set(`${c.set}|${c.variant}`, [...(byKey.get(`${c.set}|${c.variant}`) ?? []), c]);
  const groups = [...byKey.values()];
  const floor = groups.map((g) => evaluate(g, 'keyword', fusionWeights).ndcg10);
  let best: { weights: FusionWeights; mean: number; safe: boolean } | null = null;
  for (const rrfK of RRF_K_GRID) {
    for (const vector of WEIGHT_GRID) {
      const weights = { vector, keyword: Number((1 - vector).toFixed(2)), rrfK };
      const ndcg = groups.map((g) => evaluate(g, 'hybrid', fixed(weights)).ndcg10);
      const m = ndcg.reduce((a, b) => a + b, 0) / ndcg.length;
      const safe = ndcg.every((x, i) => x >= floor[i]!);
      if (!best || (safe && !best.safe) || (safe === best.safe && m > best.mean + MIN_GAIN))
        best = { weights, mean: m, safe };
    }
  }
  return best!.weights;
}

const f3 = (x: number) => x.toFixed(3);
const describe = (w: FusionWeights) =>
  `vector ${w.vector.toFixed(2)} / keyword ${w.keyword.toFixed(2)}, k=${w.rrfK}`;

async function gather(
  engine: Engine,
  sets: EvalSet[],
  docByPath: Map<string, number>,
  titles: Map<number, string | null>,
): Promise<Case[]> {
  const collections = await engine.db.query<{ id: number; name: string }>(`SELECT id, name FROM collections`);
  const idOf = new Map(collections.map((r) => [r.name, Number(r.id)]));
  const cases: Case[] = [];
  for (const set of sets) {
    const collectionIds = set.collections.map((n) => idOf.get(n)).filter((x): x is number => x !== undefined);
    for (const query of set.queries) {
      const relevant = query.pages.map((p) => docByPath.get(p)).filter((x): x is number => x !== undefined);
      if (relevant.length === 0) continue;
      for (const variant of VARIANTS) {
        const text = variant === 'exact' ? query.title : reword(query.title, query.lang ?? 'en');
        if (!text) continue;
        const plan = await planSearch(engine, {
          query: text,
          k: TOP,
          mode: 'hybrid',
          diversity: 0,
          collections: collectionIds,
        });
        const lists = await gatherCandidates(engine, plan);
        const ids = [
          ...lists.keyword.map((h) => h.chunkId),
          ...lists.vector.flatMap((v) => v.hits.map((h) => h.chunkId)),
        ];
        const docOf = new Map(engine.vectors.getChunks([...new Set(ids)]).map((r) => [r.id, r.documentId]));
        const fusedR = fuseCandidates(listsForRerank(plan, lists), 'hybrid', fusionWeights);
        const rows = new Map(
          engine.vectors.getChunks(fusedR.slice(0, RERANK_POOL).map((s) => s.chunkId)).map((r) => [r.id, r]),
        );
        const q = rerankQuery(text);
        const pool = fusedR
          .slice(0, RERANK_POOL)
          .filter((s) => rows.has(s.chunkId))
          .map((s, rank) => {
            const row = rows.get(s.chunkId)!;
            const cand = {
              chunkId: s.chunkId,
              text: row.text,
              headingPath: row.headingPath,
              title: titles.get(row.documentId) ?? null,
            };
            return { chunkId: s.chunkId, rank, f: features(q, cand, rank) };
          });
        const rest = fusedR.slice(RERANK_POOL).map((s) => s.chunkId);
        const tune = hash(`${query.source}|${query.title}`) % 2 === 0;
        cases.push({
          set: set.name,
          query,
          variant,
          text,
          relevant,
          tune,
          collectionIds,
          lists,
          docOf,
          pool,
          rest,
        });
      }
    }
  }
  return cases;
}

/** search() through the API, per mode: latencies, and whether it ranks documents like the harness. */
async function timeSearch(engine: Engine, cases: Case[], mode: SearchMode, rerank: boolean) {
  const times: number[] = [];
  let same = 0;
  for (const c of cases) {
    engine.caches.get('embeddings').clear();
    const s = performance.now();
    const r = await search(engine, {
      query: c.text,
      k: TOP,
      mode,
      diversity: 0,
      rerank,
      collections: c.collectionIds,
    });
    times.push(performance.now() - s);
    const docs = [...new Set(r.items.map((i) => i.documentId))];
    const expected = (
      rerank && mode === 'hybrid' ? rerankDocs(c, RERANK_WEIGHTS) : rankDocs(c, mode, fusionWeights)
    ).slice(0, docs.length);
    if (docs.every((d, i) => d === expected[i])) same++;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), same };
}

/**
 * "What is X?" for index entries of one to three words (report half of python-index): the
 * extractive answer (as ask gives it without a model: hybrid search, 8 passages) must cite a page
 * the index links X to. Prints the share and five examples.
 */
async function whatIsAnswers(engine: Engine, report: Case[], problems: string[]): Promise<void> {
  const terms = report.filter(
    (c) => c.set === 'python-index' && c.variant === 'exact' && /^\S+(?: \S+){0,2}$/.test(c.query.title),
  );
  if (terms.length === 0) return;
  let good = 0;
  const examples: string[] = [];
  for (const c of terms) {
    const question = `What is ${c.query.title}?`;
    const r = await search(engine, {
      query: question,
      k: 8,
      mode: 'hybrid',
      diversity: 0,
      collections: c.collectionIds,
    });
    const a = extractiveAnswer(question, r.items);
    const citedDocs = a.cited.map((n) => r.items[n - 1]!.documentId);
    const ok = citedDocs.some((d) => c.relevant.includes(d));
    if (ok) good++;
    if (examples.length < 5 && hash(question) % 7 === 0) {
      const first = a.text.split('\n').find((l) => l.startsWith('- ')) ?? a.text;
      const n = Number(/\[(\d+)\]$/.exec(first)?.[1] ?? 0);
      const page = n ? path.basename(r.items[n - 1]!.sourcePath) : '-';
      examples.push(
        `  ${ok ? 'cites a relevant page' : 'NO relevant page   '}  ${question}  →  ${first.slice(0, 140)}  (${page})`,
      );
    }
  }
  if (!Number.isFinite(good / terms.length)) problems.push('What is X?: no figure');
  console.log(
    `\n"What is X?" extractive answers citing a page the index links X to: ${good}/${terms.length} (${f3(good / terms.length)}); examples:`,
  );
  for (const e of examples) console.log(e);
}

interface Row {
  system: string;
  m: Metrics;
  p50: number;
  p99: number;
}

function printRows(set: string, n: number, variant: Variant, rows: Row[]): void {
  for (const { system, m, p50, p99 } of rows) {
    console.log(
      `${set.padEnd(13)} ${String(n).padStart(4)} ${variant.padEnd(9)} ${system.padEnd(16)} ${f3(m.r1)}  ${f3(m.r10)}  ${f3(m.mrr)}  ${f3(m.ndcg10)}  ${p50.toFixed(1).padStart(6)}  ${p99.toFixed(1).padStart(6)}`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      max: { type: 'string', default: '600' },
      sample: { type: 'string' },
    },
  });
  // --sample N: --max N, and everything that can break is checked (see the top of this file).
  const strict = values.sample !== undefined;
  const max = Number(strict ? values.sample : values.max);
  if (!Number.isInteger(max) || max < 1) {
    console.error(`eval: --${strict ? 'sample' : 'max'} needs a positive whole number`);
    process.exit(2);
  }
  const missing = [
    path.join(HANDBOOK, 'en-US'),
    path.join(HANDBOOK, 'id-ID'),
    POSTGRES,
    PYTHON,
    OFFICE,
  ].filter((p) => !fs.existsSync(p));
  if (!exists(path.join(HANDBOOK, 'en-US')) || (strict && missing.length > 0)) {
    console.error(
      `eval: corpora missing (${missing.join(', ')}); run scripts/fetch-real-docs.sh --office first`,
    );
    process.exit(1);
  }
  /** What broke, in --sample mode (the run goes on, so one run reports all of it). */
  const problems: string[] = [];
  const xapianMissing = ensureXapian();
  if (xapianMissing) {
    console.log(`Xapian reference line skipped: ${xapianMissing}`);
    problems.push(`Xapian: ${xapianMissing}`);
  }
  const keep = values['data-dir'];
  const dataDir = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-eval-'));
  const engine = await openEngine({ dataDir });
  try {
    for (const s of await importCorpora(engine)) {
      if (s.status !== 'done') problems.push(`import of ${s.collection.name}: ${s.status}`);
      for (const f of s.failed) problems.push(`import of ${f.path}: ${f.reason}: ${f.message}`);
    }
    const docRows = await engine.db.query<{
      id: number;
      source_path: string;
      name: string;
      title: string | null;
    }>(
      `SELECT d.id, d.source_path, c.name, d.title FROM documents d JOIN collections c ON c.id = d.collection_id
        WHERE d.status = 'indexed' ORDER BY d.id`,
    );
    const docByPath = new Map(docRows.map((r) => [r.source_path, Number(r.id)]));
    const sets = buildSets(max);
    const t = performance.now();
    const titles = new Map(docRows.map((r) => [Number(r.id), r.title]));
    const cases = await gather(engine, sets, docByPath, titles);
    const gatherS = (performance.now() - t) / 1000;
    const tuneHalf = cases.filter((c) => c.tune);
    const report = cases.filter((c) => !c.tune);
    const tuned = tune(tuneHalf);
    console.log(
      `\nRetrieval eval: ${docByPath.size} documents, ${engine.vectors.countChunks()} chunks, built-in embedder; ` +
        `candidates gathered in ${gatherS.toFixed(0)} s. Figures on the report half; R@k = a relevant ` +
        `document in the first k; latency (ms) of search() through the API, exact and reworded timed apart.`,
    );
    console.log(`start ${loadavgLine()}; reference: CPU loop median ${cpuLoopMs().toFixed(1)} ms\n`);
    console.log(
      `${'set'.padEnd(13)} ${'variant'.padEnd(9)} ${'system'.padEnd(16)} R@1    R@10   MRR@10 nDCG@10  p50     p99`,
    );
    const checks: string[] = [];
    for (const set of sets) {
      const inSet = report.filter((c) => c.set === set.name);
      if (inSet.length === 0) {
        problems.push(`no report queries in ${set.name}`);
        continue;
      }
      const setDocs = docRows.filter((r) => set.collections.includes(r.name));
      let xapian: ReturnType<typeof runXapian> | null = null;
      if (!xapianMissing) {
        try {
          xapian = runXapian(
            setDocs.map((r) => r.source_path),
            inSet.map((c) => ({ text: c.text, lang: c.query.lang })),
            TOP,
          );
        } catch (err) {
          problems.push(`Xapian on ${set.name}: ${(err as Error).message}`);
        }
      }
      for (const variant of VARIANTS) {
        const subset = inSet.filter((c) => c.variant === variant);
        const timed = subset.slice(0, LATENCY_QUERIES);
        const rows: Row[] = [];
        for (const [system, mode, rerank] of [
          ['keyword (BM25)', 'keyword', false],
          ['vector', 'vector', false],
          ['hybrid', 'hybrid', false],
          ['hybrid + rerank', 'hybrid', true],
        ] as const) {
          const m = rerank ? evaluateRerank(subset, RERANK_WEIGHTS) : evaluate(subset, mode, fusionWeights);
          const lat = await timeSearch(engine, timed, mode, rerank);
          if (lat.same !== timed.length)
            problems.push(
              `${set.name} ${variant} ${mode}: search() ranked ${timed.length - lat.same} queries unlike the harness`,
            );
          rows.push({ system, m, p50: lat.p50, p99: lat.p99 });
        }
        if (xapian) {
          const idx = inSet.map((c, i) => [c, i] as const).filter(([c]) => c.variant === variant);
          const m = mean(
            idx.map(([c, i]) =>
              scoreRanking(
                xapian.ranked[i]!.map((f) => Number(setDocs[f]!.id)),
                c.relevant,
              ),
            ),
          );
          const ms = idx.map(([, i]) => xapian.ms[i]!).sort((a, b) => a - b);
          rows.push({ system: 'Xapian BM25', m, p50: percentile(ms, 50), p99: percentile(ms, 99) });
        }
        for (const r of rows)
          if (!Object.values(r.m).every(Number.isFinite))
            problems.push(`${set.name} ${variant} ${r.system}: a metric is not a number`);
        printRows(set.name, subset.length, variant, rows);
        const kw = rows[0]!.m.ndcg10;
        const hy = rows[2]!.m.ndcg10;
        const rr = rows[3]!.m.ndcg10;
        checks.push(`${set.name}/${variant} ${hy >= kw ? 'yes' : 'NO'}/${rr >= kw ? 'yes' : 'NO'}`);
      }
    }
    console.log(`\nnDCG@10 ≥ keyword, hybrid/hybrid + rerank: ${checks.join(', ')}`);
    const tunedRerank = tuneRerank(tuneHalf);
    const fmtW = (w: Readonly<RerankWeights>) =>
      Object.entries(w)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    console.log(
      `reranker, report-half nDCG@10 over all sets: as configured (${fmtW(RERANK_WEIGHTS)}) ${f3(evaluateRerank(report, RERANK_WEIGHTS).ndcg10)}; ` +
        `tuned on the tune half (${fmtW(tunedRerank)}) ${f3(evaluateRerank(report, tunedRerank).ndcg10)}`,
    );
    const configured = fusionWeights('builtin:hashed-ngrams-v1');
    const tunedM = evaluate(report, 'hybrid', fixed(tuned));
    const confM = evaluate(report, 'hybrid', fusionWeights);
    const equalM = evaluate(report, 'hybrid', fixed(DEFAULT_FUSION));
    console.log(
      `fusion weights, report-half nDCG@10 over all sets: as configured (${describe(configured)}) ${f3(confM.ndcg10)}; ` +
        `tuned on the tune half (${describe(tuned)}) ${f3(tunedM.ndcg10)}; equal (${describe(DEFAULT_FUSION)}) ${f3(equalM.ndcg10)}`,
    );
    await whatIsAnswers(engine, report, problems);
    console.log(`end ${loadavgLine()}; CPU loop median ${cpuLoopMs().toFixed(1)} ms`);
  } finally {
    await engine.close();
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  if (strict) {
    if (problems.length) {
      console.error(`\neval --sample: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
      process.exitCode = 1;
    } else console.log('\neval --sample: ran end to end, nothing broke');
  }
}

await main();
