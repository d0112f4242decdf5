// The data-folder lock while `pustaka serve` holds it and someone tampers with `pustaka.lock`:
// deleted, filled with garbage, or replaced by another process's claim. A second CLI process must
// be refused with `data_dir_in_use` naming the real holder (so it never opens the PGlite cluster),
// and the holder must put its claim back.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTicks } from '../../core/base/data-dir-lock/process-alive.ts';
import { BIN, runPustaka } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const servers: ChildProcess[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await stop(s, 'SIGKILL');
});

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode) return;
  const exited = new Promise((r) => child.once('close', r));
  child.kill(signal);
  await exited;
}

async function startServe(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'serve', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('close', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  return child;
}

/** Waits (no timing asserted) until the holder has written its own claim back. */
async function lockNames(file: string, pid: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number }).pid === pid) return;
    } catch {
      /* missing or garbage: not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} never named PID ${pid} again`);
}

const deadPid = 2 ** 22 + 4321;
const tamperings: [string, (file: string) => void][] = [
  ['deleted', (file) => fs.rmSync(file)],
  ['filled with garbage', (file) => fs.writeFileSync(file, 'garbage \u0000\u0001 not json')],
  [
    'replaced by a dead PID',
    (file) =>
      fs.writeFileSync(
        file,
        JSON.stringify({
          pid: deadPid,
          hostname: os.hostname(),
          startTicks: null,
          acquiredAt: 'x',
          command: 'x',
        }),
      ),
  ],
  [
    'replaced by a live unrelated PID (1)',
    (file) =>
      fs.writeFileSync(
        file,
        JSON.stringify({
          pid: 1,
          hostname: os.hostname(),
          startTicks: processStartTicks(1),
          acquiredAt: 'x',
          command: 'init',
        }),
      ),
  ],
];

describe('the data-folder lock survives tampering while `pustaka serve` holds it', () => {
  for (const [how, tamper] of tamperings) {
    it(`a second CLI process is refused when pustaka.lock was ${how}, and the holder restores its claim`, async () => {
      const dataDir = path.join(tempDir(), 'data');
      const serve = await startServe(dataDir);
      const lockFile = path.join(dataDir, 'pustaka.lock');
      tamper(lockFile);
      // Without the attach file a second CLI opens the folder itself instead of sending its calls
      // to the holder's engine: the lock alone must stop it.
      fs.rmSync(path.join(dataDir, 'engine-attach.json'));

      const second = await runPustaka(['--data-dir', dataDir, '--json', 'collections', 'create', 'Intruder']);
      expect(second.code).toBe(1);
      const out = JSON.parse(second.stdout) as { ok: boolean; error: { code: string; message: string } };
      expect(out).toMatchObject({ ok: false, error: { code: 'data_dir_in_use' } });
      expect(out.error.message).toContain(`in use by PID ${serve.pid}`);
      expect(serve.exitCode).toBeNull();

      await lockNames(lockFile, serve.pid!);
      await stop(serve, 'SIGTERM');
      const list = await runPustaka(['--data-dir', dataDir, '--json', 'collections']);
      expect(list.code).toBe(0);
      expect(list.stdout).not.toContain('Intruder');
    });
  }
});
