// The CLI's end of the attach endpoint (core/api/attach-endpoint.ts): when `pustaka serve` or the
// desktop app holds the data folder, its engine runs the CLI's calls. Checks that the attach file
// and the socket are this user's own before the token leaves the process.
import fs from 'node:fs';
import net from 'node:net';
import {
  MAX_ANSWER_BYTES,
  MAX_HANDSHAKE_BYTES,
  assertPrivate,
  attachFilePath,
  createFrameReader,
  frame,
  isPipeName,
  parseAttachInfo,
  type AttachInfo,
  type HandshakeAnswer,
  type Hello,
} from '../api/attach-endpoint.ts';
import { APP_INFO } from '../base/app-info.ts';
import { PustakaError } from '../base/errors.ts';
import { pidExists } from '../base/data-dir-lock/process-alive.ts';
import type { Transport } from '../contract/client.ts';
import { createMessageTransport } from '../contract/message-transport.ts';
import type { ServerMessage } from '../contract/protocol.ts';

/** How long a live engine may take to answer the hello (one busy in synchronous work is slow). */
const HANDSHAKE_TIMEOUT_MS = 15_000;

export interface AttachedEngine {
  /** The engine's process. */
  pid: number;
  transport: Transport;
  /** Hangs up (after the session's last call). */
  close(): void;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The attach file, checked; null when there is none or it names a holder that is gone. */
function readAttachFile(dataDir: string): AttachInfo | null {
  const file = attachFilePath(dataDir);
  try {
    assertPrivate(file, 'file', 'the attach file');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  let info: AttachInfo | null;
  try {
    info = parseAttachInfo(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (isMissing(err)) return null; // the holder removed it just now
    throw err;
  }
  // Garbled (never written half: it is renamed into place), or its holder died without removing it.
  if (!info || !pidExists(info.pid)) return null;
  if (!isPipeName(info.socket)) {
    try {
      assertPrivate(info.socket, 'socket', 'the attach socket');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }
  return info;
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
        'it refused the token. Quit the app (or `pustaka serve`) and start it again to write a new one',
      { enginePid: info.pid },
    );
  }
  return new PustakaError(
    'internal',
    `the running Pustaka engine (pid ${info.pid}) answered the hello oddly`,
  );
}

/**
 * Says hello and waits for the welcome; then the same socket carries the protocol. Null when the
 * engine hangs up first (it is shutting down: the caller opens the folder itself).
 */
function handshake(
  conn: net.Socket,
  info: AttachInfo,
  dataDir: string,
  signal: AbortSignal,
): Promise<AttachedEngine | null> {
  let listener: ((m: ServerMessage) => void) | null = null;
  let onGone: ((reason: string) => void) | null = null;
  let gone = `the running Pustaka engine (pid ${info.pid}) went away before answering; run the command again`;
  let state: 'hello' | 'open' | 'done' = 'hello';

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

    const open = () => {
      state = 'open';
      settle();
      reader.setLimit(MAX_ANSWER_BYTES);
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
      resolve({ pid: info.pid, transport, close: () => conn.destroy() });
    };

    const onFrame = (text: string) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        message = null;
      }
      if (state === 'open') {
        if (message && typeof message === 'object') return listener?.(message as ServerMessage);
        gone = `the running Pustaka engine (pid ${info.pid}) sent a malformed message`;
        conn.destroy();
        return;
      }
      if (state !== 'hello') return;
      const answer = message as HandshakeAnswer | null;
      if (answer?.type === 'welcome') open();
      else fail(refusalError(answer ?? { type: 'refused', reason: 'malformed', message: '' }, dataDir, info));
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
      if (state === 'open') onGone?.(gone);
      else if (state === 'hello') {
        settle();
        resolve(null);
      }
      state = 'done';
    });
    conn.write(frame({ type: 'hello', token: info.token, version: APP_INFO.version } satisfies Hello));
  });
}

/**
 * Attaches to the engine that holds `dataDir`, or null when none does (no attach file, or a stale
 * one: its process or socket is gone). Throws when one runs but may not or cannot be used: the
 * file or socket is not this user's own and private, the token is refused, the versions differ.
 */
export async function attachToEngine(dataDir: string, signal: AbortSignal): Promise<AttachedEngine | null> {
  const info = readAttachFile(dataDir);
  if (!info) return null;
  const conn = await connect(info.socket);
  if (!conn) return null;
  if (info.version !== APP_INFO.version) {
    conn.destroy();
    throw versionError(dataDir, info.pid, info.version);
  }
  return handshake(conn, info, dataDir, signal);
}
