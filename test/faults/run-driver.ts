import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));

/** Rounds of kill -9 per operation: 3 in CI, more with PUSTAKA_FAULT_ROUNDS=20 (long mode). */
export const FAULT_ROUNDS = Math.max(1, Number(process.env.PUSTAKA_FAULT_ROUNDS) || 3);
/** One seed for every random kill point, printed so a failing run can be replayed. */
export const FAULT_SEED = Number(process.env.PUSTAKA_FAULT_SEED) || 20_260_901;

export interface DriverRun {
  /** True when we SIGKILLed it; false when it finished first. */
  killed: boolean;
  /** Progress lines printed before the end (or the kill). */
  lines: string[];
  /** The JSON after `done`, when it finished. */
  done: unknown;
}

/**
 * Runs driver.ts and, when `kill` is set, SIGKILLs it `delayMs` after its `afterLines`-th
 * progress line (only lines `counting` accepts, when given) — a point chosen by the caller's
 * seeded PRNG —, or as soon as `when` (polled every 20 ms) says so. Rejects if it fails on its own.
 */
export function runDriver(
  args: string[],
  kill: {
    afterLines: number;
    delayMs: number;
    counting?: (line: string) => boolean;
    when?: () => boolean;
  } | null = null,
): Promise<DriverRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    let done: unknown;
    let armed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        if (line.startsWith('done ')) done = JSON.parse(line.slice(5));
        else lines.push(line);
      }
      const counted = kill?.counting ? lines.filter(kill.counting).length : lines.length;
      if (kill && !armed && counted >= kill.afterLines) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
      }
    });
    const poll = kill?.when
      ? setInterval(() => {
          if (armed || !kill.when!()) return;
          armed = true;
          child.kill('SIGKILL');
        }, 20)
      : undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve({ killed: true, lines, done: undefined });
      else if (code === 0) resolve({ killed: false, lines, done });
      else reject(new Error(`driver ${args[0]} failed (${code ?? signal}): ${stderr}`));
    });
  });
}
