import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../core/cli/program.ts';
import { runPustaka } from './support/cli.ts';
import { tempDir } from './support/temp-dir.ts';

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  Object.assign(process.env, env);
  try {
    const code = await runCli(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      isTTY: false,
    });
    return { code, stdout, stderr };
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
  }
}

afterEach(() => {
  delete process.env.PUSTAKA_PASSPHRASE;
  delete process.env.PUSTAKA_PASSPHRASE_FILE;
});

describe('pustaka lock / audit (CLI)', () => {
  it('enables the lock, then every command needs the passphrase from a file, the environment or a terminal', async () => {
    const dir = tempDir();
    const data = ['--data-dir', path.join(dir, 'data')];
    const pf = path.join(dir, 'pass.txt');
    fs.writeFileSync(pf, 'teh tarik tanpa gula\n'); // the trailing newline is not part of it
    const wrong = path.join(dir, 'wrong.txt');
    fs.writeFileSync(wrong, 'teh tarik dengan gula\n');

    const on = await cli([...data, 'lock', 'enable', '--passphrase-file', pf, '--idle-minutes', '10']);
    expect(on).toMatchObject({ code: 0, stderr: '' });
    expect(on.stdout).toMatch(/App lock on/);

    // A new process starts locked; the lock's status needs no passphrase.
    const status = await cli([...data, 'lock', 'status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ enabled: true, locked: true, idleMinutes: 10 });

    const refused = await cli([...data, 'collections', 'create', 'Visa', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe('locked');
    expect(refused.stderr).toMatch(/Pustaka is locked: run this on a terminal .* PUSTAKA_PASSPHRASE_FILE/);

    expect(
      (await cli([...data, 'collections', 'create', 'Visa'], { PUSTAKA_PASSPHRASE_FILE: pf })).code,
    ).toBe(0);
    const listed = await cli([...data, 'collections', '--json'], {
      PUSTAKA_PASSPHRASE: 'teh tarik tanpa gula',
    });
    expect(JSON.parse(listed.stdout).map((c: { name: string }) => c.name)).toEqual(['Visa']);

    const bad = await cli([...data, 'lock', 'unlock', '--passphrase-file', wrong]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/wrong passphrase \(1 in a row\)/);
    expect(bad.stderr).not.toContain('dengan gula');

    const trail = await cli([...data, 'audit', '--json'], { PUSTAKA_PASSPHRASE_FILE: pf });
    expect(JSON.parse(trail.stdout).map((e: { action: string }) => e.action)).toEqual([
      'lock.unlock_failed',
      'lock.enable',
    ]);

    expect((await cli([...data, 'lock', 'disable', '--passphrase-file', pf])).stdout).toMatch(/App lock off/);
  }, 180_000); // eight engine starts, one per command

  it('the real binary exits 1 with one clear line when locked and no passphrase is given', async () => {
    const dir = tempDir();
    const pf = path.join(dir, 'pass.txt');
    fs.writeFileSync(pf, 'nasi goreng spesial');
    const data = ['--data-dir', path.join(dir, 'data')];
    expect((await cli([...data, 'lock', 'enable', '--passphrase-file', pf])).code).toBe(0);
    const run = await runPustaka([...data, 'status'], {
      PUSTAKA_PASSPHRASE: '',
      PUSTAKA_PASSPHRASE_FILE: '',
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^pustaka: Pustaka is locked/);
  }, 90_000);
});
