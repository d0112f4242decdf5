// Search at synthetic scale (issue 4): 100k and 1M chunks of clustered 384-d vectors with short
// synthetic texts, inserted straight through the vector store (documents registered in Postgres so
// the full search path runs). Prints insert time, hybrid/vector/keyword latency through the real
// `search` (p50/p99 over distinct queries, so the cache never answers), recall@10 of the binary
// coarse pass + exact rescoring against exact float search, peak RSS and file sizes.
//
//   npm run bench -- search-scale                        both sizes
//   SEARCH_SCALE_SIZES=100k npm run bench -- search-scale only 100k (any list: 20k,100k,1m)
//
// Data: topics (one per 10k chunks) → 5 subtopics each → points, mixed by cosine (subtopic·topic
// 0.8, point·subtopic 0.75), so a query's true neighbours sit among ~2,000 near-equals of its
// subtopic (more than the coarse candidates) and the binary pass has to rank inside that crowd:
// harder than well-separated blobs, where any candidate count above the blob size is exact.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCollection } from '../core/knowledge/collections/collections.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { search, VECTOR_CANDIDATES } from '../core/knowledge/retrieval/search.ts';
import type { ChunkInput } from '../core/stores/vectors/store.ts';
import { rng } from '../test/support/prng.ts';
import { ratio, withReport, type Reference } from './report.ts';
import { fmtMB, percentile } from './stats.ts';

const DIM = 384;
const DOC_CHUNKS = 1_000;
const QUERIES = 200;
const TOPIC_POINTS = 10_000;
const SUBTOPICS = 5;
const CANDIDATE_SWEEP = [250, 500, 1_000, 2_000];
const VOCABULARY = 30_000;
const TEXT_WORDS = 30;
const TOPICAL_WORDS = 12;

function parseSizes(spec = process.env.SEARCH_SCALE_SIZES ?? '100k,1m'): number[] {
  return spec.split(',').map((s) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(s);
    if (!m) throw new Error(`SEARCH_SCALE_SIZES: cannot read "${s}" (e.g. 100k,1m)`);
    const unit = m[2]!.toLowerCase() === 'm' ? 1e6 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1;
    return Math.round(Number(m[1]) * unit);
  });
}

/** Seeded synthetic corpus: vectors by cosine mixing, texts from a Zipf vocabulary. */
class Corpus {
  private readonly random: () => number;
  private spare: number | null = null;
  readonly subtopics: Float32Array[] = [];
  private readonly cumulative: Float64Array;
  private readonly words: string[];

  constructor(n: number, seed: number) {
    this.random = rng(seed);
    const topics = Math.max(1, Math.round(n / TOPIC_POINTS));
    for (let t = 0; t < topics; t++) {
      const topic = this.unitRandom();
      for (let s = 0; s < SUBTOPICS; s++) this.subtopics.push(this.mix(topic, 0.8));
    }
    const syllables = [
      'ka',
      'lo',
      'mi',
      'ra',
      'tu',
      'ne',
      'po',
      'si',
      'da',
      've',
      'zu',
      're',
      'ta',
      'ko',
      'li',
      'mu',
    ];
    this.words = Array.from({ length: VOCABULARY }, (_, i) => {
      let w = '';
      for (let x = i + 1; x > 0; x = Math.floor(x / syllables.length)) w += syllables[x % syllables.length];
      return w + 'n';
    });
    this.cumulative = new Float64Array(VOCABULARY);
    let acc = 0;
    for (let i = 0; i < VOCABULARY; i++) this.cumulative[i] = acc += 1 / (i + 1);
  }

  private gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.random() || 1e-12));
    const a = 2 * Math.PI * this.random();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  private unitRandom(): Float32Array {
    const v = new Float32Array(DIM);
    let s = 0;
    for (let i = 0; i < DIM; i++) s += (v[i] = this.gaussian()) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < DIM; i++) v[i]! *= inv;
    return v;
  }

  /** A unit vector at cosine ≈ `cos` from `base`. */
  private mix(base: Float32Array, cos: number): Float32Array {
    const r = this.unitRandom();
    const side = Math.sqrt(1 - cos * cos);
    let s = 0;
    for (let i = 0; i < DIM; i++) s += (r[i] = cos * base[i]! + side * r[i]!) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < DIM; i++) r[i]! *= inv;
    return r;
  }

  pick(n: number): number {
    return Math.floor(this.random() * n);
  }

  vector(subtopic: number): Float32Array {
    return this.mix(this.subtopics[subtopic]!, 0.75);
  }

  private zipfWord(): string {
    const x = this.random() * this.cumulative[VOCABULARY - 1]!;
    let lo = 0;
    let hi = VOCABULARY - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo]!;
  }

  /** One of the subtopic's own words (mid-frequency ranks, disjoint per subtopic where possible). */
  topical(subtopic: number, j: number): string {
    return this.words[1_000 + ((subtopic * TOPICAL_WORDS + j) % (VOCABULARY - 1_000))]!;
  }

  text(subtopic: number): string {
    const out: string[] = [];
    for (let i = 0; i < TEXT_WORDS; i++)
      out.push(i % 3 === 0 ? this.topical(subtopic, this.pick(TOPICAL_WORDS)) : this.zipfWord());
    return out.join(' ');
  }

  /** What a user might type: two of the subtopic's words and one very common word. */
  query(subtopic: number): string {
    const a = this.pick(TOPICAL_WORDS);
    const b = (a + 1 + this.pick(TOPICAL_WORDS - 1)) % TOPICAL_WORDS;
    return `${this.topical(subtopic, a)} ${this.words[this.pick(30)]} ${this.topical(subtopic, b)}`;
  }
}

function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** Exact top-k by dot product over the in-memory copy (the recall reference). */
function exactTopK(all: Float32Array, n: number, q: Float32Array, k: number): number[] {
  const best: { i: number; s: number }[] = [];
  let floor = -Infinity;
  for (let i = 0, o = 0; i < n; i++, o += DIM) {
    let s = 0;
    for (let d = 0; d < DIM; d++) s += all[o + d]! * q[d]!;
    if (s <= floor) continue;
    best.push({ i, s });
    if (best.length > k) {
      best.sort((a, b) => b.s - a.s);
      best.length = k;
      floor = best[k - 1]!.s;
    }
  }
  return best.sort((a, b) => b.s - a.s).map((b) => b.i);
}

async function registerDocuments(engine: Engine, collectionId: number, count: number): Promise<number[]> {
  const rows = await engine.db.query<{ id: number }>(
    `INSERT INTO documents (collection_id, source_path, content_hash, file_type, title, tags, chunk_count, status, imported_at)
     SELECT $1, '/synthetic/doc-' || g || '.txt', lpad(to_hex(g), 64, '0'), 'text', 'Synthetic document ' || g,
            ARRAY['part-' || (g % 4)], $3, 'indexed', now()
       FROM generate_series(1, $2::int) AS g
     ORDER BY g
     RETURNING id`,
    [collectionId, count, DOC_CHUNKS],
  );
  return rows.map((r) => Number(r.id));
}

interface Latency {
  p50: number;
  p99: number;
}

async function timeSearches(
  engine: Engine,
  queries: string[],
  mode: 'hybrid' | 'vector' | 'keyword',
): Promise<Latency & { empty: number }> {
  const times: number[] = [];
  let empty = 0;
  for (const query of queries) {
    const t = performance.now();
    const r = await search(engine, { query, k: 10, mode, diversity: 0 });
    times.push(performance.now() - t);
    if (r.cached) throw new Error('bench queries must not hit the cache');
    if (r.items.length === 0) empty++;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), empty };
}

async function runSize(n: number, seed: number, ref: Reference): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-search-'));
  const rss = rssSampler();
  const engine = await openEngine({ dataDir: dir });
  try {
    const corpus = new Corpus(n, seed);
    const collection = await createCollection(engine.db, engine.vectors, { name: `synthetic ${n}` });
    const docs = Math.ceil(n / DOC_CHUNKS);
    const docIds = await registerDocuments(engine, collection.id, docs);
    const all = new Float32Array(n * DIM);
    const idOf = new Float64Array(n);

    let t = performance.now();
    for (let d = 0; d < docs; d++) {
      const chunks: ChunkInput[] = [];
      const from = d * DOC_CHUNKS;
      for (let i = from; i < Math.min(n, from + DOC_CHUNKS); i++) {
        const s = corpus.pick(corpus.subtopics.length);
        const embedding = corpus.vector(s);
        all.set(embedding, i * DIM);
        const text = corpus.text(s);
        chunks.push({
          ordinal: i - from,
          text,
          headingPath: [`Part ${s}`],
          page: null,
          charStart: 0,
          charEnd: text.length,
          tokenCount: TEXT_WORDS,
          embedding,
        });
      }
      const ids = engine.vectors.replaceDocumentChunks(collection.id, docIds[d]!, chunks);
      ids.forEach((id, j) => (idOf[from + j] = id));
    }
    engine.vectors.checkpoint();
    const insertS = (performance.now() - t) / 1000;

    const subtopicsOf = Array.from({ length: QUERIES }, () => corpus.pick(corpus.subtopics.length));
    const texts = subtopicsOf.map((s) => corpus.query(s));
    const vectors = subtopicsOf.map((s) => corpus.vector(s));

    t = performance.now();
    await search(engine, { query: 'warm up: loads the coarse index', k: 10, mode: 'hybrid', diversity: 0 });
    const firstMs = performance.now() - t;
    const hybrid = await timeSearches(engine, texts, 'hybrid');
    const vectorOnly = await timeSearches(
      engine,
      texts.map((q) => `${q} v`),
      'vector',
    );
    const keywordOnly = await timeSearches(
      engine,
      texts.map((q) => `${q} k`),
      'keyword',
    );

    // Recall@10 of the path hybrid search takes (coarse candidates, exact rescoring) vs exact float,
    // and how it moves with the number of candidates.
    const recallQueries = n > 200_000 ? 100 : QUERIES;
    const hits = new Map<number, number>(CANDIDATE_SWEEP.map((c) => [c, 0]));
    const knnTimes = new Map<number, number[]>(CANDIDATE_SWEEP.map((c) => [c, []]));
    const exactTimes: number[] = [];
    for (let i = 0; i < recallQueries; i++) {
      const q = vectors[i]!;
      t = performance.now();
      const truth = new Set(exactTopK(all, n, q, 10).map((i) => idOf[i]!));
      exactTimes.push(performance.now() - t);
      for (const candidates of CANDIDATE_SWEEP) {
        t = performance.now();
        const got = engine.vectors.knn(collection.id, q, 10, { candidates });
        knnTimes.get(candidates)!.push(performance.now() - t);
        hits.set(candidates, hits.get(candidates)! + got.filter((h) => truth.has(h.chunkId)).length);
      }
    }
    const recall = (c: number) => (hits.get(c)! / (recallQueries * 10)).toFixed(3);
    const knnP50 = (c: number) =>
      percentile(
        knnTimes.get(c)!.sort((a, b) => a - b),
        50,
      );
    const sizes = engine.vectors.fileSizes();
    const peak = rss.stop();
    const exactP50 = percentile(
      [...exactTimes].sort((a, b) => a - b),
      50,
    );

    const label = n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`;
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`\n${label} chunks × ${DIM}-d (${collection.name}; ${docs} documents)`);
    console.log(
      `  insert            ${insertS.toFixed(1)} s (${Math.round(n / insertS)} chunks/s), collections.db ${fmtMB(sizes.db)}`,
    );
    console.log(`  first search      ${ms(firstMs)} (loads the in-memory coarse index)`);
    const targets = n >= 1e6 ? 'target p50 ≤ 150 ms' : 'target p50 ≤ 20 ms, p99 ≤ 60 ms';
    console.log(
      `  hybrid top-10     p50 ${ms(hybrid.p50)}  p99 ${ms(hybrid.p99)}  (${targets}; ${QUERIES} queries; p50 = ` +
        `${ratio(hybrid.p50, exactP50)} exact float search in JS, ${ratio(hybrid.p50, ref.cpuMs)} the CPU loop)`,
    );
    console.log(`  vector top-10     p50 ${ms(vectorOnly.p50)}  p99 ${ms(vectorOnly.p99)}`);
    console.log(`  keyword top-10    p50 ${ms(keywordOnly.p50)}  p99 ${ms(keywordOnly.p99)}`);
    console.log(
      `  vector recall@10  ${recall(VECTOR_CANDIDATES)} with the ${VECTOR_CANDIDATES} coarse candidates search uses ` +
        `(target ≥ 0.95; ${recallQueries} queries vs exact float in JS, p50 ${ms(
          percentile(
            exactTimes.sort((a, b) => a - b),
            50,
          ),
        )})`,
    );
    console.log(
      `  candidates sweep  ${CANDIDATE_SWEEP.map((c) => `${c}: recall ${recall(c)}, knn p50 ${ms(knnP50(c))}`).join(' · ')}`,
    );
    console.log(
      `  memory            peak RSS ${fmtMB(peak)}, of which ${fmtMB(all.byteLength)} is the float copy kept for the ` +
        `recall reference; search's in-memory coarse index ${fmtMB(n * (DIM / 8 + 8 + 2))}`,
    );
  } finally {
    rss.stop();
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSearchScale(): Promise<void> {
  await withReport('search-scale', runSearchScale);
}

async function runSearchScale(ref: Reference): Promise<void> {
  const sizes = parseSizes();
  console.log(
    `\nSearch at scale (${os.availableParallelism()} cores, Node ${process.versions.node}; sizes ${sizes.join(', ')}; ` +
      'SEARCH_SCALE_SIZES=100k to skip 1M)',
  );
  for (const n of sizes) await runSize(n, 0x5ea4c4 + n, ref);
}
