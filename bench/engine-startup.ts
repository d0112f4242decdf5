// Cold start of the engine in fresh processes: a new data dir (template copy, or initdb when no
// template fits) and an existing one; RSS right after start; durable write latency.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measurePackagedEngineStart, type PackagedStart } from '../test/support/packaged/session.ts';
import { runCliStartup } from './cli-startup.ts';
import { ratio, withReport, type Reference } from './report.ts';
import { fmtMB, fmtMs, summary } from './stats.ts';

const PROBE = fileURLToPath(new URL('./probes/open-engine.ts', import.meta.url));

interface Probe {
  origin: string;
  openMs: number;
  importMs: number;
  phases: Record<string, number>;
  processMs: number;
  rssBytes: number;
  writeP50: number;
  writeP99: number;
}

function probe(dataDir: string, mode = ''): Probe {
  const out = execFileSync(process.execPath, ['--import', 'tsx', PROBE, dataDir, mode], { encoding: 'utf8' });
  return JSON.parse(out) as Probe;
}

/** `npm run bench -- startup`: the CLI as a user runs it, then the engine open alone. */
/** The desktop engine from the installed layout (electron-builder.yml → app.asar), plain Node. */
async function runPackagedStartup(ref: Reference, runs: number): Promise<void> {
  const results: PackagedStart[] = [];
  for (let i = 0; i < runs; i++) results.push(await measurePackagedEngineStart());
  const ready = summary(results.map((r) => r.readyMs));
  console.log(
    `\nDesktop engine from the packaged layout (${runs} fresh packages, new data folder each): ` +
      `engine ready ${fmtMs(ready.p50)} (${fmtMs(ready.min)}–${fmtMs(ready.max)}, ${ratio(ready.p50, ref.spawnMs)} node -e 0), ` +
      `RSS at ready ${fmtMB(summary(results.map((r) => r.rssBytes)).p50)}, ` +
      `peak ${fmtMB(summary(results.map((r) => r.peakRssBytes ?? 0)).p50)}; ` +
      `assembling the package took ${fmtMs(summary(results.map((r) => r.assembleMs)).p50)}`,
  );
}

/** "module load 412 · lock 3 · folder checks 9 · postgres open + migrations check 402 · …": step lengths. */
function phaseBreakdown(results: Probe[]): string {
  const names = Object.keys(results[0]!.phases);
  const steps = names.map((n, i) => {
    const length = (r: Probe) => r.phases[n]! - (i === 0 ? 0 : r.phases[names[i - 1]!]!);
    return `${n} ${summary(results.map(length)).p50.toFixed(0)}`;
  });
  const rest = summary(results.map((r) => r.openMs - (r.phases[names.at(-1)!] ?? 0))).p50;
  return [
    `module load ${summary(results.map((r) => r.importMs)).p50.toFixed(0)}`,
    ...steps,
    `services ${rest.toFixed(0)}`,
  ].join(' · ');
}

export async function benchEngineStartup(runs = 5): Promise<void> {
  await withReport('startup', async (ref) => {
    await runCliStartup(ref, runs * 2);
    runEngineStartup(ref, runs);
    await runPackagedStartup(ref, 3);
  });
}

export function runEngineStartup(ref: Reference, runs = 5): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-'));
  try {
    const cases: [string, () => Probe][] = [
      ['new data dir (template)', () => probe(fs.mkdtempSync(path.join(root, 't-')))],
      ['new data dir (initdb, no template)', () => probe(fs.mkdtempSync(path.join(root, 'i-')), 'initdb')],
    ];
    const existing = fs.mkdtempSync(path.join(root, 'e-'));
    probe(existing);
    cases.push(['existing data dir', () => probe(existing)]);

    console.log(
      `\nEngine cold start (${runs} fresh processes each; ${os.cpus().length} cores, Node ${process.versions.node})`,
    );
    console.log(
      'case                                 open p50   open min–max        process p50 (× node -e 0)   RSS p50    write p50/p99',
    );
    const phaseLines: string[] = [];
    for (const [name, run] of cases) {
      const results = Array.from({ length: name.includes('initdb') ? Math.min(3, runs) : runs }, run);
      const open = summary(results.map((r) => r.openMs));
      const proc = summary(results.map((r) => r.processMs));
      const rss = summary(results.map((r) => r.rssBytes));
      const w50 = summary(results.map((r) => r.writeP50));
      const w99 = summary(results.map((r) => r.writeP99));
      console.log(
        `${name.padEnd(36)} ${fmtMs(open.p50).padStart(8)}   ${`${fmtMs(open.min)}–${fmtMs(open.max)}`.padEnd(18)}  ${fmtMs(proc.p50).padStart(10)} ${`(${ratio(proc.p50, ref.spawnMs)})`.padEnd(15)}  ${fmtMB(rss.p50).padStart(8)}   ${w50.p50.toFixed(2)}/${w99.p50.toFixed(2)} ms`,
      );
      phaseLines.push(`  ${name}: ${phaseBreakdown(results)}`);
    }
    console.log('where the open goes (median ms per step; module load through tsx, not the build):');
    for (const line of phaseLines) console.log(line);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
