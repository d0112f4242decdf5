// Soak (issue 9): imports batches of documents while questions (`ask`, extractive without a chat
// model) and searches run concurrently on the same engine, for minutes. Prints throughput,
// p50/p99 latency of ask and search, and RSS over time; RSS must stay flat once warm.
//
//   npm run bench -- soak                 2 minutes
//   SOAK_MINUTES=30 npm run bench -- soak  the long run
// The suite runs the same loop for ~20 s (test/faults/soak.test.ts) and checks correctness only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { prose } from '../test/support/fault-corpus.ts';
import { writeFile } from '../test/support/files.ts';
import { checkInvariants } from '../test/support/invariants.ts';
import { rng } from '../test/support/prng.ts';
import { ratio, withReport, type Reference } from './report.ts';
import { fmtMB, percentile } from './stats.ts';

export interface SoakOptions {
  durationMs: number;
  /** Import at least this many batches, however long it takes (the suite's short run). */
  minBatches?: number;
  filesPerBatch?: number;
  wordsPerFile?: number;
  /** RSS is sampled this often. */
  sampleEveryMs?: number;
  progressEveryMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seconds: number;
  batches: number;
  files: number;
  chunks: number;
  asks: number;
  /** Asks that ran while an import was in flight (the point of the soak). */
  asksDuringImport: number;
  searches: number;
  /** Asks answered with an empty answer (must be 0). */
  unanswered: number;
  errors: string[];
  askMs: number[];
  searchMs: number[];
  rss: { atMs: number; bytes: number }[];
  invariants: string[];
}

const TOPICS = [
  'kitas',
  'kitap',
  'sponsor',
  'pajak',
  'npwp',
  'visa',
  'notaris',
  'akta',
  'modal',
  'direksi',
  'permit',
  'treaty',
];

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const filesPerBatch = opts.filesPerBatch ?? 10;
  const wordsPerFile = opts.wordsPerFile ?? 1_200;
  const log = opts.log ?? (() => undefined);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-soak-'));
  const engine = await openEngine({ dataDir: path.join(root, 'data') });
  const dispatcher = createDispatcher(engine);
  const client: ApiClient = createApiClient((m, p, o) => dispatcher.call(m, p, o));
  const report: SoakReport = {
    seconds: 0,
    batches: 0,
    files: 0,
    chunks: 0,
    asks: 0,
    asksDuringImport: 0,
    searches: 0,
    unanswered: 0,
    errors: [],
    askMs: [],
    searchMs: [],
    rss: [],
    invariants: [],
  };
  const started = performance.now();
  const deadline = started + opts.durationMs;
  const sample = () =>
    report.rss.push({ atMs: performance.now() - started, bytes: process.memoryUsage().rss });
  sample();
  const sampler = setInterval(sample, opts.sampleEveryMs ?? 10_000);
  let importing = false;
  let importsDone = false;
  // Questions keep coming for as long as imports run, so every batch is imported under load.
  const running = () => performance.now() < deadline || !importsDone;
  const fail = (what: string, err: unknown) =>
    report.errors.length < 20 &&
    report.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);

  const importLoop = async () => {
    for (let b = 0; performance.now() < deadline || b < (opts.minBatches ?? 0); b++) {
      // Every third batch changes two files of an earlier folder and imports it again (updates).
      const folder = path.join(root, 'docs', `batch-${b % 3 === 2 ? b - 1 : b}`);
      for (let f = 0; f < filesPerBatch; f++) {
        if (b % 3 === 2 && f >= 2) break;
        const seed = b * 1000 + f;
        writeFile(
          folder,
          `note-${f}.md`,
          `# Batch ${b} note ${f}\n\n## ${TOPICS[seed % TOPICS.length]}\n\n${prose(seed, wordsPerFile)}\n`,
        );
      }
      importing = true;
      try {
        const res = await client.call('import.run', {
          collection: b % 2 ? 'Soak B' : 'Soak A',
          create: true,
          paths: [folder],
        });
        report.batches++;
        report.files += res.imported + res.updated;
        report.chunks += res.chunks;
        if (res.failed.length) fail('import', res.failed.map((x) => x.message).join('; '));
      } catch (err) {
        fail('import', err);
      } finally {
        importing = false;
      }
    }
    importsDone = true;
  };

  // A cached answer resolves without any I/O: without a turn of the event loop between calls, a
  // tight loop of them would starve the import (real carriers deliver each call as a new task).
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  const askLoop = async () => {
    const next = rng(11);
    for (let i = 0; running(); i++) {
      // Mostly new questions (full path); every fifth repeats one (answer cache).
      const seed = i % 5 === 4 ? i - 4 : i;
      const question = `What about ${TOPICS[seed % TOPICS.length]} ${prose(seed, 3 + Math.floor(next() * 4))}?`;
      await nextTurn();
      const during = importing;
      const t = performance.now();
      try {
        const res = await client.call('ask', { question, k: 5 });
        report.askMs.push(performance.now() - t);
        report.asks++;
        if (during) report.asksDuringImport++;
        if (!res.answer.trim()) report.unanswered++;
      } catch (err) {
        fail('ask', err);
      }
    }
  };

  const searchLoop = async () => {
    for (let i = 0; running(); i++) {
      await nextTurn();
      const t = performance.now();
      try {
        await client.call('search', { query: `${TOPICS[i % TOPICS.length]} ${prose(50_000 + i, 2)}`, k: 10 });
        report.searchMs.push(performance.now() - t);
        report.searches++;
      } catch (err) {
        fail('search', err);
      }
    }
  };

  const progress = setInterval(
    () =>
      log(
        `  ${((performance.now() - started) / 1000).toFixed(0)} s: ${report.files} files, ${report.chunks} chunks, ${report.asks} asks, ${report.searches} searches, RSS ${fmtMB(process.memoryUsage().rss)}`,
      ),
    opts.progressEveryMs ?? 30_000,
  );
  try {
    await Promise.all([importLoop(), askLoop(), searchLoop()]);
    sample();
    report.seconds = (performance.now() - started) / 1000;
    report.invariants = await checkInvariants(engine);
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
    await engine.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
  return report;
}

export async function benchSoak(): Promise<void> {
  await withReport('soak', runSoakBench);
}

async function runSoakBench(ref: Reference): Promise<void> {
  const minutes = Number(process.env.SOAK_MINUTES ?? 2);
  console.log(
    `\n== soak: import while asking and searching, ${minutes} min (SOAK_MINUTES), ${os.availableParallelism()} cores ==`,
  );
  const r = await runSoak({ durationMs: minutes * 60_000, log: console.log });
  const ask = [...r.askMs].sort((a, b) => a - b);
  const search = [...r.searchMs].sort((a, b) => a - b);
  const rssStart = r.rss[0]!.bytes;
  const rssEnd = r.rss.at(-1)!.bytes;
  // Growth once warm: from the first sample after a quarter of the run (caches and pools filled).
  const warm = r.rss.find((s) => s.atMs >= r.seconds * 250) ?? r.rss[0]!;
  const peak = Math.max(...r.rss.map((s) => s.bytes));
  console.log(`duration         ${r.seconds.toFixed(0)} s`);
  console.log(
    `import           ${r.batches} batches, ${r.files} files, ${r.chunks} chunks: ${(r.files / r.seconds).toFixed(2)} files/s, ${(r.chunks / r.seconds).toFixed(1)} chunks/s`,
  );
  console.log(
    `ask              ${r.asks} (${r.asksDuringImport} during an import), ${(r.asks / r.seconds).toFixed(2)}/s, p50 ${percentile(ask, 50).toFixed(0)} ms, p99 ${percentile(ask, 99).toFixed(0)} ms, unanswered ${r.unanswered}; p50 ${ratio(percentile(ask, 50), percentile(search, 50))} search's p50, ${ratio(percentile(ask, 50), ref.cpuMs)} the CPU loop`,
  );
  console.log(
    `search           ${r.searches}, ${(r.searches / r.seconds).toFixed(2)}/s, p50 ${percentile(search, 50).toFixed(0)} ms, p99 ${percentile(search, 99).toFixed(0)} ms`,
  );
  console.log(
    `RSS              start ${fmtMB(rssStart)}, warm ${fmtMB(warm.bytes)} at ${(warm.atMs / 1000).toFixed(0)} s, peak ${fmtMB(peak)}, end ${fmtMB(rssEnd)}; growth ${fmtMB(rssEnd - rssStart)} overall, ${fmtMB(rssEnd - warm.bytes)} once warm`,
  );
  console.log(
    `RSS samples      ${r.rss.map((s) => `${(s.atMs / 1000).toFixed(0)}s:${(s.bytes / 1048576).toFixed(0)}`).join(' ')} (MB)`,
  );
  console.log(`errors           ${r.errors.length ? r.errors.join(' | ') : 'none'}`);
  console.log(`invariants       ${r.invariants.length ? r.invariants.join(' | ') : 'hold'}`);
}
