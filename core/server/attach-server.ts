// The holder's end of the attach endpoint (core/api/attach-endpoint.ts): `pustaka serve` and the
// desktop engine host listen on a local socket so that a CLI run meanwhile sends its calls to
// their engine instead of being refused the data folder. Plain node:net; the engine host uses it
// too (carriers may share code: .dependency-cruiser.cjs has no rule between them).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Dispatcher } from '../api/dispatcher.ts';
import { NO_CALL_ID, serveChannel, type CallGate, type ServedChannel } from '../api/serve-channel.ts';
import {
  MAX_HANDSHAKE_BYTES,
  MAX_REQUEST_BYTES,
  assertPrivate,
  createFrameReader,
  frame,
  isPipeName,
  removeAttachFile,
  socketCandidates,
  writeAttachFile,
  type HandshakeAnswer,
  type Hello,
} from '../api/attach-endpoint.ts';
import type { ServerMessage } from '../contract/protocol.ts';
import { APP_INFO } from '../base/app-info.ts';
import { PustakaError } from '../base/errors.ts';
import { createCallGate } from './call-gate.ts';
import { createToken, tokensEqual } from './token.ts';

/** A client that connects and says nothing is dropped after this long. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface AttachServerOptions {
  /** The engine's data folder (its lock is held: no other holder of it can be listening). */
  dataDir: string;
  dispatcher: Dispatcher;
  /** Calls running at once over all attached CLIs (default: the server's bound). */
  maxCalls?: number;
  /** Where to listen, best first (default: socketCandidates; tests give others). */
  candidates?: string[];
}

export interface AttachServer {
  /** The socket (or pipe) listened on. */
  socket: string;
  /** The attach file written for clients. */
  file: string;
  /** Calls running now, over all attached clients. */
  inFlight(): number;
  /** Stops listening, ends every attached call and removes the socket and file, if still ours. */
  close(): Promise<void>;
}

/** The socket file's identity (device and inode), or null when nothing is there. */
function fileId(p: string): string | null {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}` : null;
}

/**
 * Makes `socket` ready to listen on: its folder exists (a private one made 0700), and a socket
 * left there by a holder that died is removed: we hold the data folder's lock, so nothing alive
 * listens for this folder. Anything else at the path is not ours to remove.
 */
function prepareSocketPath(socket: string, dataDir: string): void {
  if (isPipeName(socket)) return;
  const dir = path.dirname(socket);
  if (path.resolve(dir) !== path.resolve(dataDir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    assertPrivate(dir, 'dir', 'the socket folder');
  }
  if (fileId(socket) === null) return;
  assertPrivate(socket, 'socket', 'the old attach socket');
  fs.rmSync(socket);
}

function listen(server: net.Server, socket: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function parseHello(text: string): Hello | null {
  try {
    const v = JSON.parse(text) as Partial<Hello> | null;
    if (v?.type === 'hello' && typeof v.token === 'string' && typeof v.version === 'string')
      return v as Hello;
  } catch {
    // answered as malformed below
  }
  return null;
}

/** Checks the hello: null admits the client. */
function handshakeRefusal(text: string, token: string): HandshakeAnswer | null {
  const hello = parseHello(text);
  if (!hello) return { type: 'refused', reason: 'malformed', message: 'expected a hello with a token' };
  if (!tokensEqual(hello.token, token)) {
    return { type: 'refused', reason: 'token', message: 'the token does not match this engine' };
  }
  if (hello.version !== APP_INFO.version) {
    return {
      type: 'refused',
      reason: 'version',
      message: `this engine is Pustaka ${APP_INFO.version}, the client ${hello.version}`,
    };
  }
  return null;
}

/** One attached client: the handshake, then the protocol through `serveChannel`. */
function serveConnection(
  conn: net.Socket,
  token: string,
  dispatcher: Dispatcher,
  gate: CallGate,
  channels: Set<ServedChannel>,
): void {
  conn.on('error', () => conn.destroy());
  let listener: ((message: unknown) => void) | null = null;
  let state: 'hello' | 'served' | 'done' = 'hello';
  const timer = setTimeout(() => conn.destroy(), HANDSHAKE_TIMEOUT_MS);
  timer.unref();
  const send = (m: ServerMessage | HandshakeAnswer) => {
    if (!conn.destroyed && conn.writable) conn.write(frame(m));
  };

  const admit = () => {
    send({ type: 'welcome', pid: process.pid, version: APP_INFO.version });
    reader.setLimit(MAX_REQUEST_BYTES);
    state = 'served';
    const served = serveChannel(
      { send, onMessage: (l) => void (listener = l), onClose: (l) => void conn.on('close', l) },
      dispatcher,
      { gate },
    );
    channels.add(served);
    conn.on('close', () => channels.delete(served));
  };

  const onFrame = (text: string) => {
    if (state === 'done') return;
    if (state === 'hello') {
      clearTimeout(timer);
      const refusal = handshakeRefusal(text, token);
      if (!refusal) return admit();
      state = 'done';
      conn.end(frame(refusal));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const message = 'malformed message: not valid JSON';
      return send({
        type: 'response',
        id: NO_CALL_ID,
        ok: false,
        error: { code: 'invalid_params', message },
      });
    }
    listener?.(parsed);
  };

  const onOversize = () => {
    // A line cannot be skipped without reading it whole: say why, then hang up.
    const limit = state === 'hello' ? MAX_HANDSHAKE_BYTES : MAX_REQUEST_BYTES;
    const message = `message too large: at most ${limit} bytes a line`;
    if (state === 'served') {
      send({ type: 'response', id: NO_CALL_ID, ok: false, error: { code: 'invalid_params', message } });
    }
    state = 'done';
    conn.end();
  };

  const reader = createFrameReader(MAX_HANDSHAKE_BYTES, onFrame, onOversize);
  conn.on('data', (chunk: Buffer) => reader.push(chunk));
}

async function listenSomewhere(server: net.Server, candidates: string[], dataDir: string): Promise<string> {
  const problems: string[] = [];
  for (const socket of candidates) {
    try {
      prepareSocketPath(socket, dataDir);
      await listen(server, socket);
      return socket;
    } catch (err) {
      problems.push(`${socket}: ${(err as Error).message}`);
    }
  }
  throw new PustakaError(
    'data_dir_unusable',
    `cannot listen for CLI commands on this engine (${problems.join('; ')})`,
  );
}

/**
 * Listens for attaching CLIs on the data folder's endpoint and writes the attach file. Call it
 * once the engine is open (its lock held); close it before the engine closes.
 */
export async function startAttachServer(opts: AttachServerOptions): Promise<AttachServer> {
  const token = createToken();
  const gate = createCallGate(opts.maxCalls);
  const channels = new Set<ServedChannel>();
  const conns = new Set<net.Socket>();
  const server = net.createServer((conn) => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    serveConnection(conn, token, opts.dispatcher, gate, channels);
  });
  const socket = await listenSomewhere(
    server,
    opts.candidates ?? socketCandidates(opts.dataDir),
    opts.dataDir,
  );
  server.on('error', () => undefined); // after listening, errors belong to single connections
  const pipe = isPipeName(socket);
  let file: string;
  try {
    if (!pipe) fs.chmodSync(socket, 0o600);
    file = writeAttachFile(opts.dataDir, { pid: process.pid, socket, token, version: APP_INFO.version });
  } catch (err) {
    server.close();
    throw err;
  }
  const ownId = pipe ? null : fileId(socket);

  let closing: Promise<void> | undefined;
  return {
    socket,
    file,
    inFlight: () => [...channels].reduce((n, c) => n + c.inFlight(), 0),
    close() {
      closing ??= new Promise<void>((resolve) => {
        removeAttachFile(opts.dataDir, token); // first, so no new client finds us
        for (const channel of channels) channel.close();
        for (const conn of conns) conn.destroy();
        // Closing unlinks the path (libuv does): never while it holds another process's socket.
        if (!pipe && fileId(socket) !== ownId && fileId(socket) !== null) {
          server.unref();
          resolve();
          return;
        }
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
