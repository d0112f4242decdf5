// `npm run eval`: retrieval quality of BM25-only, vector-only and hybrid search on a test set built
// from real documentation (see testset.ts and variants.ts), and the tuning of the fusion weights.
//
//   npm run eval                           imports into a temporary data dir, removed at the end
//   npm run eval -- --data-dir DIR         keeps (and on later runs reuses) the imported data dir
//   npm run eval -- --max 200              at most 200 queries per source (default 600)
//   npm run eval -- --sample 20            CI's smoke run: 20 queries per source, all three corpora
//                                          required, exits 1 if anything broke (a missing corpus, a
//                                          failed import, a source without queries, a metric that is
//                                          not a number, search() ranking unlike the harness); the
//                                          quality figures are printed, never checked
//
// The documents come from scripts/fetch-real-docs.sh (.fixtures/root/usr/share/doc/…). Queries are
// split in two halves by a hash of their text: weights are tuned on the dev half and every figure
// printed is measured on the other (test) half, so the tuned row is not fitted to what it reports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { importPaths } from '../../core/knowledge/import/import-service.ts';
import {
  fuseCandidates,
  gatherCandidates,
  planSearch,
  search,
  type CandidateLists,
  type FusionFor,
} from '../../core/knowledge/retrieval/search.ts';
import { DEFAULT_FUSION, fusionWeights, type FusionWeights } from '../../core/knowledge/retrieval/weights.ts';
import type { SearchMode } from '../../core/contract/methods/search.ts';
import type { ImportSummary } from '../../core/contract/methods/imports.ts';
import { cpuLoopMs, loadavgLine, ratio } from '../report.ts';
import { percentile } from '../stats.ts';
import { mean, scoreRanking, type Metrics } from './metrics.ts';
import { buildTestSet, hash, type EvalQuery } from './testset.ts';
import { reword } from './variants.ts';

const DOCS = path.resolve('.fixtures/root/usr/share/doc');
const HANDBOOK = path.join(DOCS, 'debian-handbook/html');
const POSTGRES = path.join(DOCS, 'postgresql-doc-15/html');
const VARIANTS = ['exact', 'reworded'] as const;
type Variant = (typeof VARIANTS)[number];
const TOP = 10;

interface Case {
  query: EvalQuery;
  variant: Variant;
  text: string;
  relevant: number;
  dev: boolean;
  lists: CandidateLists;
  docOf: Map<number, number>;
}

function exists(p: string): string | null {
  return fs.existsSync(p) ? p : null;
}

async function importCorpora(engine: Engine): Promise<ImportSummary[]> {
  const ctx = { signal: new AbortController().signal, emit: () => {} };
  const include = ['**/*.html'];
  const handbook = [exists(path.join(HANDBOOK, 'en-US')), exists(path.join(HANDBOOK, 'id-ID'))].filter(
    (p): p is string => p !== null,
  );
  const t = performance.now();
  const a = await importPaths(
    engine,
    { collection: 'Debian handbook', create: true, paths: handbook, include },
    ctx,
  );
  const summaries = [a];
  if (exists(POSTGRES)) {
    summaries.push(
      await importPaths(
        engine,
        { collection: 'PostgreSQL manual', create: true, paths: [POSTGRES], include },
        ctx,
      ),
    );
  }
  const chunks = summaries.reduce((n, s) => n + s.chunks, 0);
  const took = ((performance.now() - t) / 1000).toFixed(1);
  console.log(`import: ${chunks ? `${chunks} new chunks` : 'unchanged (reused data dir)'} in ${took} s`);
  return summaries;
}

/** Document ids, best first, each once, at most TOP. */
function rankDocs(c: Case, mode: SearchMode, fusionFor: FusionFor): number[] {
  const docs: number[] = [];
  for (const { chunkId } of fuseCandidates(c.lists, mode, fusionFor)) {
    const doc = c.docOf.get(chunkId);
    if (doc === undefined || docs.includes(doc)) continue;
    docs.push(doc);
    if (docs.length === TOP) break;
  }
  return docs;
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
 * The weights with the best mean nDCG@10 over both variants on the dev half, among those at least
 * as good as each single retriever on every variant there (when any is).
 */
function tune(dev: Case[]): FusionWeights {
  const byVariant = VARIANTS.map((v) => dev.filter((c) => c.variant === v));
  const floor = byVariant.map((cases) =>
    Math.max(
      evaluate(cases, 'keyword', fusionWeights).ndcg10,
      evaluate(cases, 'vector', fusionWeights).ndcg10,
    ),
  );
  let best: { weights: FusionWeights; mean: number; safe: boolean } | null = null;
  for (const rrfK of RRF_K_GRID) {
    for (const vector of WEIGHT_GRID) {
      const weights = { vector, keyword: Number((1 - vector).toFixed(2)), rrfK };
      const ndcg = byVariant.map((cases) => evaluate(cases, 'hybrid', fixed(weights)).ndcg10);
      const mean = ndcg.reduce((a, b) => a + b, 0) / ndcg.length;
      const safe = ndcg.every((x, i) => x >= floor[i]!);
      if (!best || (safe && !best.safe) || (safe === best.safe && mean > best.mean + MIN_GAIN))
        best = { weights, mean, safe };
    }
  }
  return best!.weights;
}

const f3 = (x: number) => x.toFixed(3);
const describe = (w: FusionWeights) =>
  `vector ${w.vector.toFixed(2)} / keyword ${w.keyword.toFixed(2)}, k=${w.rrfK}`;

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
  const debianEn = exists(path.join(HANDBOOK, 'en-US'));
  const debianId = exists(path.join(HANDBOOK, 'id-ID'));
  const postgres = exists(POSTGRES);
  if (!debianEn || (strict && (!debianId || !postgres))) {
    console.error('eval: corpora missing under .fixtures/; run scripts/fetch-real-docs.sh first');
    process.exit(1);
  }
  /** What broke, in --sample mode (the run goes on, so one run reports all of it). */
  const problems: string[] = [];
  const keep = values['data-dir'];
  const dataDir = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-eval-'));
  const engine = await openEngine({ dataDir });
  try {
    for (const s of await importCorpora(engine)) {
      if (s.status !== 'done') problems.push(`import of ${s.collection.name}: ${s.status}`);
      for (const f of s.failed) problems.push(`import of ${f.path}: ${f.reason}: ${f.message}`);
    }
    const docRows = await engine.db.query<{ id: number; source_path: string }>(
      `SELECT id, source_path FROM documents WHERE status = 'indexed'`,
    );
    const docByPath = new Map(docRows.map((r) => [r.source_path, Number(r.id)]));
    const queries = buildTestSet({ debianEn, debianId, postgres }, max).filter((q) => docByPath.has(q.page));

    const t = performance.now();
    const cases: Case[] = [];
    for (const query of queries) {
      for (const variant of VARIANTS) {
        const text =
          variant === 'exact' ? query.title : reword(query.title, query.source === 'debian-id' ? 'id' : 'en');
        if (!text) continue;
        const plan = await planSearch(engine, { query: text, k: TOP, mode: 'hybrid', diversity: 0 });
        const lists = await gatherCandidates(engine, plan);
        const ids = [
          ...lists.keyword.map((h) => h.chunkId),
          ...lists.vector.flatMap((v) => v.hits.map((h) => h.chunkId)),
        ];
        const docOf = new Map(engine.vectors.getChunks([...new Set(ids)]).map((r) => [r.id, r.documentId]));
        const dev = hash(`${query.source}|${query.title}`) % 2 === 0;
        cases.push({ query, variant, text, relevant: docByPath.get(query.page)!, dev, lists, docOf });
      }
    }
    const gatherS = (performance.now() - t) / 1000;

    const dev = cases.filter((c) => c.dev);
    const test = cases.filter((c) => !c.dev);
    const tuned = tune(dev);
    const chunks = engine.vectors.countChunks();
    const bySource = (s: string) => queries.filter((q) => q.source === s).length;
    console.log(
      `\nRetrieval eval: ${queries.length} section titles as queries (Debian handbook en-US ${bySource('debian-en')}, ` +
        `id-ID ${bySource('debian-id')}; PostgreSQL 15 manual ${bySource('postgresql')}), ${docByPath.size} documents, ` +
        `${chunks} chunks, built-in embedder; candidates gathered in ${gatherS.toFixed(0)} s`,
    );
    console.log(
      `Figures on the test half (${test.length / VARIANTS.length} queries × ${VARIANTS.length} variants); ` +
        `weights tuned on the dev half (${dev.length / VARIANTS.length} queries).\n`,
    );
    const configured = fusionWeights('builtin:hashed-ngrams-v1');
    const methods: [string, SearchMode, FusionFor][] = [
      ['BM25 only (keyword)', 'keyword', fusionWeights],
      ['vector only', 'vector', fusionWeights],
      [`hybrid, equal weights (${describe(DEFAULT_FUSION)})`, 'hybrid', fixed(DEFAULT_FUSION)],
      [`hybrid, tuned on dev (${describe(tuned)})`, 'hybrid', fixed(tuned)],
      [`hybrid, as configured (${describe(configured)})`, 'hybrid', fusionWeights],
    ];
    const width = Math.max(...methods.map((m) => m[0].length));
    console.log(`${'variant'.padEnd(9)} ${'method'.padEnd(width)}  R@1    R@5    R@10   MRR    nDCG@10`);
    const checks: string[] = [];
    for (const variant of VARIANTS) {
      const subset = test.filter((c) => c.variant === variant);
      const results = methods.map(([name, mode, fusion]) => ({ name, m: evaluate(subset, mode, fusion) }));
      for (const { name, m } of results) {
        if (!Object.values(m).every(Number.isFinite))
          problems.push(`${variant} ${name}: a metric is not a number`);
        console.log(
          `${variant.padEnd(9)} ${name.padEnd(width)}  ${f3(m.r1)}  ${f3(m.r5)}  ${f3(m.r10)}  ${f3(m.mrr)}  ${f3(m.ndcg10)}`,
        );
      }
      const single = Math.max(results[0]!.m.ndcg10, results[1]!.m.ndcg10);
      const hybrid = results[4]!.m.ndcg10;
      checks.push(`${variant} ${hybrid >= single ? 'yes' : 'NO'} (${f3(hybrid)} vs ${f3(single)})`);
    }
    console.log(`\nhybrid (as configured) nDCG@10 ≥ the better single retriever: ${checks.join(', ')}`);
    const perSource = ['debian-en', 'debian-id', 'postgresql'].map((s) => {
      const cell = (v: Variant) =>
        f3(
          evaluate(
            test.filter((c) => c.query.source === s && c.variant === v),
            'hybrid',
            fusionWeights,
          ).ndcg10,
        );
      return `${s} ${cell('exact')}/${cell('reworded')}`;
    });
    console.log(`hybrid (as configured) nDCG@10 by source, exact/reworded: ${perSource.join(', ')}`);
    for (const s of ['debian-en', 'debian-id', 'postgresql'])
      if (!test.some((c) => c.query.source === s)) problems.push(`no test queries from ${s}`);

    // The real API path on a sample: latency, and the same documents as the harness ranks.
    const sample = test.filter((c) => c.variant === 'exact').slice(0, 200);
    const cpuMs = cpuLoopMs();
    console.log(`\nlatency: start ${loadavgLine()}; reference: CPU loop median ${cpuMs.toFixed(1)} ms`);
    const times: number[] = [];
    let same = 0;
    for (const c of sample) {
      const s = performance.now();
      const r = await search(engine, { query: c.text, k: TOP, mode: 'hybrid', diversity: 0 });
      times.push(performance.now() - s);
      const docs = [...new Set(r.items.map((i) => i.documentId))];
      const expected = rankDocs(c, 'hybrid', fusionWeights).slice(0, docs.length);
      if (docs.every((d, i) => d === expected[i])) same++;
    }
    times.sort((a, b) => a - b);
    console.log(
      `search() on ${sample.length} test queries: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms; ` +
        `documents in the harness's order for ${same}/${sample.length}; p50 = ` +
        `${ratio(percentile(times, 50), cpuMs)} the CPU loop`,
    );
    console.log(`latency: end ${loadavgLine()}; CPU loop median ${cpuLoopMs().toFixed(1)} ms`);
    if (same !== sample.length)
      problems.push(`search() ranked ${sample.length - same} queries unlike the harness`);
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
