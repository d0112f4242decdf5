// What a user waits for at the command line, side by side in one run: the bare Node floor, the
// CLI's help, a cold `status` and `search` (the CLI opens the engine itself), and the same calls
// attached to a running engine (`pustaka serve` holds the folder), each as the caller's round trip
// of the built `pustaka` binary, with its peak RSS. Needs `npm run build:app` and the real
// documents (scripts/fetch-real-docs.sh).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratio, type Reference } from './report.ts';
import { fmtMB, summary } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'pustaka.js');
const BUILT_CLI = path.join(ROOT, 'build', 'app', 'cli.js');
const RSS_PROBE = fileURLToPath(new URL('./probes/max-rss.mjs', import.meta.url));
const MANUAL = path.join(ROOT, '.fixtures', 'root', 'usr', 'share', 'doc', 'postgresql-doc-15', 'html');
const QUESTION = 'How do I create a new database?';

interface Run {
  ms: number;
  rssBytes: number;
}

/** Spawns `node <args>` with the RSS probe preloaded and waits for it: the caller's round trip. */
function timed(args: string[], env: Record<string, string> = {}): Run {
  const rssFile = path.join(os.tmpdir(), `pustaka-bench-rss-${process.pid}`);
  const t = performance.now();
  const res = spawnSync(process.execPath, ['--import', RSS_PROBE, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env, PUSTAKA_BENCH_RSS_FILE: rssFile },
  });
  const ms = performance.now() - t;
  if (res.status !== 0 && !args.includes('--no-such-option'))
    throw new Error(`node ${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  const rssBytes = Number(fs.readFileSync(rssFile, 'utf8'));
  fs.rmSync(rssFile, { force: true });
  return { ms, rssBytes };
}

/** Imports the first `count` pages of the PostgreSQL manual into a new data folder (not timed). */
function prepareManual(dataDir: string, count: number): void {
  if (!fs.existsSync(MANUAL))
    throw new Error(`no PostgreSQL manual at ${MANUAL}: run scripts/fetch-real-docs.sh first`);
  const pages = fs
    .readdirSync(MANUAL)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .slice(0, count);
  const docs = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-docs-'));
  for (const page of pages) fs.copyFileSync(path.join(MANUAL, page), path.join(docs, page));
  const run = (args: string[]) => {
    const res = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`pustaka ${args.join(' ')}: ${res.stderr}`);
  };
  run(['import', docs, '-c', 'Manual']);
  run(['golden', 'add', '--question', QUESTION, '--answer', 'Run CREATE DATABASE name; or createdb name.']);
  fs.rmSync(docs, { recursive: true, force: true });
}

/** Starts `pustaka serve` on the folder and resolves once its attach endpoint is up. */
async function startServe(dataDir: string): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--json', 'serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const attachFile = path.join(dataDir, 'engine-attach.json');
  const deadline = Date.now() + 120_000;
  while (!fs.existsSync(attachFile)) {
    if (child.exitCode !== null) throw new Error(`pustaka serve exited ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('pustaka serve did not offer its attach endpoint in 120 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
}

function row(name: string, runs: Run[], floorMs: number, note = ''): void {
  const ms = summary(runs.map((r) => r.ms));
  const rss = summary(runs.map((r) => r.rssBytes));
  console.log(
    `${name.padEnd(34)} ${`${ms.p50.toFixed(0)} ms`.padStart(9)} ${`${ms.min.toFixed(0)}–${ms.max.toFixed(0)}`.padStart(12)}` +
      `  ${ratio(ms.p50, floorMs).padStart(7)}  ${fmtMB(rss.p50).padStart(9)}  ${note}`,
  );
}

export async function runCliStartup(_ref: Reference, runs = 10): Promise<void> {
  if (!fs.existsSync(BUILT_CLI)) throw new Error(`no ${BUILT_CLI}: run \`npm run build:app\` first`);
  const pages = Number(process.env.PUSTAKA_BENCH_PAGES ?? 150);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-cli-'));
  try {
    const empty = path.join(root, 'empty');
    const manual = path.join(root, 'manual');
    timed([BIN, '--data-dir', empty, 'status']); // creates the folder: later runs open an existing one
    prepareManual(manual, pages);
    const d = (dir: string) => [BIN, '--data-dir', dir];
    const many = (n: number, f: () => Run) => Array.from({ length: n }, f);

    const floor = many(runs, () => timed(['-e', '0']));
    const floorMs = summary(floor.map((r) => r.ms)).p50;
    console.log(
      `\nCLI start-up: the caller's round trip of \`node bin/pustaka.js …\` (built), ${runs} runs each ` +
        `(cold: ${Math.ceil(runs / 2)}); the PostgreSQL manual's first ${pages} pages`,
    );
    console.log('case                               median      min–max  × floor   RSS p50');
    row('node -e 0 (the floor)', floor, floorMs);
    row(
      'pustaka --help',
      many(runs, () => timed([BIN, '--help'])),
      floorMs,
      'target ≤ 2×',
    );
    row(
      'pustaka --no-such-option',
      many(runs, () => timed([BIN, '--no-such-option'])),
      floorMs,
      'target ≤ 2×',
    );
    const cold = Math.ceil(runs / 2);
    row(
      'status, empty folder (cold)',
      many(cold, () => timed([...d(empty), 'status'])),
      floorMs,
    );
    row(
      'status, manual (cold)',
      many(cold, () => timed([...d(manual), 'status'])),
      floorMs,
    );
    row(
      'search, manual (cold)',
      many(cold, () => timed([...d(manual), 'search', 'create index'])),
      floorMs,
    );
    row(
      'golden ask, manual (cold)',
      many(cold, () => timed([...d(manual), 'ask', QUESTION])),
      floorMs,
    );

    const stop = await startServe(manual);
    try {
      timed([...d(manual), 'status']); // the engine's first call warms its caches
      row(
        'status (attached)',
        many(runs, () => timed([...d(manual), 'status'])),
        floorMs,
      );
      row(
        'search (attached)',
        many(runs, () => timed([...d(manual), 'search', 'create index'])),
        floorMs,
        'target ≤ floor + 100 ms',
      );
      row(
        'golden ask (attached)',
        many(runs, () => timed([...d(manual), 'ask', QUESTION])),
        floorMs,
        'target ≤ floor + 100 ms',
      );
    } finally {
      await stop();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
