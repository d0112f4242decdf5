// The holder's end of the attach endpoint (core/api/attach-endpoint.ts): `pustaka serve` and the
// desktop engine host listen on a local socket so that a CLI run meanwhile sends its calls to
// their engine instead of being refused the data folder. Plain node:net; the engine host uses it
// too (carriers may share code: .dependency-cruiser.cjs has no rule between them).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from '../api/dispatcher.ts';
import { NO_CALL_ID, serveChannel, type CallGate, type ServedChannel } from '../api/serve-channel.ts';
import {
  MAX_HANDSHAKE_BYTES,
  MAX_REQUEST_BYTES,
  assertPrivate,
  attachFilePath,
  createFrameReader,
  createNonce,
  frame,
  handshakeProof,
  isNonce,
  isPipeName,
  privateProblem,
  proofMatches,
  readAttachFile,
  removeAttachFile,
  socketCandidates,
  thisHolder,
  writeAttachFile,
  writeAttachUnavailable,
  type Challenge,
  type HandshakeAnswer,
  type Refusal,
} from '../api/attach-endpoint.ts';
import type { ServerMessage } from '../contract/protocol.ts';
import { APP_INFO } from '../base/app-info.ts';
import { PustakaError } from '../base/errors.ts';
import { createCallGate } from './call-gate.ts';
import { createToken } from './token.ts';

/** A client that connects and does not finish the handshake is dropped after this long. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * Connections still in the handshake, at most: more are closed at once, so a local program
 * opening connections in a loop cannot pile up sockets (each handshake costs two HMACs).
 */
export const MAX_HANDSHAKES = 16;
/** A refused client gets this long to read why before its connection is dropped. */
const REFUSED_LINGER_MS = 1_000;
/** On close, how long the calls it cancelled may take to end before the engine closes anyway. */
const DRAIN_TIMEOUT_MS = 10_000;

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
  /** The socket (or pipe) listened on; null when CLI commands cannot attach (see `unavailable`). */
  socket: string | null;
  /** The attach file written for clients (the endpoint, or why there is none). */
  file: string;
  /**
   * Why CLI commands cannot use this engine (the holder warns with it once), or null. The attach
   * file then says so too, with no token in it, so a CLI reports it at once.
   */
  unavailable: string | null;
  /** Calls running now, over all attached clients. */
  inFlight(): number;
  /**
   * Stops listening, cancels every attached call and waits (at most 10 s) until they have ended,
   * so the engine may close next; removes the socket and the file, if still ours.
   */
  close(): Promise<void>;
}

/** The one warning a holder gives when CLI commands cannot run in it (`AttachServer.unavailable`). */
export function attachWarning(reason: string): string {
  return `CLI commands cannot run in this engine: ${reason}. While it runs, they are refused this data folder`;
}

/** The socket file's identity (device and inode), or null when nothing is there. */
function fileId(p: string): string | null {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}` : null;
}

/**
 * Makes `socket` ready to listen on: its folder exists (a private one made 0700), and a socket
 * left there by a holder that died is removed: we hold the data folder's lock, so nothing alive
 * listens for this folder. Anything else at the path, or another user's socket, is not ours to remove.
 */
function prepareSocketPath(socket: string, dataDir: string): void {
  if (isPipeName(socket)) return;
  const dir = path.dirname(socket);
  if (path.resolve(dir) !== path.resolve(dataDir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    assertPrivate(dir, 'dir', 'the socket folder');
  }
  const st = fs.lstatSync(socket, { throwIfNoEntry: false });
  if (!st) return;
  const uid = process.getuid?.();
  if (!st.isSocket() || (uid !== undefined && st.uid !== uid)) {
    throw new PustakaError(
      'data_dir_unusable',
      `${socket} is there already and is not an old socket of yours`,
    );
  }
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

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The hello's client nonce, or the refusal to answer with. */
function checkHello(text: string): { nonce: string } | Refusal {
  type Said = { type?: unknown; version?: unknown; nonce?: unknown } | null;
  let v: Said = null;
  try {
    v = JSON.parse(text) as Said;
  } catch {
    // answered as malformed below
  }
  if (v?.type !== 'hello' || typeof v.version !== 'string' || !isNonce(v.nonce)) {
    return { type: 'refused', reason: 'malformed', message: 'expected a hello with a version and a nonce' };
  }
  if (v.version !== APP_INFO.version) {
    return {
      type: 'refused',
      reason: 'version',
      message: `this engine is Pustaka ${APP_INFO.version}, the client ${v.version}`,
    };
  }
  return { nonce: v.nonce };
}

function clientProof(text: string): unknown {
  try {
    const v = JSON.parse(text) as { type?: unknown; proof?: unknown } | null;
    return v?.type === 'proof' ? v.proof : null;
  } catch {
    return null;
  }
}

interface Shared {
  token: string;
  dispatcher: Dispatcher;
  gate: CallGate;
  channels: Set<ServedChannel>;
  /** Connections that have not finished the handshake. */
  handshaking: Set<net.Socket>;
}

/** One attached client: the handshake, then the protocol through `serveChannel`. */
function serveConnection(conn: net.Socket, shared: Shared): void {
  conn.on('error', () => conn.destroy());
  let listener: ((message: unknown) => void) | null = null;
  let state: 'hello' | 'proof' | 'served' | 'done' = 'hello';
  let nonces = { client: '', engine: '' };
  shared.handshaking.add(conn);
  const timer = setTimeout(() => conn.destroy(), HANDSHAKE_TIMEOUT_MS);
  timer.unref();
  const handshakeOver = () => {
    clearTimeout(timer);
    shared.handshaking.delete(conn);
  };
  conn.on('close', handshakeOver);
  const send = (m: ServerMessage | HandshakeAnswer) => {
    if (!conn.destroyed && conn.writable) conn.write(frame(m));
  };
  const refuse = (refusal: Refusal) => {
    state = 'done';
    handshakeOver();
    conn.end(frame(refusal));
    // A client that keeps its end open after being refused is not kept waiting on.
    setTimeout(() => conn.destroy(), REFUSED_LINGER_MS).unref();
  };

  const admit = () => {
    handshakeOver();
    send({ type: 'welcome' });
    reader.setLimit(MAX_REQUEST_BYTES);
    state = 'served';
    const served = serveChannel(
      { send, onMessage: (l) => void (listener = l), onClose: (l) => void conn.on('close', l) },
      shared.dispatcher,
      { gate: shared.gate },
    );
    shared.channels.add(served);
    conn.on('close', () => shared.channels.delete(served));
  };

  const onHandshake = (text: string) => {
    if (state === 'hello') {
      const hello = checkHello(text);
      if ('type' in hello) return refuse(hello);
      nonces = { client: hello.nonce, engine: createNonce() };
      const challenge: Challenge = {
        type: 'challenge',
        pid: process.pid,
        version: APP_INFO.version,
        nonce: nonces.engine,
        proof: handshakeProof(shared.token, 'server', nonces.client, nonces.engine),
      };
      state = 'proof';
      return send(challenge);
    }
    const expected = handshakeProof(shared.token, 'client', nonces.engine, nonces.client);
    if (proofMatches(clientProof(text), expected)) return admit();
    refuse({
      type: 'refused',
      reason: 'token',
      message: 'the proof does not match this engine\u2019s token',
    });
  };

  const onFrame = (text: string) => {
    if (state === 'done') return;
    if (state !== 'served') return onHandshake(text);
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
    const limit = state === 'served' ? MAX_REQUEST_BYTES : MAX_HANDSHAKE_BYTES;
    const message = `message too large: at most ${limit} bytes a line`;
    if (state === 'served') {
      send({ type: 'response', id: NO_CALL_ID, ok: false, error: { code: 'invalid_params', message } });
    }
    state = 'done';
    handshakeOver();
    conn.end();
    setTimeout(() => conn.destroy(), REFUSED_LINGER_MS).unref();
  };

  const reader = createFrameReader(MAX_HANDSHAKE_BYTES, onFrame, onOversize);
  conn.on('data', (chunk: Buffer) => reader.push(chunk));
}

/** Listens on the first candidate that works and that others cannot reach. */
async function listenSomewhere(server: net.Server, candidates: string[], dataDir: string): Promise<string> {
  const problems: string[] = [];
  for (const socket of candidates) {
    try {
      prepareSocketPath(socket, dataDir);
      await listen(server, socket);
    } catch (err) {
      problems.push(`${socket}: ${(err as Error).message}`);
      continue;
    }
    if (isPipeName(socket)) return socket;
    // A file system without permissions keeps no 0600: then the next place, a private folder.
    let problem: string | null;
    try {
      fs.chmodSync(socket, 0o600);
      problem = privateProblem(socket, 'socket');
    } catch (err) {
      problem = (err as Error).message;
    }
    if (!problem) return socket;
    problems.push(`${socket}: ${problem}`);
    await closeServer(server);
  }
  throw new PustakaError('data_dir_unusable', `no private socket could be made (${problems.join('; ')})`);
}

/**
 * The attach file as a CLI will read it, with the CLI's own checks: on a file system that keeps
 * no permissions (exFAT, NTFS without them) it is not private, and every CLI would refuse it.
 */
function checkAsClient(dataDir: string, token: string): void {
  let problem: string | null = null;
  try {
    const found = readAttachFile(dataDir);
    if (!found || !('endpoint' in found) || found.endpoint.token !== token) problem = 'it reads back changed';
  } catch (err) {
    const details = (err as PustakaError).details as { problem?: unknown } | undefined;
    problem = typeof details?.problem === 'string' ? details.problem : (err as Error).message;
  }
  if (problem) {
    removeAttachFile(dataDir, token);
    throw new PustakaError(
      'data_dir_unusable',
      `the attach file ${attachFilePath(dataDir)} cannot be kept private on this folder's file system (${problem})`,
    );
  }
}

/** Stands in for the endpoint where there is none: says why in the attach file, removes it on close. */
function unavailableEndpoint(dataDir: string, reason: string): AttachServer {
  let file = attachFilePath(dataDir);
  try {
    file = writeAttachUnavailable(dataDir, {
      ...thisHolder(),
      version: APP_INFO.version,
      unavailable: reason,
    });
  } catch {
    // The folder takes no file at all: CLIs then find the folder held, and say by whom.
  }
  return {
    socket: null,
    file,
    unavailable: reason,
    inFlight: () => 0,
    close: async () => removeAttachFile(dataDir, null),
  };
}

/** Waits until every call the channels started has ended, or `ms` has passed. */
async function drained(channels: ServedChannel[], ms: number): Promise<void> {
  const all = Promise.all(channels.map((c) => c.settled()));
  await Promise.race([all, delay(ms, undefined, { ref: false })]);
}

/**
 * Listens for attaching CLIs on the data folder's endpoint and writes the attach file. Call it
 * once the engine is open (its lock held); close it before the engine closes. Where no private
 * endpoint can be made, it resolves all the same, with `unavailable` saying why.
 */
export async function startAttachServer(opts: AttachServerOptions): Promise<AttachServer> {
  const token = createToken();
  const shared: Shared = {
    token,
    dispatcher: opts.dispatcher,
    gate: createCallGate(opts.maxCalls),
    channels: new Set(),
    handshaking: new Set(),
  };
  const conns = new Set<net.Socket>();
  const server = net.createServer((conn) => {
    if (shared.handshaking.size >= MAX_HANDSHAKES) {
      conn.destroy();
      return;
    }
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    serveConnection(conn, shared);
  });
  let socket: string;
  try {
    socket = await listenSomewhere(server, opts.candidates ?? socketCandidates(opts.dataDir), opts.dataDir);
  } catch (err) {
    return unavailableEndpoint(opts.dataDir, (err as Error).message);
  }
  server.on('error', () => undefined); // after listening, errors belong to single connections
  const pipe = isPipeName(socket);
  let file: string;
  try {
    file = writeAttachFile(opts.dataDir, { ...thisHolder(), socket, token, version: APP_INFO.version });
    checkAsClient(opts.dataDir, token);
  } catch (err) {
    await closeServer(server);
    return unavailableEndpoint(opts.dataDir, (err as Error).message);
  }
  const ownId = pipe ? null : fileId(socket);

  let closing: Promise<void> | undefined;
  return {
    socket,
    file,
    unavailable: null,
    inFlight: () => [...shared.channels].reduce((n, c) => n + c.inFlight(), 0),
    close() {
      closing ??= (async () => {
        removeAttachFile(opts.dataDir, token); // first, so no new client finds us
        const channels = [...shared.channels];
        for (const channel of channels) channel.close();
        for (const conn of conns) conn.destroy();
        // Closing unlinks the path (libuv does): never while it holds another process's socket.
        const stillOurs = pipe || fileId(socket) === ownId || fileId(socket) === null;
        const stopped = stillOurs ? closeServer(server) : (server.unref(), Promise.resolve());
        // The engine closes after this: the cancelled calls must have let go of it first.
        await Promise.all([stopped, drained(channels, DRAIN_TIMEOUT_MS)]);
      })();
      return closing;
    },
  };
}
