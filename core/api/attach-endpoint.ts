// The attach endpoint: how a CLI reaches the engine that a long-lived holder (`pustaka serve`, the
// desktop engine host) keeps open. Both ends use this module: where the socket and the attach file
// are, the file's format and the checks made on it, the framing and the handshake. Plain node:
// code with no engine imports, so a CLI that only attaches loads nothing heavy.
//
// The handshake proves on both sides that the other knows the token without ever sending it, the
// engine first: whatever listens on the socket path learns nothing it could use.
//   client → {hello, version, nonce: nC}
//   engine → {challenge, pid, version, nonce: nS, proof: HMAC(token, "pustaka-attach server" ‖ nC ‖ nS)}
//   client checks that proof before it sends anything else, then
//   client → {proof: HMAC(token, "pustaka-attach client" ‖ nS ‖ nC)}
//   engine → {welcome}, and the socket carries the protocol; or {refused} and it hangs up.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PustakaError } from '../base/errors.ts';
import { pidExists, processStartTicks } from '../base/data-dir-lock/process-alive.ts';
import { currentUser } from '../base/current-user.ts';

/** In the data folder: `{ pid, startTicks, socket, token, version }`, mode 0600, while a holder listens. */
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
/** Each handshake message. */
export const MAX_HANDSHAKE_BYTES = 4096;
/** The attach file is a few hundred bytes; anything much larger is not one. */
const MAX_ATTACH_FILE_BYTES = 64 * 1024;

/** Who holds the folder: a PID, and its start time so that a reused PID is not taken for it. */
export interface HolderId {
  pid: number;
  /** Linux: the process's start time (clock ticks since boot); null elsewhere. */
  startTicks: string | null;
}

export interface AttachInfo extends HolderId {
  socket: string;
  /** Never sent anywhere: each side proves it knows it (see the handshake above). */
  token: string;
  version: string;
}

/**
 * Written instead of the endpoint when the holder cannot take CLI commands (its folder's file
 * system cannot keep the file private, no socket can be made): it holds no secret, only why, so
 * that a CLI says so at once instead of waiting for an endpoint that will not come.
 */
export interface AttachUnavailable extends HolderId {
  version: string;
  unavailable: string;
}

export type AttachFile = { endpoint: AttachInfo } | { unavailable: AttachUnavailable };

export interface Hello {
  type: 'hello';
  version: string;
  nonce: string;
}
export interface Challenge {
  type: 'challenge';
  pid: number;
  version: string;
  nonce: string;
  proof: string;
}
export interface ClientProof {
  type: 'proof';
  proof: string;
}
export type Refusal = {
  type: 'refused';
  reason: 'token' | 'version' | 'malformed';
  message: string;
};
/** What the engine sends during the handshake. */
export type HandshakeAnswer = Challenge | { type: 'welcome' } | Refusal;

const NONCE_BYTES = 32;
const NONCE_TEXT = /^[A-Za-z0-9_-]{43}$/;
const PROOF_LABEL = { server: 'pustaka-attach server', client: 'pustaka-attach client' } as const;

/** 32 random bytes, base64url. */
export function createNonce(): string {
  return crypto.randomBytes(NONCE_BYTES).toString('base64url');
}

export function isNonce(value: unknown): value is string {
  return typeof value === 'string' && NONCE_TEXT.test(value);
}

/**
 * HMAC-SHA256(token, label ‖ first ‖ second), base64url: the engine signs (its client's nonce,
 * its own), the client (the engine's, its own). The labels keep one side's proof from serving as
 * the other's; the nonces are of fixed length, so the concatenation is unambiguous.
 */
export function handshakeProof(
  token: string,
  role: keyof typeof PROOF_LABEL,
  first: string,
  second: string,
): string {
  return crypto
    .createHmac('sha256', token)
    .update(PROOF_LABEL[role])
    .update(Buffer.from(first, 'base64url'))
    .update(Buffer.from(second, 'base64url'))
    .digest('base64url');
}

/** Constant-time comparison of a proof received with the one expected. */
export function proofMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  const [a, b] = [Buffer.from(given, 'base64url'), Buffer.from(expected, 'base64url')];
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** This process, as an attach file names its holder. */
export function thisHolder(): HolderId {
  return { pid: process.pid, startTicks: processStartTicks(process.pid) };
}

/** True while the process that wrote `id` runs: its PID exists and (Linux) it started when it did. */
export function holderAlive(id: HolderId): boolean {
  if (!pidExists(id.pid)) return false;
  const ticks = processStartTicks(id.pid);
  return ticks === null || id.startTicks === null || ticks === id.startTicks;
}

export function attachFilePath(dataDir: string): string {
  return path.join(dataDir, ATTACH_FILE);
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
 * Why what `st` describes may not be trusted with the token, or null: it must be of the kind
 * expected, belong to the user running this process, and give nobody else any access (on Linux a
 * socket others may write to is one they may connect to). Windows has no uids or modes here.
 */
export function statsProblem(st: fs.Stats, kind: Kind): string | null {
  if (!KIND_TEST[kind](st)) return `it is not a ${kind === 'dir' ? 'folder' : kind}`;
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  if (st.uid !== uid) return `it belongs to user ${st.uid}, not to you (user ${uid})`;
  if (st.mode & OTHERS_BITS) {
    const access = kind === 'file' ? 'read it' : 'in';
    return `its permissions (${(st.mode & 0o777).toString(8)}) let other users ${access}; it must be private (0${kind === 'file' || kind === 'socket' ? '600' : '700'})`;
  }
  return null;
}

/** `statsProblem` of the thing at `p`, never following a link. Throws ENOENT through. */
export function privateProblem(p: string, kind: Kind): string | null {
  return statsProblem(fs.lstatSync(p), kind);
}

function notPrivate(p: string, what: string, problem: string): PustakaError {
  return new PustakaError(
    'data_dir_unusable',
    `refusing to use ${what} ${p}: ${problem}. Pustaka makes it for you alone; remove it if you did not expect it there`,
    { path: p, problem },
  );
}

/** Refuses the attach socket (or its folder) when it is not this user's own, private one. */
export function assertPrivate(p: string, kind: Kind, what: string): void {
  const problem = privateProblem(p, kind);
  if (problem) throw notPrivate(p, what, problem);
}

const isHolderId = (v: Partial<HolderId>) =>
  Number.isInteger(v.pid) && (v.startTicks === null || typeof v.startTicks === 'string');

/** The attach file's content, or null when it is not one (garbled, from an older format). */
export function parseAttachFile(text: string): AttachFile | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const v = value as Partial<AttachInfo & AttachUnavailable> | null;
  if (!v || typeof v !== 'object' || !isHolderId(v) || typeof v.version !== 'string') return null;
  const id = { pid: v.pid!, startTicks: v.startTicks! };
  if (typeof v.unavailable === 'string') {
    return { unavailable: { ...id, version: v.version, unavailable: v.unavailable } };
  }
  if (typeof v.socket !== 'string' || !v.socket || typeof v.token !== 'string' || !v.token) return null;
  return { endpoint: { ...id, socket: v.socket, token: v.token, version: v.version } };
}

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
// A FIFO put at the path must not block the open: it is refused as "not a file" just after.
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/**
 * Reads the attach file through one descriptor opened without following a link: what is checked
 * (a regular file of this user's, private) is what is read, whatever is put at the path meanwhile.
 * Null when there is none, or it is not an attach file. An endpoint from a file that is not
 * private is refused; the unavailable note holds no secret and is taken as it is.
 */
export function readAttachFile(dataDir: string): AttachFile | null {
  const file = attachFilePath(dataDir);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    // Linux says ELOOP for a link opened with O_NOFOLLOW, the BSDs and macOS EMLINK or ELOOP.
    if (code === 'ELOOP' || code === 'EMLINK')
      throw notPrivate(file, 'the attach file', 'it is a link, not a file');
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notPrivate(file, 'the attach file', 'it is not a file');
    if (st.size > MAX_ATTACH_FILE_BYTES) return null;
    const found = parseAttachFile(fs.readFileSync(fd, 'utf8'));
    if (!found || 'unavailable' in found) return found;
    const problem = statsProblem(st, 'file');
    if (problem) throw notPrivate(file, 'the attach file', problem);
    return found;
  } finally {
    fs.closeSync(fd);
  }
}

/** Written whole or not at all (a CLI never reads half a token), readable by its owner only. */
function writeWhole(dataDir: string, content: AttachInfo | AttachUnavailable): string {
  const target = attachFilePath(dataDir);
  const staging = `${target}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(staging, `${JSON.stringify(content)}\n`, { mode: 0o600 });
    fs.chmodSync(staging, 0o600); // the umask cannot widen it, but a leftover staging file kept its mode
    fs.renameSync(staging, target);
  } catch (err) {
    fs.rmSync(staging, { force: true });
    throw err;
  }
  return target;
}

export function writeAttachFile(dataDir: string, info: AttachInfo): string {
  return writeWhole(dataDir, info);
}

export function writeAttachUnavailable(dataDir: string, note: AttachUnavailable): string {
  return writeWhole(dataDir, note);
}

/**
 * Removes the attach file (or the unavailable note) only while it is still the one this holder
 * wrote: its token, or (a note) its PID.
 */
export function removeAttachFile(dataDir: string, token: string | null): void {
  const file = attachFilePath(dataDir);
  let found: AttachFile | null;
  try {
    found = parseAttachFile(fs.readFileSync(file, 'utf8'));
  } catch {
    return; // gone already
  }
  const ours =
    found !== null &&
    ('endpoint' in found
      ? token !== null && found.endpoint.token === token
      : token === null && found.unavailable.pid === process.pid);
  if (ours) fs.rmSync(file, { force: true });
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
