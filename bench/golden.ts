// Golden answers (issue 6): matching quality on the paraphrase sets (hit rate and wrong hits per
// threshold, built-in embedder), and, with 10k approved golden answers, the headline: `await ask()`
// timed from the caller on one question served by the golden path, against the same question
// answered in the same run by the extractive path (no model) and by a generated answer (the tiny
// generated Llama) — the references. Cold: answer and golden caches cleared before each measured
// ask, as a user meets a question for the first time; warm: the same question asked again at once
// (answer cache hit). Every round trip includes persisting the turn. findGolden() is also timed on
// its own (exact, from the database and LRU-cached, and semantic): inner figures, not a caller's.
//
//   npm run bench -- golden            GOLDEN_BENCH_N=2000 for a quicker run
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ask } from '../core/assistant/ask/ask.ts';
import { configureChatModels } from '../core/models/llm/chat-models.ts';
import { createBuiltinEmbedder } from '../core/models/embed/builtin.ts';
import { BUILTIN_EMBEDDER } from '../core/models/embed/builtin-spec.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { ensureGoldenIndex, findGolden } from '../core/assistant/golden/lookup.ts';
import { questionKeys } from '../core/assistant/golden/question-key.ts';
import { createGolden } from '../core/assistant/golden/review.ts';
import { thresholdFor } from '../core/assistant/golden/thresholds.ts';
import { importModel, useModel } from '../core/models/llm/models.ts';
import { importPaths } from '../core/knowledge/import/import-service.ts';
import { writeTinyLlama } from '../test/support/gguf/tiny-llama.ts';
import { rng } from '../test/support/prng.ts';
import { scoreMatching } from './golden/evaluate.ts';
import { HELD_OUT_GROUPS, PARAPHRASE_GROUPS } from './golden/paraphrases.ts';
import { fmtDist, median, ratio, withReport, type Reference } from './report.ts';

const fmt = (xs: number[]) => fmtDist(xs, 2);
const GENERATED_ROUNDS = Number(process.env.GOLDEN_BENCH_GENERATED ?? 5);

async function benchMatching(): Promise<void> {
  const e = createBuiltinEmbedder();
  const chosen = thresholdFor(BUILTIN_EMBEDDER.id);
  console.log(`golden matching (built-in embedder; calibrated threshold ${chosen}):`);
  console.log('  set        threshold  hit rate  wrong hits  (paraphrases / near-misses)');
  for (const [name, groups] of [
    ['tuned', PARAPHRASE_GROUPS],
    ['held-out', HELD_OUT_GROUPS],
  ] as const) {
    for (const guard of [false, true]) {
      for (const s of await scoreMatching(e, groups, [0.6, 0.7, 0.8, 0.9])) {
        if (!guard) continue;
        console.log(
          `  ${name.padEnd(9)}  ${s.threshold.toFixed(2)}       ${(s.hitRate * 100).toFixed(1).padStart(5)} %  ${s.wrongHits} = ${(s.wrongHitRate * 100).toFixed(1)} %  (${s.paraphrases} / ${s.nearMisses})`,
        );
      }
      if (!guard) {
        const [s] = await scoreMatching(e, groups, [chosen], false);
        console.log(
          `  ${name.padEnd(9)}  ${chosen.toFixed(2)} no guard ${(s!.hitRate * 100).toFixed(1).padStart(5)} %  ${s!.wrongHits} = ${(s!.wrongHitRate * 100).toFixed(1)} %`,
        );
      }
    }
  }
}

/** n approved golden answers: the paraphrase canonicals plus synthetic consulting questions. */
async function seedGolden(engine: Engine, n: number): Promise<void> {
  const random = rng(11);
  const topics = [
    'KITAS',
    'KITAP',
    'NPWP',
    'NIB',
    'PT PMA',
    'B211A',
    'C312',
    'E33G',
    'RPTKA',
    'SPT',
    'VAT',
    'OSS',
  ];
  const asks = [
    'fee',
    'deadline',
    'documents',
    'sponsor',
    'renewal',
    'penalty',
    'timeline',
    'requirements',
    'tax',
    'office',
  ];
  const places = ['Bali', 'Jakarta', 'Surabaya', 'Bandung', 'Medan', 'Makassar', 'Lombok', 'Batam'];
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  for (const g of [...PARAPHRASE_GROUPS, ...HELD_OUT_GROUPS]) {
    await createGolden(engine, {
      question: g.canonical,
      answer: `Answer to: ${g.canonical}`,
      variations: [],
      collectionIds: null,
    });
  }
  const rows: unknown[][] = [];
  for (let i = 0; rows.length < n - PARAPHRASE_GROUPS.length - HELD_OUT_GROUPS.length; i++) {
    const q = `What is the ${pick(topics)} ${pick(asks)} in ${pick(places)} for case ${i}?`;
    const k = questionKeys(q);
    rows.push([k.hash, k.looseKey, q, `Synthetic answer ${i}.`]);
  }
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000);
    await engine.db.query(
      `INSERT INTO golden_answers (query_hash, loose_key, canonical_question, answer, generated_by, review_status)
       SELECT h, l, q, a, 'user', 'approved' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(h, l, q, a)
       ON CONFLICT (query_hash) DO NOTHING`,
      [batch.map((r) => r[0]), batch.map((r) => r[1]), batch.map((r) => r[2]), batch.map((r) => r[3])],
    );
  }
}

async function benchLatency(ref: Reference): Promise<void> {
  const n = Number(process.env.GOLDEN_BENCH_N ?? 10_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-golden-'));
  const engine = await openEngine({ dataDir: dir });
  try {
    let t = performance.now();
    await seedGolden(engine, n);
    const [{ count }] = (await engine.db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM golden_answers WHERE review_status = 'approved'`,
    )) as [{ count: number }];
    console.log(
      `golden lookup: ${count} approved golden answers written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = performance.now();
    await ensureGoldenIndex(engine);
    console.log(
      `golden lookup: semantic index built (embedded every question) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const golden = engine.caches.get('golden');
    const exactQs = PARAPHRASE_GROUPS.map((g) => g.canonical.toUpperCase());
    const semanticQs = [...PARAPHRASE_GROUPS, ...HELD_OUT_GROUPS].flatMap((g) =>
      g.same.filter((q) => {
        const k = questionKeys(q);
        const c = questionKeys(g.canonical);
        return k.hash !== c.hash && k.looseKey !== c.looseKey;
      }),
    );
    const measure = async (qs: string[], rounds: number, cold: boolean) => {
      const times: number[] = [];
      let hits = 0;
      for (let r = 0; r < rounds; r++) {
        for (const q of qs) {
          if (cold) golden.clear();
          const s = performance.now();
          const m = await findGolden(engine, q, questionKeys(q), null);
          times.push(performance.now() - s);
          if (m) hits++;
        }
      }
      return { times: times.slice(qs.length), hits: hits / rounds };
    };
    await measure(exactQs, 1, true); // warm-up (plans, JIT)
    const exactDb = await measure(exactQs, 8, true);
    const exactCached = await measure(exactQs, 8, false);
    const semantic = await measure(semanticQs, 4, true);
    console.log(
      `findGolden() direct (inner), exact, database (cache cleared)  ${fmt(exactDb.times)}  (${exactDb.hits}/${exactQs.length} hit)`,
    );
    console.log(`findGolden() direct (inner), exact, LRU-cached                ${fmt(exactCached.times)}`);
    console.log(
      `findGolden() direct (inner), semantic (embed + KNN + guard)   ${fmt(semantic.times)}  (${semantic.hits}/${semanticQs.length} paraphrases served)`,
    );

    // The same question through ask(): golden path vs generated (tiny Llama) vs extractive.
    const docs = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-golden-docs-'));
    fs.writeFileSync(
      path.join(docs, 'kitas.md'),
      '# KITAS\n\nThe KITAS fee for one year is Rp 5.000.000 for an investor. Renewal takes two weeks.\n',
    );
    await importPaths(
      engine,
      { collection: 'Bench', create: true, paths: [docs] },
      { signal: new AbortController().signal, emit: () => {} },
    );
    const question = 'What is the KITAS fee?';
    // Caller round trips: cold (answer and golden caches cleared, as for a first-time question),
    // then warm (the same question again at once: an answer-cache hit).
    const asked = async (rounds: number) => {
      const cold: number[] = [];
      const warm: number[] = [];
      const paths = new Set<string>();
      const warmPaths = new Set<string>();
      for (let i = 0; i < rounds; i++) {
        engine.caches.get('answers').clear();
        engine.caches.get('golden').clear();
        let t0 = performance.now();
        const r = await ask(engine, { question });
        cold.push(performance.now() - t0);
        paths.add(r.path);
        t0 = performance.now();
        const w = await ask(engine, { question });
        warm.push(performance.now() - t0);
        warmPaths.add(w.path);
      }
      return { cold, warm, path: [...paths].join('/'), warmPath: [...warmPaths].join('/') };
    };
    await asked(2); // warm-up (plans, JIT)
    const viaGolden = await asked(20);
    await engine.db.query(`UPDATE golden_answers SET review_status = 'draft' WHERE canonical_question = $1`, [
      question,
    ]);
    engine.caches.get('golden').clear();
    const extractive = await asked(10);
    configureChatModels(engine, { contextSize: 1024 });
    const modelFile = path.join(dir, 'tiny.gguf');
    await writeTinyLlama(modelFile, { quant: 'q8_0', seed: 7, ctx: 2048, name: 'tiny-chat' });
    const imported = await importModel(engine, { path: modelFile, mode: 'link' });
    await useModel(engine, imported.model.id, 'chat');
    await asked(1); // model load
    const generated = await asked(GENERATED_ROUNDS);
    const q = `ask("${question}")`;
    const g = median(viaGolden.cold);
    const ex = median(extractive.cold);
    const gen = median(generated.cold);
    console.log(`${q} caller round trip, cold (answer + golden caches cleared before each):`);
    console.log(`  golden path (${viaGolden.path})`.padEnd(50) + fmt(viaGolden.cold));
    console.log(`  reference: extractive (${extractive.path}), no model`.padEnd(50) + fmt(extractive.cold));
    console.log(`  reference: generated (${generated.path}), tiny Llama`.padEnd(50) + fmt(generated.cold));
    console.log(`${q} caller round trip, warm (same question again at once; path served):`);
    console.log(`  after golden (${viaGolden.warmPath})`.padEnd(32) + fmt(viaGolden.warm));
    console.log(`  after extractive (${extractive.warmPath})`.padEnd(32) + fmt(extractive.warm));
    console.log(`  after generated (${generated.warmPath})`.padEnd(32) + fmt(generated.warm));
    console.log(
      `golden path, caller-measured median (cold): ${g.toFixed(1)} ms; references in this run: the tiny model's ` +
        `generated answer ${gen.toFixed(1)} ms (${ratio(gen, g)} the golden path), the extractive path ` +
        `${ex.toFixed(1)} ms (${ratio(ex, g)}); golden = ${ratio(g, ref.cpuMs)} the CPU loop. A real 3B–8B model ` +
        'generates 10–100× slower than the tiny one',
    );
    fs.rmSync(docs, { recursive: true, force: true });
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchGolden(): Promise<void> {
  await withReport('golden', async (ref) => {
    await benchMatching();
    await benchLatency(ref);
  });
}
