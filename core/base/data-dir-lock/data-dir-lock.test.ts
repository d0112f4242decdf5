import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { processStartTicks } from './process-alive.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A separate process that takes the lock and holds it until killed. */
async function holdLockInChild(dir: string, recheckMs = 1000): Promise<ChildProcess> {
  const script = `
    const { register } = await import('tsx/esm/api'); register();
    const { acquireDataDirLock } = await import(${JSON.stringify(new URL('./data-dir-lock.ts', import.meta.url).href)});
    await acquireDataDirLock(${JSON.stringify(dir)}, undefined, { recheckMs: ${recheckMs} });
    console.log('locked');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
  return child;
}

describe('data dir lock', () => {
  it('creates the lock file with our PID and removes it on release', async () => {
    const dir = tempDir();
    const lock = await acquireDataDirLock(dir);
    const content = JSON.parse(fs.readFileSync(path.join(dir, 'pustaka.lock'), 'utf8'));
    expect(content.pid).toBe(process.pid);
    expect(content.hostname).toBe(os.hostname());
    lock.release();
    expect(fs.existsSync(path.join(dir, 'pustaka.lock'))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a second holder in the same process', async () => {
    const dir = tempDir();
    const lock = await acquireDataDirLock(dir);
    await expect(acquireDataDirLock(dir)).rejects.toThrow(`in use by PID ${process.pid}`);
    lock.release();
    (await acquireDataDirLock(dir)).release();
  });

  it('refuses a live process and names its PID, then recovers the lock once that process is killed', async () => {
    const dir = tempDir();
    const child = await holdLockInChild(dir);
    let error: unknown;
    try {
      await acquireDataDirLock(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'data_dir_in_use' });
    expect((error as Error).message).toContain(`in use by PID ${child.pid}`);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lock = await acquireDataDirLock(dir);
    expect(lock.recoveredStale?.pid).toBe(child.pid);
    lock.release();
  });

  it('recovers a lock left by a PID that no longer exists', async () => {
    const dir = tempDir();
    const stale = {
      pid: 2 ** 22 + 12345,
      hostname: os.hostname(),
      startTicks: null,
      acquiredAt: '2020-01-01',
      command: 'x',
    };
    fs.writeFileSync(path.join(dir, 'pustaka.lock'), JSON.stringify(stale));
    const lock = await acquireDataDirLock(dir);
    expect(lock.recoveredStale?.pid).toBe(stale.pid);
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('recovers a half-written (unparseable) lock file', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'pustaka.lock'), '{"pid": 12');
    const lock = await acquireDataDirLock(dir);
    expect(lock.recoveredStale).not.toBeNull();
    lock.release();
  });

  it('treats a reused PID with a different start time as stale (Linux)', async () => {
    if (process.platform !== 'linux') return;
    const dir = tempDir();
    // PID 1 exists, but it is not the process that wrote this lock.
    const stale = {
      pid: 1,
      hostname: os.hostname(),
      startTicks: '999999999999',
      acquiredAt: 'x',
      command: 'x',
    };
    fs.writeFileSync(path.join(dir, 'pustaka.lock'), JSON.stringify(stale));
    const lock = await acquireDataDirLock(dir);
    expect(lock.recoveredStale?.pid).toBe(1);
    lock.release();
  });

  it('respects a lock held from another host', async () => {
    const dir = tempDir();
    const other = {
      pid: 4242,
      hostname: 'another-laptop',
      startTicks: null,
      acquiredAt: 'x',
      command: 'pustaka',
    };
    fs.writeFileSync(path.join(dir, 'pustaka.lock'), JSON.stringify(other));
    await expect(acquireDataDirLock(dir)).rejects.toThrow(/in use by PID 4242 on host another-laptop/);
  });
});

const lockFile = (dir: string) => path.join(dir, 'pustaka.lock');
const claimOf = (pid: number, startTicks: string | null) =>
  JSON.stringify({ pid, hostname: os.hostname(), startTicks, acquiredAt: 'x', command: 'x' });
const tamperings: [string, (file: string) => void][] = [
  ['was deleted', (file) => fs.rmSync(file)],
  ['was filled with garbage', (file) => fs.writeFileSync(file, 'garbage')],
  ["was replaced by a dead PID's claim", (file) => fs.writeFileSync(file, claimOf(2 ** 22 + 999, null))],
  [
    "was replaced by a live unrelated PID's claim",
    (file) => fs.writeFileSync(file, claimOf(1, processStartTicks(1))),
  ],
];

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('data dir lock under tampering', () => {
  for (const [how, tamper] of tamperings) {
    it(`a live holder keeps the folder when its lock file ${how}`, async () => {
      const dir = tempDir();
      // The holder would rewrite the file only in an hour: the refusal comes from the channel alone.
      const child = await holdLockInChild(dir, 3_600_000);
      tamper(lockFile(dir));
      await expect(acquireDataDirLock(dir)).rejects.toMatchObject({
        code: 'data_dir_in_use',
        message: expect.stringContaining(`in use by PID ${child.pid} `),
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // Dead holder: the folder is free again (a live PID's claim in the file still counts, as before).
      if (!how.includes('live unrelated')) (await acquireDataDirLock(dir)).release();
    });

    it(`the holder writes its claim again when its lock file ${how}, with a warning`, async () => {
      const dir = tempDir();
      const warnings: string[] = [];
      const lock = await acquireDataDirLock(dir, undefined, { recheckMs: 20, warn: (m) => warnings.push(m) });
      try {
        tamper(lockFile(dir));
        await waitFor('the claim to be restored', () => {
          try {
            return JSON.parse(fs.readFileSync(lockFile(dir), 'utf8')).acquiredAt === lock.info.acquiredAt;
          } catch {
            return false;
          }
        });
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain(`holds ${dir}; it was written again`);
        expect(fs.statSync(lockFile(dir)).mode & 0o777).toBe(0o600);
      } finally {
        lock.release();
      }
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  }

  it('frees the folder at release, for this process and others', async () => {
    const dir = tempDir();
    (await acquireDataDirLock(dir)).release();
    const child = await holdLockInChild(dir);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    (await acquireDataDirLock(dir)).release();
  });
});
