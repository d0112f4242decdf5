import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A separate process that takes the lock and holds it until killed. */
async function holdLockInChild(dir: string): Promise<ChildProcess> {
  const script = `
    const { register } = await import('tsx/esm/api'); register();
    const { acquireDataDirLock } = await import(${JSON.stringify(new URL('./data-dir-lock.ts', import.meta.url).href)});
    acquireDataDirLock(${JSON.stringify(dir)});
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
  it('creates the lock file with our PID and removes it on release', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    const content = JSON.parse(fs.readFileSync(path.join(dir, 'pustaka.lock'), 'utf8'));
    expect(content.pid).toBe(process.pid);
    expect(content.hostname).toBe(os.hostname());
    lock.release();
    expect(fs.existsSync(path.join(dir, 'pustaka.lock'))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a second holder in the same process', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(/in use by PID/);
    lock.release();
    acquireDataDirLock(dir).release();
  });

  it('refuses a live process and names its PID, then recovers the lock once that process is killed', async () => {
    const dir = tempDir();
    const child = await holdLockInChild(dir);
    let error: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'data_dir_in_use' });
    expect((error as Error).message).toContain(`in use by PID ${child.pid}`);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lock = acquireDataDirLock(dir);
    expect(lock.recoveredStale?.pid).toBe(child.pid);
    lock.release();
  });

  it('recovers a lock left by a PID that no longer exists', () => {
    const dir = tempDir();
    const stale = {
      pid: 2 ** 22 + 12345,
      hostname: os.hostname(),
      startTicks: null,
      acquiredAt: '2020-01-01',
      command: 'x',
    };
    fs.writeFileSync(path.join(dir, 'pustaka.lock'), JSON.stringify(stale));
    const lock = acquireDataDirLock(dir);
    expect(lock.recoveredStale?.pid).toBe(stale.pid);
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('recovers a half-written (unparseable) lock file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'pustaka.lock'), '{"pid": 12');
    const lock = acquireDataDirLock(dir);
    expect(lock.recoveredStale).not.toBeNull();
    lock.release();
  });

  it('treats a reused PID with a different start time as stale (Linux)', () => {
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
    const lock = acquireDataDirLock(dir);
    expect(lock.recoveredStale?.pid).toBe(1);
    lock.release();
  });

  it('respects a lock held from another host', () => {
    const dir = tempDir();
    const other = {
      pid: 4242,
      hostname: 'another-laptop',
      startTicks: null,
      acquiredAt: 'x',
      command: 'pustaka',
    };
    fs.writeFileSync(path.join(dir, 'pustaka.lock'), JSON.stringify(other));
    expect(() => acquireDataDirLock(dir)).toThrow(/in use by PID 4242 on host another-laptop/);
  });
});
