import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./ws-burst-child.ts', import.meta.url));

export interface SocketOutcome {
  /** Responses to the socket's one request: exactly one is right. */
  responses: number;
  /** ms after the burst began when its answer came; null when none came. */
  answeredMs: number | null;
  ok: boolean | null;
  code: string | null;
  retryAfterMs: number | null;
  /** Why the socket failed (ECONNRESET, closed), if it did. */
  error: string | null;
}

export interface Burst {
  elapsedMs: number;
  outcomes: SocketOutcome[];
}

/**
 * From another process, as real clients are: opens `n` authenticated WebSockets to a running
 * `pustaka serve` at once, each sending one `method` call, and reports every socket's outcome
 * once all are answered or `deadlineMs` has passed.
 */
export function runBurst(opts: {
  port: number;
  token: string;
  n: number;
  method: string;
  deadlineMs: number;
}): Promise<Burst> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, String(opts.port), String(opts.n), opts.method, String(opts.deadlineMs)],
      { env: { ...process.env, PUSTAKA_TOKEN: opts.token }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ws-burst exited with ${code}: ${stderr}`));
      resolve(JSON.parse(stdout) as Burst);
    });
  });
}

/** Counts for a report: answered, results, busy, other errors, failed sockets, unanswered. */
export function summarize(burst: Burst, withinMs = Infinity) {
  const o = burst.outcomes;
  const answered = o.filter((x) => x.answeredMs !== null);
  const codes: Record<string, number> = {};
  for (const x of o) {
    const key = x.answeredMs === null ? `unanswered${x.error ? `:${x.error}` : ''}` : (x.code ?? 'ok');
    codes[key] = (codes[key] ?? 0) + 1;
  }
  return {
    sockets: o.length,
    answered: answered.length,
    answeredWithin: answered.filter((x) => x.answeredMs! <= withinMs).length,
    results: answered.filter((x) => x.ok).length,
    busy: answered.filter((x) => x.code === 'busy').length,
    duplicates: o.filter((x) => x.responses > 1).length,
    codes,
    lastAnswerMs: Math.max(0, ...answered.map((x) => x.answeredMs!)),
  };
}
