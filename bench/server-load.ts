// `pustaka serve` under a burst (item 12): N authenticated WebSockets opened at once from another
// process, each sending one `status`. Reported: how many were answered within the deadline (a
// result or a `busy` refusal), how many got nothing, and when the last answer came. The data folder
// holds many messages so that `status`, which counts every table, is heavy, as on item 12's folder
// (~180 ms a call at 1M messages here). Reference, in the same run: one `status` on one socket.
//
//   npm run bench -- server-load     SERVER_LOAD_SOCKETS=1000 SERVER_LOAD_MESSAGES=1000000
//                                    SERVER_LOAD_DEADLINE_MS=60000
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../core/startup/open-engine.ts';
import { runBurst, summarize } from '../test/support/ws-burst.ts';
import { withReport } from './report.ts';

// SERVER_LOAD_BIN: another checkout's bin/pustaka.js, to measure it the same way (before/after).
const BIN = process.env.SERVER_LOAD_BIN ?? fileURLToPath(new URL('../bin/pustaka.js', import.meta.url));
const SOCKETS = Number(process.env.SERVER_LOAD_SOCKETS ?? 1000);
const MESSAGES = Number(process.env.SERVER_LOAD_MESSAGES ?? 1_000_000);
const DEADLINE_MS = Number(process.env.SERVER_LOAD_DEADLINE_MS ?? 60_000);

export async function benchServerLoad(): Promise<void> {
  await withReport('server-load', runServerLoad);
}

async function seed(dataDir: string): Promise<void> {
  const engine = await openEngine({ dataDir });
  try {
    const t = performance.now();
    await engine.db.query(
      `INSERT INTO conversations (title) SELECT 'c' || g FROM generate_series(1, 1000) g`,
    );
    await engine.db.query(
      `INSERT INTO messages (conversation_id, role, content)
       SELECT 1 + g % 1000, 'user', 'message ' || g FROM generate_series(1, $1::int) g`,
      [MESSAGES],
    );
    const s = ((performance.now() - t) / 1000).toFixed(1);
    console.log(`server-load: ${MESSAGES.toLocaleString('en-US')} messages seeded in ${s} s`);
  } finally {
    await engine.close();
  }
}

async function runServerLoad(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-server-load-'));
  try {
    // Seeded first: the server holds the data folder while it runs.
    if (MESSAGES > 0) await seed(dataDir);
    await burstAgainst(dataDir);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function burstAgainst(dataDir: string): Promise<void> {
  const server = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--json', 'serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const info = await new Promise<{ port: number; token: string }>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`pustaka serve exited with ${code}`)));
      readline
        .createInterface({ input: server.stdout })
        .once('line', (line) => resolve(JSON.parse(line) as { port: number; token: string }));
    });
    const one = summarize(await runBurst({ ...info, n: 1, method: 'status', deadlineMs: DEADLINE_MS }));
    console.log(`server-load: reference, one status on one socket: answered after ${one.lastAnswerMs} ms`);
    const burst = await runBurst({ ...info, n: SOCKETS, method: 'status', deadlineMs: DEADLINE_MS });
    const s = summarize(burst, DEADLINE_MS);
    console.log(
      `server-load: ${SOCKETS} sockets × one status: ${s.answeredWithin} answered within ` +
        `${DEADLINE_MS / 1000} s (${s.results} results, ${s.busy} busy), ` +
        `${SOCKETS - s.answered} unanswered, ${s.duplicates} answered twice; ` +
        `last answer after ${(s.lastAnswerMs / 1000).toFixed(1)} s; outcomes ${JSON.stringify(s.codes)}`,
    );
  } finally {
    server.kill('SIGINT');
    if (server.exitCode === null) await new Promise((r) => server.once('exit', r));
  }
}
