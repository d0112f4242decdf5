import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The lock's authority on this computer: a local socket the holder listens on, named after the data
 * folder's real path (symbolic links resolved; not its inode, which a new folder may reuse while a
 * forgotten holder of a deleted one still listens). Only one process
 * can listen on a name, the kernel frees it when that process dies however it dies, and a
 * contender that cannot listen asks the holder who it is. Unlike `pustaka.lock` it cannot be
 * deleted, garbled or rewritten by editing the data folder:
 * - Linux: an abstract socket (no file at all);
 * - Windows: a named pipe (`\\.\pipe\…`, not in the file system either);
 * - macOS and other Unixes: a socket file `pustaka.lock.sock` in the data folder. It can be
 *   deleted; the holder notices within a recheck and listens again, and a contender in that moment
 *   still meets the lock file.
 */
export interface HolderChannel {
  readonly name: string;
  /** Listens again if the socket file was removed (file-based sockets only). False: taken by another. */
  recheck(): Promise<boolean>;
  close(): void;
}

export type ChannelClaim = { held: HolderChannel } | { taken: true; holder: unknown };

/** How long a contender waits for the holder's answer (a holder busy in synchronous work is slow). */
const ASK_TIMEOUT_MS = 2000;
/** sun_path is 104 bytes on macOS, 108 on Linux. */
const MAX_SOCKET_PATH = 100;

export function channelName(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  let real = fs.realpathSync.native(dataDir);
  // These file systems ignore case by default: "Pustaka" and "pustaka" are one folder.
  if (platform === 'win32' || platform === 'darwin') real = real.toLowerCase();
  const id = crypto.createHash('sha256').update(real).digest('hex').slice(0, 32);
  if (platform === 'linux') return `\0pustaka-data-${id}`;
  if (platform === 'win32') return `\\\\.\\pipe\\pustaka-data-${id}`;
  const inFolder = path.join(dataDir, 'pustaka.lock.sock');
  if (Buffer.byteLength(inFolder) <= MAX_SOCKET_PATH) return inFolder;
  return path.join('/tmp', `pustaka-data-${id}.sock`);
}

function isFileSocket(name: string): boolean {
  return !name.startsWith('\0') && !name.startsWith('\\\\.\\pipe\\');
}

function listen(name: string, answer: string): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined); // a contender that hung up early
      socket.end(answer);
    });
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(null);
      else reject(err);
    });
    server.listen(name, () => {
      server.unref(); // the lock never keeps a finished command alive
      resolve(server);
    });
  });
}

/**
 * Asks whoever listens on `name` who it is. Null when nobody listens (`refused`: a socket file
 * left by a process that died) or the holder did not answer in time (`silent`).
 */
export function askHolder(name: string): Promise<{ answer: unknown } | { refused: true } | { silent: true }> {
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

/** Listens on the data folder's channel, or names the live process that already does. */
export async function claimChannel(
  dataDir: string,
  answer: string,
  platform: NodeJS.Platform = process.platform,
): Promise<ChannelClaim> {
  const name = channelName(dataDir, platform);
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = await listen(name, answer);
    if (server) return { held: makeChannel(name, server, answer) };
    const asked = await askHolder(name);
    if ('answer' in asked) return { taken: true, holder: asked.answer };
    if ('silent' in asked || !isFileSocket(name)) return { taken: true, holder: null };
    fs.rmSync(name, { force: true }); // a socket file whose process died: nobody listens on it
  }
  return { taken: true, holder: null };
}

function makeChannel(name: string, first: net.Server, answer: string): HolderChannel {
  let server = first;
  const inode = () => {
    try {
      return fs.statSync(name).ino;
    } catch {
      return null;
    }
  };
  let ownInode = isFileSocket(name) ? inode() : null;
  return {
    name,
    async recheck() {
      if (!isFileSocket(name)) return true;
      const now = inode();
      if (now === ownInode) return true;
      // Something else is at the path now; closing would unlink it, so leave it and report.
      if (now !== null) return false;
      server.close(); // its file was deleted: listen on a new one
      const again = await listen(name, answer);
      if (!again) return false;
      server = again;
      ownInode = inode();
      return true;
    },
    close() {
      server.close();
    },
  };
}
