import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PustakaError } from '../errors.ts';
import { ensurePrivateDir } from '../private-files.ts';
import { claimChannel, type HolderChannel } from './holder-channel.ts';
import { pidExists, processStartTicks } from './process-alive.ts';

/**
 * Single-instance lock on a data dir. PGlite has no lock of its own and two processes on one
 * cluster silently corrupt it, so every engine takes this before opening a store.
 *
 * Two parts, because a file alone can be deleted or rewritten under a running holder:
 * - the holder channel (holder-channel.ts), a local socket only one live process can listen on:
 *   the authority on this computer, which editing the data folder cannot take away (where no
 *   socket can be created, the lock file alone protects the folder, with a warning);
 * - `pustaka.lock`, which names the holder for people and for other computers sharing the folder.
 *   The holder checks it every `recheckMs` and writes it again when it was deleted, garbled or
 *   replaced, with a warning.
 */
export interface LockInfo {
  pid: number;
  hostname: string;
  startTicks: string | null;
  acquiredAt: string;
  command: string;
  /**
   * The holder takes CLI commands once its engine is open (`pustaka serve`, the desktop app): a CLI
   * that finds the folder held waits for its attach endpoint instead of giving up at once.
   */
  attachable?: boolean;
}

export interface DataDirLock {
  readonly file: string;
  readonly info: LockInfo;
  /** True when a stale lock (crashed holder) was found and taken over. */
  readonly recoveredStale: LockInfo | null;
  release(): void;
}

export interface DataDirLockOptions {
  /** How often the holder checks its lock file and channel (ms). */
  recheckMs?: number;
  /** Where the holder reports tampering it repaired. */
  warn?: (message: string) => void;
  /** Say in the lock that this holder will take CLI commands (LockInfo.attachable). */
  attachable?: boolean;
}

const DEFAULT_RECHECK_MS = 1000;
const defaultWarn = (message: string) => console.error(`pustaka: warning: ${message}`);

function parseLockInfo(value: unknown): LockInfo | null {
  if (!value || typeof value !== 'object') return null;
  const parsed = value as Partial<LockInfo>;
  if (typeof parsed.pid !== 'number') return null;
  return {
    pid: parsed.pid,
    hostname: String(parsed.hostname ?? ''),
    startTicks: typeof parsed.startTicks === 'string' ? parsed.startTicks : null,
    acquiredAt: String(parsed.acquiredAt ?? ''),
    command: String(parsed.command ?? ''),
    ...(parsed.attachable === true ? { attachable: true } : {}),
  };
}

function readLock(file: string): LockInfo | null {
  try {
    return parseLockInfo(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    return null; // unreadable or half-written: the holder died while writing it
  }
}

/** A lock is live when its holder runs on this host and is the very process that wrote it. */
export function isLockLive(info: LockInfo | null): boolean {
  if (!info) return false;
  if (info.hostname && info.hostname !== os.hostname()) return true; // can't check another machine: respect it
  // Same PID counts as live too: two engines in one process would corrupt PGlite just the same.
  if (!pidExists(info.pid)) return false;
  const ticks = processStartTicks(info.pid);
  return ticks === null || info.startTicks === null || ticks === info.startTicks;
}

function describe(info: LockInfo): string {
  const where = info.hostname && info.hostname !== os.hostname() ? ` on host ${info.hostname}` : '';
  return `PID ${info.pid}${where}${info.command ? ` (${info.command})` : ''}, since ${info.acquiredAt}`;
}

function inUse(dataDir: string, holder: LockInfo | null): PustakaError {
  const who = holder
    ? describe(holder)
    : 'another Pustaka process (it did not answer with its PID, and pustaka.lock does not name a running one)';
  return new PustakaError(
    'data_dir_in_use',
    `data directory ${dataDir} is in use by ${who}; close that Pustaka first`,
    {
      dataDir,
      holder,
    },
  );
}

/** The lock file's holder when it names a live process, for a holder that did not answer itself. */
function liveFileHolder(file: string): LockInfo | null {
  try {
    const info = readLock(file);
    return isLockLive(info) ? info : null;
  } catch {
    return null;
  }
}

export async function acquireDataDirLock(
  dataDir: string,
  file = path.join(dataDir, 'pustaka.lock'),
  opts: DataDirLockOptions = {},
): Promise<DataDirLock> {
  ensurePrivateDir(dataDir);
  const info: LockInfo = {
    pid: process.pid,
    hostname: os.hostname(),
    startTicks: processStartTicks(process.pid),
    acquiredAt: new Date().toISOString(),
    command: path.basename(process.argv[1] ?? process.argv0),
    ...(opts.attachable ? { attachable: true } : {}),
  };
  const warn = opts.warn ?? defaultWarn;
  const claim = await claimChannel(dataDir, JSON.stringify(info), { warn });
  if ('taken' in claim) throw inUse(dataDir, parseLockInfo(claim.holder) ?? liveFileHolder(file));
  try {
    const recoveredStale = takeLockFile(dataDir, file, info);
    return makeHandle(dataDir, file, info, recoveredStale, claim.held, opts);
  } catch (err) {
    claim.held.close();
    throw err;
  }
}

/** Puts our lock file in place, taking over a stale one; throws when it names a live holder. */
function takeLockFile(dataDir: string, file: string, info: LockInfo): LockInfo | null {
  // Write the full content first, then link it into place: the lock appears atomically, complete.
  const pending = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(pending, JSON.stringify(info), { mode: 0o600 });
  let recoveredStale: LockInfo | null = null;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(pending, file);
        return recoveredStale;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder: LockInfo | null;
      try {
        holder = readLock(file);
      } catch {
        continue; // vanished between link and read: try again
      }
      // Holders on this computer were ruled out by the channel; this is another computer sharing
      // the folder, or a Pustaka from before the channel existed.
      if (isLockLive(holder)) throw inUse(dataDir, holder);
      // Stale: move it aside atomically; only one contender wins the rename.
      const aside = `${file}.stale-${process.pid}-${Date.now()}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        continue;
      }
      let moved: LockInfo | null = null;
      try {
        moved = readLock(aside);
      } catch {
        /* gone */
      }
      if (moved && isLockLive(moved)) {
        // Another contender took the lock between our read and our rename: put it back.
        try {
          fs.linkSync(aside, file);
        } catch {
          /* it re-took it already */
        }
        fs.rmSync(aside, { force: true });
        continue;
      }
      fs.rmSync(aside, { force: true });
      recoveredStale = holder ?? {
        pid: 0,
        hostname: '',
        startTicks: null,
        acquiredAt: '',
        command: 'unreadable lock',
      };
    }
    throw new PustakaError(
      'data_dir_in_use',
      `could not take the lock on ${dataDir} (contended); try again`,
      {
        dataDir,
      },
    );
  } finally {
    fs.rmSync(pending, { force: true });
  }
}

function isOurs(current: LockInfo | null, info: LockInfo): boolean {
  return current !== null && current.pid === info.pid && current.acquiredAt === info.acquiredAt;
}

/** What happened to our lock file, or null when it still names us. */
function lockFileProblem(file: string, info: LockInfo): string | null {
  let current: LockInfo | null;
  try {
    current = readLock(file);
  } catch {
    return 'deleted';
  }
  if (!current) return 'overwritten with unreadable content';
  if (isOurs(current, info)) return null;
  return `replaced by a claim of PID ${current.pid}`;
}

function writeLockFile(file: string, info: LockInfo): void {
  const tmp = `${file}.${process.pid}.restore.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function makeHandle(
  dataDir: string,
  file: string,
  info: LockInfo,
  recoveredStale: LockInfo | null,
  channel: HolderChannel,
  opts: DataDirLockOptions,
): DataDirLock {
  const warn = opts.warn ?? defaultWarn;
  let released = false;
  let checking = false;
  let lastWarning = '';
  const report = (message: string) => {
    if (message !== lastWarning) warn(message);
    lastWarning = message;
  };
  const recheck = async () => {
    if (released || checking) return;
    checking = true;
    try {
      const problem = lockFileProblem(file, info);
      if (problem) {
        writeLockFile(file, info);
        report(
          `${file} was ${problem} while this process (PID ${info.pid}) holds ${dataDir}; it was written again`,
        );
      }
      if (!released && !(await channel.recheck()))
        report(
          `the lock socket ${channel.name ?? ''} of ${dataDir} was replaced by something else; stop other programs using this folder`,
        );
    } catch (err) {
      report(`cannot check the lock on ${dataDir}: ${(err as Error).message}`);
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void recheck(), opts.recheckMs ?? DEFAULT_RECHECK_MS);
  timer.unref();
  return {
    file,
    info,
    recoveredStale,
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        if (isOurs(readLock(file), info)) fs.rmSync(file);
      } catch {
        /* already gone */
      }
      channel.close();
    },
  };
}
