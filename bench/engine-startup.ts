// Cold start of the engine in fresh processes: a new data dir (template copy, or initdb when no
// template fits) and an existing one; RSS right after start; durable write latency.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratio, withReport, type Reference } from './report.ts';
import { fmtMB, fmtMs, summary } from './stats.ts';

const PROBE = fileURLToPath(new URL('./probes/open-engine.ts', import.meta.url));

interface Probe {
  origin: string;
  openMs: number;
  processMs: number;
  rssBytes: number;
  writeP50: number;
  writeP99: number;
}

function probe(dataDir: string, mode = ''): Probe {
  const out = execFileSync(process.execPath, ['--import', 'tsx', PROBE, dataDir, mode], { encoding: 'utf8' });
  return JSON.parse(out) as Probe;
}

export async function benchEngineStartup(runs = 5): Promise<void> {
  await withReport('startup', (ref) => runEngineStartup(ref, runs));
}

function runEngineStartup(ref: Reference, runs: number): void {
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
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
