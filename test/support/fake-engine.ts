// A stand-in on an attach socket (core/api/attach-endpoint.ts): what a client sent it, and answers
// as a test tells it to. Used to show what the CLI sends to a program that is not the engine.
import fs from 'node:fs';
import net from 'node:net';
import { MAX_REQUEST_BYTES, createFrameReader, frame } from '../../core/api/attach-endpoint.ts';

export interface FakeEngineSeen {
  connections: number;
  /** Everything received, as text (to look for a secret in it). */
  text: string;
  bytes: number;
  messages: Record<string, unknown>[];
}

/** Listens on `socket` (0600 on POSIX) until `cleanups` run; refuses by default. */
export async function fakeEngine(
  socket: string,
  cleanups: (() => Promise<void> | void)[],
  answer: (conn: net.Socket, message: Record<string, unknown>) => void = (conn) =>
    conn.end(frame({ type: 'refused', reason: 'token', message: 'no' })),
): Promise<FakeEngineSeen> {
  const seen: FakeEngineSeen = { connections: 0, text: '', bytes: 0, messages: [] };
  const server = net.createServer((conn) => {
    seen.connections++;
    conn.on('error', () => undefined);
    const reader = createFrameReader(
      MAX_REQUEST_BYTES,
      (text) => {
        const message = JSON.parse(text) as Record<string, unknown>;
        seen.messages.push(message);
        answer(conn, message);
      },
      () => conn.destroy(),
    );
    conn.on('data', (d: Buffer) => {
      seen.text += d.toString();
      seen.bytes += d.length;
      reader.push(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  if (process.platform !== 'win32') fs.chmodSync(socket, 0o600);
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return seen;
}
