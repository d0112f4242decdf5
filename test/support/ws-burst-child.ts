// Child process for ws-burst.ts: opens N authenticated WebSockets to `pustaka serve` at once, each
// sends one request, and prints one JSON line: what every socket got back, and when. A separate
// process, as real clients are: in the server's own process the clients would share (and pace)
// its event loop.
//
//   node --import tsx ws-burst-child.ts <port> <n> <method> <deadlineMs>   (token in PUSTAKA_TOKEN)
import WebSocket from 'ws';
import type { SocketOutcome } from './ws-burst.ts';

const [port, n, method, deadlineMs] = [
  Number(process.argv[2]),
  Number(process.argv[3]),
  process.argv[4]!,
  Number(process.argv[5]),
];
const token = process.env.PUSTAKA_TOKEN ?? '';
const t0 = performance.now();
const outcomes: SocketOutcome[] = [];
const sockets: WebSocket[] = [];

for (let i = 0; i < n; i++) {
  const outcome: SocketOutcome = {
    responses: 0,
    answeredMs: null,
    ok: null,
    code: null,
    retryAfterMs: null,
    error: null,
  };
  outcomes.push(outcome);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, ['pustaka.v1', `pustaka-token.${token}`], {
    origin: `http://127.0.0.1:${port}`,
  });
  sockets.push(ws);
  ws.on('open', () => ws.send(JSON.stringify({ type: 'request', id: 1, method, params: {} })));
  ws.on('message', (data: WebSocket.RawData) => {
    const m = JSON.parse(data.toString()) as {
      type: string;
      ok?: boolean;
      error?: { code: string; details?: { retryAfterMs?: number } };
    };
    if (m.type !== 'response') return;
    outcome.responses++;
    if (outcome.responses > 1) return;
    outcome.answeredMs = Math.round(performance.now() - t0);
    outcome.ok = m.ok ?? null;
    outcome.code = m.error?.code ?? null;
    outcome.retryAfterMs = m.error?.details?.retryAfterMs ?? null;
  });
  ws.on('error', (err: NodeJS.ErrnoException) => (outcome.error ??= err.code ?? err.message));
  ws.on('close', () => outcome.error === null && outcome.responses === 0 && (outcome.error = 'closed'));
}

const deadline = Date.now() + deadlineMs;
while (Date.now() < deadline && outcomes.some((o) => o.responses === 0 && o.error === null)) {
  await new Promise((r) => setTimeout(r, 20));
}
// Time for any second answer to a request to show itself.
await new Promise((r) => setTimeout(r, 300));
process.stdout.write(`${JSON.stringify({ elapsedMs: Math.round(performance.now() - t0), outcomes })}\n`);
for (const ws of sockets) ws.terminate();
process.exit(0);
