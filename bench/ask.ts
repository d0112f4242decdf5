// Ask round trip without a model (issue 5), on a synthetic 100k-chunk collection: `await ask()`
// timed from the caller, as a user meets it. Cold: the answer cache cleared before each measured
// ask, with distinct questions (so neither the answer nor the search cache answers); warm: the same
// question asked again at once (answer cache hit). Both include persisting the turn (commit and
// WAL fsync). Without a model ask() takes the extractive path. The reference, measured in the same
// loop on the same questions, is search() alone (hybrid, k 8): what retrieval costs before ask adds
// its cache, golden, extraction and persistence. The inner stage timings ask() reports are printed
// after, to explain the caller figure, not as a headline. Target: the cold round trip < 50 ms.
// Prompt fitting (≈ 4 characters a token here; with a model, countTokens adds one IPC round trip
// to the model process) is timed beside it.
//
//   npm run bench -- ask            ASK_BENCH_CHUNKS=20000 for a quicker run
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ask } from '../core/assistant/ask/ask.ts';
import { fitPrompt } from '../core/assistant/ask/prompt.ts';
import { createCollection } from '../core/knowledge/collections/collections.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { search } from '../core/knowledge/retrieval/search.ts';
import type { ChunkInput } from '../core/stores/vectors/store.ts';
import { rng } from '../test/support/prng.ts';
import { fmtDist, median, ratio, withReport, type Reference } from './report.ts';

const DIM = 384;
const DOC_CHUNKS = 1_000;
const QUESTIONS = Number(process.env.ASK_BENCH_QUESTIONS ?? 100);
const WARM_UP = 5;
const VOCABULARY = 20_000;

export async function benchAsk(): Promise<void> {
  await withReport('ask', runAsk);
}

async function runAsk(ref: Reference): Promise<void> {
  const n = Number(process.env.ASK_BENCH_CHUNKS ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-ask-'));
  const engine = await openEngine({ dataDir: dir });
  try {
    const random = rng(5);
    const words = Array.from({ length: VOCABULARY }, (_, i) => `w${i.toString(36)}`);
    // Zipf-ish: low indexes are common.
    const word = () => words[Math.floor(VOCABULARY * random() ** 3)]!;
    const sentence = (len: number) => Array.from({ length: len }, word).join(' ');
    const collection = await createCollection(engine.db, engine.vectors, { name: 'synthetic ask' });
    const docs = Math.ceil(n / DOC_CHUNKS);
    const rows = await engine.db.query<{ id: number }>(
      `INSERT INTO documents (collection_id, source_path, content_hash, file_type, title, tags, chunk_count, status, imported_at)
       SELECT $1, '/synthetic/doc-' || g || '.txt', lpad(to_hex(g), 64, '0'), 'text', 'Synthetic document ' || g,
              ARRAY[]::text[], $3, 'indexed', now()
         FROM generate_series(1, $2::int) AS g ORDER BY g RETURNING id`,
      [collection.id, docs, DOC_CHUNKS],
    );
    let t = performance.now();
    for (let d = 0; d < docs; d++) {
      const chunks: ChunkInput[] = [];
      for (let i = 0; i < Math.min(DOC_CHUNKS, n - d * DOC_CHUNKS); i++) {
        const text = `${sentence(20)}. ${sentence(25)}. ${sentence(15)}.`;
        const embedding = new Float32Array(DIM);
        let norm = 0;
        for (let j = 0; j < DIM; j++) norm += (embedding[j] = random() - 0.5) ** 2;
        for (let j = 0; j < DIM; j++) embedding[j]! /= Math.sqrt(norm);
        chunks.push({
          ordinal: i,
          text,
          headingPath: [`Part ${i % 10}`],
          page: null,
          charStart: 0,
          charEnd: text.length,
          tokenCount: 60,
          embedding,
        });
      }
      engine.vectors.replaceDocumentChunks(collection.id, Number(rows[d]!.id), chunks);
    }
    engine.vectors.checkpoint();
    console.log(
      `ask: ${n.toLocaleString('en-US')} chunks inserted in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const approx = async (texts: string[]) => texts.map((s) => Math.ceil(s.length / 4));
    const questions = Array.from(
      { length: QUESTIONS + WARM_UP },
      (_, i) => `What about ${sentence(5)} number ${i}?`,
    );
    const answers = engine.caches.get('answers');
    const retrieval: number[] = [];
    const fitting: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    const inner = { pre: [] as number[], rest: [] as number[], total: [] as number[] };
    const paths = new Map<string, number>();
    const warmPaths = new Map<string, number>();
    for (const [i, q] of questions.entries()) {
      // Reference: search alone on this question.
      t = performance.now();
      const found = await search(engine, { query: q, k: 8, mode: 'hybrid', diversity: 0 });
      const tr = performance.now();
      await fitPrompt({
        question: q,
        passages: found.items,
        history: [],
        contextSize: 4096,
        answerTokens: 512,
        count: approx,
      });
      const tf = performance.now();
      // The caller's round trip on a distinct question (so the search cache cannot answer either).
      const question = `${q} again`;
      answers.clear();
      const tc = performance.now();
      const r = await ask(engine, { question, k: 8 });
      const coldMs = performance.now() - tc;
      const tw = performance.now();
      const w = await ask(engine, { question, k: 8 });
      const warmMs = performance.now() - tw;
      if (i < WARM_UP) continue;
      retrieval.push(tr - t);
      fitting.push(tf - tr);
      cold.push(coldMs);
      warm.push(warmMs);
      paths.set(r.path, (paths.get(r.path) ?? 0) + 1);
      warmPaths.set(w.path, (warmPaths.get(w.path) ?? 0) + 1);
      const tm = r.timings;
      inner.pre.push(tm.cacheMs + tm.goldenMs + tm.retrieveMs);
      inner.rest.push(tm.totalMs - (tm.cacheMs + tm.goldenMs + tm.retrieveMs + tm.promptMs + tm.generateMs));
      inner.total.push(tm.totalMs);
    }
    const count = (m: Map<string, number>) => [...m].map(([p, c]) => `${p} ${c}`).join(', ');
    const via = count(paths);
    const coldP50 = median(cold);
    const refP50 = median(retrieval);
    console.log(
      `ask(): caller round trip, cold (answer cache cleared; ${via}) ${fmtDist(cold)}` +
        ` = ${ratio(coldP50, refP50)} search() alone; target < 50 ms: ${coldP50 < 50 ? 'met' : 'MISSED'} at the median`,
    );
    console.log(
      `ask(): caller round trip, warm (same question again; ${count(warmPaths)}) ${fmtDist(warm)}` +
        ` = ${ratio(median(warm), refP50)} search() alone`,
    );
    console.log(`reference: search() alone (hybrid, k 8), same questions     ${fmtDist(retrieval)}`);
    console.log(
      `ask() medians in CPU-loop units: cold ${ratio(coldP50, ref.cpuMs)}, warm ${ratio(median(warm), ref.cpuMs)}, ` +
        `search() ${ratio(refP50, ref.cpuMs)} (CPU loop ${ref.cpuMs.toFixed(1)} ms)`,
    );
    console.log(`prompt fitting (approximate counter)                        ${fmtDist(fitting, 2)}`);
    console.log(
      `inner stages of the cold asks (ask's own timings, not a caller figure): cache + golden + retrieval ` +
        `median ${median(inner.pre).toFixed(1)} ms, extract + persist + queue median ${median(inner.rest).toFixed(1)} ms, ` +
        `timings.totalMs median ${median(inner.total).toFixed(1)} ms vs caller ${coldP50.toFixed(1)} ms`,
    );
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
