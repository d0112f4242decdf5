// What every benchmark prints besides its own figures, so that a number can be read against the
// machine it came from: the load average at start and end, and references measured in the same
// run (a fixed CPU loop, and the spawn of an empty Node process), with distributions as medians
// and percentiles rather than a best run.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { percentile } from './stats.ts';

export interface Dist {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Median, p90, p99, min and max (nearest rank) of the values. */
export function dist(values: number[]): Dist {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0] ?? NaN,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.at(-1) ?? NaN,
  };
}

export const median = (values: number[]): number => dist(values).p50;

/** "median 12.3 ms, p90 15.0 ms (min 10.1, max 20.2; n 100)". */
export function fmtDist(values: number[], digits = 1, unit = 'ms'): string {
  const d = dist(values);
  const f = (x: number) => x.toFixed(digits);
  return `median ${f(d.p50)} ${unit}, p90 ${f(d.p90)} ${unit} (min ${f(d.min)}, max ${f(d.max)}; n ${d.n})`;
}

/** "3.4×": how many times the reference ("1/250×" below 0.01). */
export const ratio = (value: number, reference: number): string => {
  const r = value / reference;
  if (r > 0 && r < 0.01) return `1/${(1 / r).toFixed(0)}×`;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}×`;
};

export function loadavgLine(): string {
  const [one, five, fifteen] = os.loadavg().map((x) => x.toFixed(2));
  return `load average ${one} ${five} ${fifteen} (1/5/15 min) on ${os.availableParallelism()} cores`;
}

/**
 * A fixed amount of single-threaded integer work (about 25 ms on a 2024 server core): its median
 * over `runs` tells how fast this process's core is at the moment of measuring.
 */
export function cpuLoopMs(runs = 5): number {
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r < runs + 1; r++) {
    const t = performance.now();
    let h = 0x811c9dc5;
    for (let i = 0; i < 16_000_000; i++) h = Math.imul(h ^ i, 0x01000193) >>> 0;
    sink ^= h;
    if (r > 0) times.push(performance.now() - t); // the first run warms the JIT
  }
  if (sink === 0.5) console.log(sink); // never: keeps the loop from being optimised away
  return median(times);
}

/** Median wall time of spawning `node -e 0` and waiting for it: the cost of a bare process. */
export function spawnNodeMs(runs = 5): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  return median(times);
}

export interface Reference {
  /** Median of the fixed CPU loop at the start, ms. */
  cpuMs: number;
  /** Median spawn of `node -e 0` at the start, ms. */
  spawnMs: number;
}

/**
 * Runs one benchmark between a start line (load average, references) and an end line (load average,
 * the CPU reference again, and how far it moved): a figure taken while the machine was busy shows it.
 */
export async function withReport(
  name: string,
  body: (ref: Reference) => void | Promise<void>,
): Promise<void> {
  const ref: Reference = { cpuMs: cpuLoopMs(), spawnMs: spawnNodeMs() };
  console.log(
    `\n[${name}] start: ${loadavgLine()}; reference: CPU loop median ${ref.cpuMs.toFixed(1)} ms, ` +
      `\`node -e 0\` spawn median ${ref.spawnMs.toFixed(0)} ms (Node ${process.versions.node})`,
  );
  const t = performance.now();
  try {
    await body(ref);
  } finally {
    const endCpu = cpuLoopMs();
    const drift = Math.round((endCpu / ref.cpuMs - 1) * 100);
    console.log(
      `[${name}] end after ${((performance.now() - t) / 1000).toFixed(1)} s: ${loadavgLine()}; ` +
        `CPU loop median ${endCpu.toFixed(1)} ms (${drift > 0 ? '+' : ''}${drift}% vs start)`,
    );
  }
}
