import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BIN, runPustaka } from './support/cli.ts';
import { tempDir } from './support/temp-dir.ts';

interface ServeInfo {
  url: string;
  port: number;
  token: string;
  api: string;
  dataDir: string;
  rendererBuilt: boolean;
}

describe('pustaka serve (CLI)', () => {
  it('prints the address once, writes the token file 0600, serves the API, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const tokenFile = path.join(dir, 'token');
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--data-dir',
        path.join(dir, 'data'),
        'serve',
        '--port',
        '0',
        '--token-file',
        tokenFile,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines = readline.createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('close', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const info = JSON.parse(first) as ServeInfo;
    expect(info.url).toBe(`http://127.0.0.1:${info.port}/#token=${info.token}`);
    expect(info.api).toBe(`ws://127.0.0.1:${info.port}/api`);
    expect(info.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.readFileSync(tokenFile, 'utf8')).toBe(info.token);
    if (process.platform !== 'win32') expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);

    const ws = new WebSocket(info.api, { headers: { authorization: `Bearer ${info.token}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<unknown>((resolve) =>
      ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))),
    );
    ws.send(JSON.stringify({ type: 'request', id: 1, method: 'status', params: {} }));
    expect(await reply).toMatchObject({
      type: 'response',
      id: 1,
      ok: true,
      result: { dataDir: info.dataDir },
    });

    const closed = new Promise((resolve) => ws.once('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await closed;
    // The token was printed once: nothing more on stdout.
    const rest: string[] = [];
    lines.on('line', (l) => rest.push(l));
    expect(rest).toEqual([]);
    // The engine closed cleanly: the data dir opens again at once.
    const again = await runPustaka(['--data-dir', path.join(dir, 'data'), 'status', '--json']);
    expect(again.code).toBe(0);
  });

  it('refuses a bad port with exit code 2', async () => {
    const res = await runPustaka(['--data-dir', tempDir(), 'serve', '--port', '70000']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('port from 0 to 65535');
  });
});
