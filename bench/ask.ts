// Ask pipeline overhead before generation (issue 5): on a synthetic 100k-chunk collection, the
// time from the question to a ready prompt — answer-cache and golden look-ups, hybrid retrieval
// (distinct questions, so the search cache never answers) and prompt fitting. Prompt fitting uses
// an approximate counter here (≈ 4 characters a token); with a model, countTokens adds one IPC
// round trip to the model process. p50/p99; the target is < 50 ms.
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
import { percentile } from './stats.ts';

const DIM = 384;
const DOC_CHUNKS = 1_000;
const QUESTIONS = 100;
const VOCABULARY = 20_000;

export async function benchAsk(): Promise<void> {
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
      `ask overhead: ${n.toLocaleString('en-US')} chunks inserted in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const approx = async (texts: string[]) => texts.map((s) => Math.ceil(s.length / 4));
    const questions = Array.from(
      { length: QUESTIONS + 5 },
      (_, i) => `What about ${sentence(5)} number ${i}?`,
    );
    const pipeline: number[] = [];
    const retrieval: number[] = [];
    const fitting: number[] = [];
    const askPre: number[] = [];
    for (const [i, q] of questions.entries()) {
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
      // The real flow (extractive here: no model), distinct question: cache + golden + retrieval.
      const r = await ask(engine, { question: `${q} again`, k: 8 });
      if (i < 5) continue; // warm-up
      retrieval.push(tr - t);
      fitting.push(tf - tr);
      pipeline.push(tf - t);
      askPre.push(r.timings.cacheMs + r.timings.goldenMs + r.timings.retrieveMs);
    }
    const fmt = (xs: number[]) => {
      xs.sort((a, b) => a - b);
      return `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms`;
    };
    console.log(`ask overhead: retrieval (hybrid, k 8)             ${fmt(retrieval)}`);
    console.log(`ask overhead: prompt fitting                      ${fmt(fitting)}`);
    console.log(`ask overhead: retrieval + prompt (target < 50 ms) ${fmt(pipeline)}`);
    console.log(`ask overhead: ask() cache + golden + retrieval    ${fmt(askPre)}`);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
