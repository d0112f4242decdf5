// The attach endpoint: how a CLI reaches the engine that a long-lived holder (`pustaka serve`, the
// desktop engine host) keeps open. Both ends use this module: where the socket and the attach file
// are, the file's format and the checks made on it, the framing and the handshake. Plain node:
// code with no engine imports, so a CLI that only attaches loads nothing heavy.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PustakaError } from '../base/errors.ts';

/** In the data folder: `{ pid, socket, token, version }`, mode 0600, while a holder listens. */
export const ATTACH_FILE = 'engine-attach.json';
/** The socket's name in the data folder, when the path is short enough for one. */
export const SOCKET_FILE = 'engine.sock';
/** sun_path holds 104 bytes on macOS, 108 on Linux. */
const MAX_SOCKET_PATH = 100;
/** Group and other permission bits: none may be set on what carries the token. */
const OTHERS_BITS = 0o077;

/** A request is small (file lists are the biggest): the engine reads at most this per frame. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** An answer may be large (a CSV export, a page of chunks); the cap only stops a runaway peer. */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** The hello and the welcome. */
export const MAX_HANDSHAKE_BYTES = 4096;

export interface AttachInfo {
  pid: number;
  socket: string;
  token: string;
  version: string;
}

/** First frame from the client; the engine answers with a welcome or a refusal, then closes. */
export interface Hello {
  type: 'hello';
  token: string;
  version: string;
}
export type HandshakeAnswer =
  | { type: 'welcome'; pid: number; version: string }
  | { type: 'refused'; reason: 'token' | 'version' | 'malformed'; message: string };

export function attachFilePath(dataDir: string): string {
  return path.join(dataDir, ATTACH_FILE);
}

/** Who runs this process: the uid, or the user name on Windows (no uids there). */
function currentUser(): string {
  const uid = process.getuid?.();
  if (uid !== undefined) return String(uid);
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USERNAME ?? '';
  }
}

/** Short, stable and per user: a name in a folder or pipe namespace that others share. */
function endpointId(dataDir: string, platform: NodeJS.Platform): string {
  let real = dataDir;
  try {
    real = fs.realpathSync.native(dataDir);
  } catch {
    // not created yet: the holder creates it before it listens, and then asks again
  }
  // These file systems ignore case by default: "Pustaka" and "pustaka" are one folder.
  const key = platform === 'win32' || platform === 'darwin' ? real.toLowerCase() : real;
  return crypto.createHash('sha256').update(`${currentUser()}\0${key}`).digest('hex').slice(0, 24);
}

/**
 * The per-user folder for sockets whose data-folder path is too long (or whose file system cannot
 * hold one): `$XDG_RUNTIME_DIR` when it is private to us, else `<tmp>/pustaka-<uid>`.
 */
export function privateSocketDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime)) {
    try {
      if (privateProblem(runtime, 'dir') === null) return runtime;
    } catch {
      // missing: use the temp folder
    }
  }
  return path.join(os.tmpdir(), `pustaka-${process.getuid?.() ?? currentUser()}`);
}

/** Where a holder of `dataDir` listens, best first: in the folder, then in the private folder. */
export function socketCandidates(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const id = endpointId(dataDir, platform);
  if (platform === 'win32') return [`\\\\.\\pipe\\pustaka-engine-${id}`];
  const inFolder = path.join(dataDir, SOCKET_FILE);
  const inPrivate = path.join(privateSocketDir(env), `pustaka-engine-${id}.sock`);
  return Buffer.byteLength(inFolder) <= MAX_SOCKET_PATH ? [inFolder, inPrivate] : [inPrivate];
}

export function isPipeName(name: string): boolean {
  return name.startsWith('\\\\.\\pipe\\');
}

type Kind = 'file' | 'socket' | 'dir';
const KIND_TEST: Record<Kind, (st: fs.Stats) => boolean> = {
  file: (st) => st.isFile(),
  socket: (st) => st.isSocket(),
  dir: (st) => st.isDirectory(),
};

/**
 * Why `p` may not be trusted with the token, or null: it must be of the kind expected (a link is
 * never followed), belong to the user running this process, and (a file or folder) give nobody
 * else any access. Throws ENOENT through when nothing is there. Windows has no uids or modes here.
 */
export function privateProblem(p: string, kind: Kind): string | null {
  const st = fs.lstatSync(p);
  if (!KIND_TEST[kind](st)) return `it is not a ${kind === 'dir' ? 'folder' : kind}`;
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  if (st.uid !== uid) return `it belongs to user ${st.uid}, not to you (user ${uid})`;
  if (kind !== 'socket' && st.mode & OTHERS_BITS) {
    return `its permissions (${(st.mode & 0o777).toString(8)}) let other users read it; it must be private (0${kind === 'dir' ? '700' : '600'})`;
  }
  return null;
}

/** Refuses the attach file (or its socket) when it is not this user's own, private one. */
export function assertPrivate(p: string, kind: Kind, what: string): void {
  const problem = privateProblem(p, kind);
  if (problem) {
    throw new PustakaError(
      'data_dir_unusable',
      `refusing to use ${what} ${p}: ${problem}. Pustaka writes it for you alone; remove it if you did not expect it there`,
      { path: p },
    );
  }
}

/** The attach file's content, or null when it is not one (garbled, from an older format). */
export function parseAttachInfo(text: string): AttachInfo | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const v = value as Partial<AttachInfo> | null;
  if (!v || typeof v !== 'object') return null;
  if (!Number.isInteger(v.pid) || typeof v.socket !== 'string' || !v.socket) return null;
  if (typeof v.token !== 'string' || !v.token || typeof v.version !== 'string') return null;
  return { pid: v.pid!, socket: v.socket, token: v.token, version: v.version };
}

/** Written whole or not at all (a CLI never reads half a token), readable by its owner only. */
export function writeAttachFile(dataDir: string, info: AttachInfo): string {
  const target = attachFilePath(dataDir);
  const staging = `${target}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(staging, `${JSON.stringify(info)}\n`, { mode: 0o600 });
    fs.chmodSync(staging, 0o600); // the umask cannot widen it, but a leftover staging file kept its mode
    fs.renameSync(staging, target);
  } catch (err) {
    fs.rmSync(staging, { force: true });
    throw err;
  }
  return target;
}

/** Removes the attach file only while it is still the one this holder wrote (same token). */
export function removeAttachFile(dataDir: string, token: string): void {
  const file = attachFilePath(dataDir);
  let info: AttachInfo | null;
  try {
    info = parseAttachInfo(fs.readFileSync(file, 'utf8'));
  } catch {
    return; // gone already
  }
  if (info?.token === token) fs.rmSync(file, { force: true });
}

export interface FrameReader {
  /** Feeds bytes read from the socket; complete lines go to `onFrame`, in order. */
  push(chunk: Buffer): void;
  /** The largest frame accepted from now on. */
  setLimit(maxBytes: number): void;
}

/**
 * Newline-delimited JSON framing: JSON text never holds a raw newline, so one line is one
 * message. A line longer than the limit is never buffered whole: `onOversize` is called once and
 * nothing more is read.
 */
export function createFrameReader(
  maxBytes: number,
  onFrame: (text: string) => void,
  onOversize: () => void,
): FrameReader {
  let limit = maxBytes;
  let parts: Buffer[] = [];
  let size = 0;
  let failed = false;
  return {
    setLimit(n) {
      limit = n;
    },
    push(chunk) {
      let start = 0;
      while (!failed) {
        const end = chunk.indexOf(0x0a, start);
        const piece = chunk.subarray(start, end === -1 ? chunk.length : end);
        if (size + piece.length > limit) {
          failed = true;
          parts = [];
          onOversize();
          return;
        }
        if (end === -1) {
          if (piece.length) parts.push(piece);
          size += piece.length;
          return;
        }
        const line = parts.length ? Buffer.concat([...parts, piece]) : piece;
        parts = [];
        size = 0;
        start = end + 1;
        if (line.length) onFrame(line.toString('utf8'));
      }
    },
  };
}

/** One frame on the wire. */
export function frame(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}
