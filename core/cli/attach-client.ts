// The CLI's end of the attach endpoint (core/api/attach-endpoint.ts): when `pustaka serve` or the
// desktop app holds the data folder, its engine runs the CLI's calls. The attach file and the
// socket are checked to be this user's own; the engine must prove it knows the token before the
// CLI sends anything but its hello, and the token itself never leaves the process.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  MAX_ANSWER_BYTES,
  MAX_HANDSHAKE_BYTES,
  MAX_REQUEST_BYTES,
  assertPrivate,
  attachFilePath,
  createFrameReader,
  createNonce,
  frame,
  handshakeProof,
  holderAlive,
  isNonce,
  isPipeName,
  proofMatches,
  readAttachFile,
  socketCandidates,
  type AttachInfo,
  type AttachUnavailable,
  type ClientProof,
  type HandshakeAnswer,
  type Hello,
  type HolderId,
} from '../api/attach-endpoint.ts';
import { APP_INFO } from '../base/app-info.ts';
import { PustakaError } from '../base/errors.ts';
import type { Transport } from '../contract/client.ts';
import { createMessageTransport } from '../contract/message-transport.ts';
import type { ServerMessage } from '../contract/protocol.ts';

/** How long a live engine may take to answer the hello (one busy in synchronous work is slow). */
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** How long a CLI waits for a holder that is still starting to open its endpoint. */
const STARTING_WAIT_MS = 15_000;
/** Said on stderr only when the wait is longer than this. */
const STARTING_NOTICE_MS = 1_000;
const STARTING_POLL_MS = 100;

export interface AttachedEngine {
  /** The engine's process. */
  pid: number;
  transport: Transport;
  /** Hangs up (after the session's last call). */
  close(): void;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The real path, or the path itself when it cannot be resolved. */
function real(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The endpoint the attach file names, checked; null when it names a holder that is gone (its
 * process, or its socket). The socket must be this user's and private, and so must its folder
 * when it is not the data folder (a private per-user folder for long paths).
 */
function checkedEndpoint(found: AttachInfo, dataDir: string): AttachInfo | null {
  if (!holderAlive(found)) return null;
  if (isPipeName(found.socket)) return found;
  try {
    const dir = path.dirname(found.socket);
    if (real(dir) !== real(dataDir)) assertPrivate(dir, 'dir', "the attach socket's folder");
    assertPrivate(found.socket, 'socket', 'the attach socket');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  return found;
}

/** Connects, or null when nobody listens any more (the holder exited, or died and left its socket). */
function connect(socket: string): Promise<net.Socket | null> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket);
    conn.once('connect', () => {
      conn.off('error', onError);
      resolve(conn);
    });
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(null);
      else
        reject(
          new PustakaError(
            'data_dir_in_use',
            `cannot reach the running Pustaka engine at ${socket}: ${err.message}`,
          ),
        );
    };
    conn.once('error', onError);
  });
}

function versionError(dataDir: string, pid: number, theirs: string): PustakaError {
  return new PustakaError(
    'data_dir_in_use',
    `the Pustaka engine running on ${dataDir} (pid ${pid}) is version ${theirs}, this CLI is version ${APP_INFO.version}: ` +
      'use the CLI of the same version, or quit the app (or `pustaka serve`) and run this again',
    { enginePid: pid, engineVersion: theirs, cliVersion: APP_INFO.version },
  );
}

function impostorError(dataDir: string, info: AttachInfo): PustakaError {
  const file = attachFilePath(dataDir);
  return new PustakaError(
    'data_dir_unusable',
    `the program listening on ${info.socket} could not prove it is the Pustaka engine that wrote ${file} (pid ${info.pid}); nothing was sent to it. ` +
      'If Pustaka is running, quit it and start it again; if not, remove that file',
    { socket: info.socket, path: file },
  );
}

function refusalError(answer: HandshakeAnswer, dataDir: string, info: AttachInfo): PustakaError {
  if (answer.type === 'refused' && answer.reason === 'version') {
    return new PustakaError(
      'data_dir_in_use',
      `the running Pustaka engine (pid ${info.pid}) refused this CLI (${answer.message}): ` +
        'use the CLI of the same version, or quit the app (or `pustaka serve`) and run this again',
      { enginePid: info.pid },
    );
  }
  if (answer.type === 'refused' && answer.reason === 'token') {
    return new PustakaError(
      'data_dir_in_use',
      `the attach file ${attachFilePath(dataDir)} does not match the running Pustaka engine (pid ${info.pid}): ` +
        'it refused the proof of the token. Quit the app (or `pustaka serve`) and start it again to write a new one',
      { enginePid: info.pid },
    );
  }
  return new PustakaError(
    'internal',
    `the running Pustaka engine (pid ${info.pid}) answered the hello oddly`,
  );
}

/** The error a request too large for one frame gets, before anything is sent. */
function tooLarge(
  params: unknown,
  bytes: number,
): { code: 'invalid_params'; message: string; details: Record<string, unknown> } {
  const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
  const paths = (params as { paths?: unknown } | null)?.paths;
  const message = Array.isArray(paths)
    ? `too many paths for one call to the running app (${paths.length} paths, ${mb(bytes)} MB; at most ${mb(MAX_REQUEST_BYTES).replace(/\.0$/, '')} MB a call): pass the folder instead, or fewer paths at a time`
    : `this call is too large for the running app (${mb(bytes)} MB; at most ${mb(MAX_REQUEST_BYTES).replace(/\.0$/, '')} MB a call)`;
  return { code: 'invalid_params', message, details: { bytes, maxBytes: MAX_REQUEST_BYTES } };
}

/** The transport over the socket, refusing at once a request the engine would not read. */
function socketTransport(conn: net.Socket, gone: () => string) {
  let listener: ((m: ServerMessage) => void) | null = null;
  let onGone: ((reason: string) => void) | null = null;
  const { transport } = createMessageTransport({
    send: (m) => void conn.write(frame(m)),
    onMessage: (l) => {
      listener = l;
      return () => void (listener = null);
    },
    onClose: (l) => {
      onGone = l;
      return () => void (onGone = null);
    },
  });
  const sized: Transport = (method, params, opts) => {
    // The largest id it could get: the check never lets through a frame the engine refuses.
    const bytes = Buffer.byteLength(frame({ type: 'request', id: Number.MAX_SAFE_INTEGER, method, params }));
    if (bytes > MAX_REQUEST_BYTES) return Promise.resolve({ ok: false, error: tooLarge(params, bytes) });
    return transport(method, params, opts);
  };
  return {
    transport: sized,
    deliver: (m: ServerMessage) => listener?.(m),
    closed: () => onGone?.(gone()),
  };
}

/**
 * The handshake (see attach-endpoint.ts): the engine proves it knows the token before anything
 * but the hello is sent; then the CLI proves it, and the same socket carries the protocol. Null
 * when the engine hangs up first (it is shutting down: the caller opens the folder itself).
 */
function handshake(
  conn: net.Socket,
  info: AttachInfo,
  dataDir: string,
  signal: AbortSignal,
): Promise<AttachedEngine | null> {
  let gone = `the running Pustaka engine (pid ${info.pid}) went away before answering; run the command again`;
  let state: 'hello' | 'proof' | 'open' | 'done' = 'hello';
  const nonce = createNonce();
  const link = socketTransport(conn, () => gone);

  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error) => {
      state = 'done';
      settle();
      conn.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new PustakaError('data_dir_in_use', `the running Pustaka engine (pid ${info.pid}) did not answer`),
        ),
      HANDSHAKE_TIMEOUT_MS,
    );
    const onAbort = () => fail(new PustakaError('cancelled', 'the call was cancelled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const onChallenge = (answer: HandshakeAnswer | null) => {
      if (answer?.type === 'refused') return fail(refusalError(answer, dataDir, info));
      const proven =
        answer?.type === 'challenge' &&
        isNonce(answer.nonce) &&
        proofMatches(answer.proof, handshakeProof(info.token, 'server', nonce, answer.nonce));
      if (!proven) return fail(impostorError(dataDir, info));
      state = 'proof';
      const proof = handshakeProof(info.token, 'client', answer.nonce, nonce);
      conn.write(frame({ type: 'proof', proof } satisfies ClientProof));
    };
    const onWelcome = (answer: HandshakeAnswer | null) => {
      if (answer?.type !== 'welcome') {
        return fail(
          refusalError(answer ?? { type: 'refused', reason: 'malformed', message: '' }, dataDir, info),
        );
      }
      state = 'open';
      settle();
      reader.setLimit(MAX_ANSWER_BYTES);
      resolve({ pid: info.pid, transport: link.transport, close: () => conn.destroy() });
    };

    const onFrame = (text: string) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        message = null;
      }
      if (state === 'open') {
        if (message && typeof message === 'object') return link.deliver(message as ServerMessage);
        gone = `the running Pustaka engine (pid ${info.pid}) sent a malformed message`;
        conn.destroy();
        return;
      }
      if (state === 'hello') onChallenge(message as HandshakeAnswer | null);
      else if (state === 'proof') onWelcome(message as HandshakeAnswer | null);
    };
    const reader = createFrameReader(MAX_HANDSHAKE_BYTES, onFrame, () => {
      const limit = state === 'open' ? MAX_ANSWER_BYTES : MAX_HANDSHAKE_BYTES;
      gone = `the running Pustaka engine (pid ${info.pid}) sent a message larger than ${limit} bytes`;
      if (state === 'open') conn.destroy();
      else fail(new PustakaError('internal', gone));
    });

    conn.on('data', (chunk: Buffer) => reader.push(chunk));
    conn.on('error', () => undefined); // 'close' follows and says what it means
    conn.on('close', () => {
      if (state === 'open') link.closed();
      else if (state !== 'done') {
        settle();
        resolve(null);
      }
      state = 'done';
    });
    conn.write(frame({ type: 'hello', version: APP_INFO.version, nonce } satisfies Hello));
  });
}

async function attachTo(
  found: AttachInfo,
  dataDir: string,
  signal: AbortSignal,
): Promise<AttachedEngine | null> {
  const info = checkedEndpoint(found, dataDir);
  if (!info) return null;
  const conn = await connect(info.socket);
  if (!conn) return null;
  if (info.version !== APP_INFO.version) {
    conn.destroy();
    throw versionError(dataDir, info.pid, info.version);
  }
  return handshake(conn, info, dataDir, signal);
}

/**
 * Attaches to the engine that holds `dataDir`, or null when none does (no attach file, or a stale
 * one: its process or socket is gone; or the holder cannot take CLI commands). Throws when one
 * runs but may not or cannot be used: the file or socket is not this user's own and private, the
 * engine cannot prove it knows the token or refuses this CLI's proof, the versions differ.
 */
export async function attachToEngine(dataDir: string, signal: AbortSignal): Promise<AttachedEngine | null> {
  const found = readAttachFile(dataDir);
  if (!found || !('endpoint' in found)) return null;
  return attachTo(found.endpoint, dataDir, signal);
}

/** What a `data_dir_in_use` error says of the holder (core/base/data-dir-lock). */
interface LockHolder extends HolderId {
  attachable?: boolean;
}

function lockHolder(details: unknown): LockHolder | null {
  const h = (details as { holder?: Partial<LockHolder> | null } | undefined)?.holder;
  if (!h || !Number.isInteger(h.pid)) return null;
  return {
    pid: h.pid!,
    startTicks: typeof h.startTicks === 'string' ? h.startTicks : null,
    attachable: h.attachable === true,
  };
}

/** True when something accepts connections on one of the folder's socket names. */
async function someoneListens(dataDir: string): Promise<boolean> {
  for (const socket of socketCandidates(dataDir)) {
    const conn = await connect(socket).catch(() => null);
    if (conn) {
      conn.destroy();
      return true;
    }
  }
  return false;
}

function cannotAttach(dataDir: string, note: AttachUnavailable): PustakaError {
  return new PustakaError(
    'data_dir_in_use',
    `data directory ${dataDir} is in use by the running Pustaka (pid ${note.pid}), which cannot take CLI commands: ${note.unavailable}. ` +
      'Quit it (or stop `pustaka serve`) to run this command',
    { dataDir, enginePid: note.pid, reason: note.unavailable },
  );
}

/**
 * The data folder turned out to be held (`inUse`: the lock's `data_dir_in_use` error). A holder
 * that takes CLI commands but is still starting (its lock says so; no attach file yet) is waited
 * for, up to 15 s, with one line on stderr once it takes longer than a second. Null when there is
 * nothing to wait for: the caller reports the holder.
 */
export async function attachWhenReady(
  dataDir: string,
  inUse: { details?: unknown },
  signal: AbortSignal,
  notice: (line: string) => void,
): Promise<AttachedEngine | null> {
  const holder = lockHolder(inUse.details);
  const started = Date.now();
  let told = false;
  // Polls in a row that found the endpoint listening with no attach file (removed by hand).
  let fileGone = 0;
  for (;;) {
    const found = readAttachFile(dataDir);
    if (found && 'unavailable' in found && holder?.pid === found.unavailable.pid) {
      throw cannotAttach(dataDir, found.unavailable);
    }
    if (found && 'endpoint' in found) {
      const attached = await attachTo(found.endpoint, dataDir, signal);
      if (attached) return attached;
    }
    const waited = Date.now() - started;
    if (!holder?.attachable || !holderAlive(holder) || waited >= STARTING_WAIT_MS) return null;
    // Started already (it listens), its attach file gone: nothing to wait for. Twice, since the
    // file is written just after the socket listens.
    fileGone = !found && (await someoneListens(dataDir)) ? fileGone + 1 : 0;
    if (fileGone >= 2) return null;
    if (!told && waited >= STARTING_NOTICE_MS) {
      told = true;
      notice(`waiting for the running Pustaka (pid ${holder.pid}) to finish starting…\n`);
    }
    try {
      await sleep(STARTING_POLL_MS, undefined, { signal });
    } catch {
      throw new PustakaError('cancelled', 'the call was cancelled');
    }
  }
}
