import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PustakaError } from '../errors.ts';
import { pidExists, processStartTicks } from './process-alive.ts';

/**
 * Single-instance lock on a data dir. PGlite has no lock of its own and two processes on one
 * cluster silently corrupt it, so every engine takes this before opening a store.
 */
export interface LockInfo {
  pid: number;
  hostname: string;
  startTicks: string | null;
  acquiredAt: string;
  command: string;
}

export interface DataDirLock {
  readonly file: string;
  readonly info: LockInfo;
  /** True when a stale lock (crashed holder) was found and taken over. */
  readonly recoveredStale: LockInfo | null;
  release(): void;
}

function readLock(file: string): LockInfo | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid !== 'number') return null;
    return {
      pid: parsed.pid,
      hostname: String(parsed.hostname ?? ''),
      startTicks: parsed.startTicks ?? null,
      acquiredAt: String(parsed.acquiredAt ?? ''),
      command: String(parsed.command ?? ''),
    };
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

export function acquireDataDirLock(dataDir: string, file = path.join(dataDir, 'pustaka.lock')): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const info: LockInfo = {
    pid: process.pid,
    hostname: os.hostname(),
    startTicks: processStartTicks(process.pid),
    acquiredAt: new Date().toISOString(),
    command: path.basename(process.argv[1] ?? process.argv0),
  };
  // Write the full content first, then link it into place: the lock appears atomically, complete.
  const pending = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(pending, JSON.stringify(info));
  let recoveredStale: LockInfo | null = null;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(pending, file);
        return makeHandle(file, info, recoveredStale);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder: LockInfo | null;
      try {
        holder = readLock(file);
      } catch {
        continue; // vanished between link and read: try again
      }
      if (isLockLive(holder)) {
        throw new PustakaError(
          'data_dir_in_use',
          `data directory ${dataDir} is in use by ${describe(holder!)}; close that Pustaka first`,
          { dataDir, holder },
        );
      }
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

function makeHandle(file: string, info: LockInfo, recoveredStale: LockInfo | null): DataDirLock {
  let released = false;
  return {
    file,
    info,
    recoveredStale,
    release() {
      if (released) return;
      released = true;
      try {
        const current = readLock(file);
        if (current && current.pid === info.pid && current.acquiredAt === info.acquiredAt) fs.rmSync(file);
      } catch {
        /* already gone */
      }
    },
  };
}
