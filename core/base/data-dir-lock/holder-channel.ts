import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { currentUser } from '../current-user.ts';

/**
 * The lock's authority on this computer: a local socket the holder listens on, named after the data
 * folder's real path (symbolic links resolved; not its inode, which a new folder may reuse while a
 * forgotten holder of a deleted one still listens) and the user running Pustaka. Only one process
 * can listen on a name, the kernel frees it when that process dies however it dies, and a
 * contender that cannot listen asks the holder who it is. Unlike `pustaka.lock` it cannot be
 * deleted, garbled or rewritten by editing the data folder:
 * - Linux: an abstract socket (no file at all);
 * - Windows: a named pipe (`\\.\pipe\…`, not in the file system either);
 * - macOS and other Unixes: a socket file `pustaka.lock.sock` in the data folder. It can be
 *   deleted; the holder notices within a recheck and listens again, and a contender in that moment
 *   still meets the lock file. Where the folder cannot hold a socket (exFAT/FAT, SMB, NFS, a path
 *   too long for one), a socket in `os.tmpdir()` (per user on macOS) takes its place.
 * Where no socket can be created at all, the folder is protected by `pustaka.lock` only, with a
 * warning: a folder that opened before never stops opening because of its socket.
 *
 * Other local users: abstract socket names have no permissions, pipe names are global and a temp
 * folder may be shared, so the user's id is part of the hashed name, and a second user of one
 * folder meets the lock file instead. Someone who computes the name (it is not secret) can still
 * listen on it first and make Pustaka refuse the folder: denial of service only, never access,
 * since the channel only ever carries the holder's PID and opens nothing.
 *
 * Closing a server on a socket file unlinks that path (libuv does it, Node cannot ask it not to),
 * so the holder never closes or listens again while the path holds another process's socket. What
 * remains is the moment between checking the path and closing, when another socket may appear.
 */
export interface HolderChannel {
  /** Null when no socket could be created: the folder is protected by its lock file only. */
  readonly name: string | null;
  /** Listens again if the socket file was removed (file-based sockets only). False: taken by another. */
  recheck(): Promise<boolean>;
  close(): void;
}

export type ChannelClaim = { held: HolderChannel } | { taken: true; holder: unknown };
export type HolderAnswer = { answer: unknown } | { refused: true } | { silent: true };

export interface ChannelOptions {
  platform?: NodeJS.Platform;
  /** Says that the folder is protected by its lock file only. */
  warn?: (message: string) => void;
  /** Tests replace how a name is listened on (null: someone else listens) and how a holder is asked. */
  listen?: (name: string, answer: string) => Promise<net.Server | null>;
  ask?: (name: string) => Promise<HolderAnswer>;
}

/** How long a contender waits for the holder's answer (a holder busy in synchronous work is slow). */
const ASK_TIMEOUT_MS = 2000;
/** sun_path is 104 bytes on macOS, 108 on Linux. */
const MAX_SOCKET_PATH = 100;
/** A holder may exit between our failed listen and our question: listen again a few times. */
const CLAIM_ATTEMPTS = 5;
const CLAIM_BACKOFF_MS = 20;

/** The socket names to try, best first; empty when none fits (the lock file alone then). */
export function channelNames(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
  user: string = currentUser(),
): string[] {
  const real = fs.realpathSync.native(dataDir);
  // These file systems ignore case by default: "Pustaka" and "pustaka" are one folder.
  const key = platform === 'win32' || platform === 'darwin' ? real.toLowerCase() : real;
  const id = crypto.createHash('sha256').update(`${user}\0${key}`).digest('hex').slice(0, 32);
  if (platform === 'linux') return [`\0pustaka-data-${id}`];
  if (platform === 'win32') return [`\\\\.\\pipe\\pustaka-data-${id}`];
  const names = [path.join(real, 'pustaka.lock.sock'), path.join(os.tmpdir(), `pustaka-${id}.sock`)];
  return names.filter((name) => Buffer.byteLength(name) <= MAX_SOCKET_PATH);
}

function isFileSocket(name: string): boolean {
  return !name.startsWith('\0') && !name.startsWith('\\\\.\\pipe\\');
}

/** The socket file's identity (device and inode), or null when nothing is at the path. */
function fileId(name: string): string | null {
  try {
    const st = fs.statSync(name);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/** Listens on `name`; null when someone else does (EADDRINUSE); rejects when it cannot listen there. */
function listenOn(name: string, answer: string): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined); // a contender that hung up early
      socket.end(answer);
    });
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(null);
      else reject(err);
    });
    try {
      server.listen(name, () => {
        server.unref(); // the lock never keeps a finished command alive
        resolve(server);
      });
    } catch (err) {
      reject(err as Error);
    }
  });
}

/**
 * Asks whoever listens on `name` who it is: `refused` when nobody listens (a holder that just
 * exited, or a socket file left by a process that died), `silent` when it did not answer in time.
 */
export function askHolder(name: string): Promise<HolderAnswer> {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect(name);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ silent: true });
    }, ASK_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve({ answer: JSON.parse(data) as unknown });
      } catch {
        resolve({ silent: true });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? { refused: true } : { silent: true });
    });
  });
}

/**
 * Removes a socket file nobody listens on, if it is still the one we asked (`seen`): a contender
 * may have replaced it meanwhile. Throws when it cannot (another user's, or not a socket at all).
 */
function removeDeadSocket(name: string, seen: string | null): void {
  if (seen === null || fileId(name) !== seen) return; // gone or replaced: just listen again
  if (!fs.statSync(name).isSocket()) throw new Error(`${name} is not a socket`);
  fs.rmSync(name);
}

type NameClaim = ChannelClaim | { unusable: Error };

async function claimName(name: string, answer: string, io: Required<ChannelOptions>): Promise<NameClaim> {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, CLAIM_BACKOFF_MS * attempt));
    let server: net.Server | null;
    try {
      server = await io.listen(name, answer);
    } catch (err) {
      return { unusable: err as Error };
    }
    if (server) return { held: makeChannel(name, server, answer, io.listen) };
    const seen = isFileSocket(name) ? fileId(name) : null;
    const asked = await io.ask(name);
    if ('answer' in asked) return { taken: true, holder: asked.answer };
    if ('silent' in asked) return { taken: true, holder: null };
    // Refused: the holder exited after our listen failed, or died and left its socket file.
    if (isFileSocket(name)) {
      try {
        removeDeadSocket(name, seen);
      } catch (err) {
        return { unusable: err as Error };
      }
    }
  }
  return { taken: true, holder: null };
}

/** Listens on the data folder's channel, or names the live process that already does. */
export async function claimChannel(
  dataDir: string,
  answer: string,
  opts: ChannelOptions = {},
): Promise<ChannelClaim> {
  const io: Required<ChannelOptions> = {
    platform: opts.platform ?? process.platform,
    warn: opts.warn ?? ((m) => console.warn(`pustaka: warning: ${m}`)),
    listen: opts.listen ?? listenOn,
    ask: opts.ask ?? askHolder,
  };
  let why = 'no socket path short enough';
  for (const name of channelNames(dataDir, io.platform)) {
    const claim = await claimName(name, answer, io);
    if (!('unusable' in claim)) return claim;
    why = (claim.unusable as NodeJS.ErrnoException).code ?? claim.unusable.message;
  }
  io.warn(
    `cannot create a lock socket for ${dataDir} (${why}); the folder is protected by its lock file pustaka.lock only`,
  );
  return { held: { name: null, recheck: async () => true, close: () => undefined } };
}

function makeChannel(
  name: string,
  first: net.Server,
  answer: string,
  listen: Required<ChannelOptions>['listen'],
): HolderChannel {
  let server = first;
  const file = isFileSocket(name);
  let ownId = file ? fileId(name) : null;
  return {
    name,
    async recheck() {
      if (!file) return true;
      const now = fileId(name);
      if (now === ownId) return true;
      // Something else is at the path now; closing would unlink it, so leave it and report.
      if (now !== null) return false;
      server.close(); // its file was deleted: listen on a new one
      const again = await listen(name, answer); // a rejection is reported by the caller's recheck
      if (!again) return false;
      server = again;
      ownId = fileId(name);
      return true;
    },
    close() {
      // Another process's socket at our path: closing would unlink it, so our server stays open
      // (unref'd, on a file nobody reaches) until this process exits.
      const now = file ? fileId(name) : null;
      if (ownId !== null && now !== null && now !== ownId) return;
      server.close();
    },
  };
}
