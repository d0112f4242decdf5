// A locked engine behind the real `pustaka serve`: over the WebSocket every call but the lock's
// own and `status` is refused with `locked` until `appLock.unlock` gets the passphrase; wrong
// passphrases back off (three free tries, then a wait the server enforces).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { BIN } from './support/cli.ts';
import { tempDir } from './support/temp-dir.ts';

const PASSPHRASE = 'Sambal-Matah 9 malam!';
const WRONG = 'Sambal-Matah 9 pagi?';

interface Response {
  type: 'response';
  id: number;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

describe('pustaka serve with the app lock on', () => {
  it('refuses calls with `locked` until unlocked; wrong passphrases back off', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const engine = await openEngine({ dataDir });
    try {
      const api = createDispatcher(engine);
      expect((await api.call('collections.create', { name: 'Visa' })).ok).toBe(true);
      expect((await api.call('appLock.enable', { passphrase: PASSPHRASE })).ok).toBe(true);
    } finally {
      await engine.close();
    }

    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'serve', '--port', '0', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout }).once('line', resolve);
        child.once('close', () => reject(new Error(`serve exited early: ${stderr}`)));
      });
      const info = JSON.parse(first) as { api: string; token: string };
      const ws = new WebSocket(info.api, { headers: { authorization: `Bearer ${info.token}` } });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const pending = new Map<number, (r: Response) => void>();
      ws.on('message', (d: Buffer) => {
        const msg = JSON.parse(d.toString()) as Response;
        if (msg.type === 'response') pending.get(msg.id)?.(msg);
      });
      let nextId = 1;
      const call = (method: string, params: unknown = {}) =>
        new Promise<Response>((resolve) => {
          const id = nextId++;
          pending.set(id, resolve);
          ws.send(JSON.stringify({ type: 'request', id, method, params }));
        });
      const code = (r: Response) => (r.ok ? 'ok' : r.error!.code);

      // Locked from the start: data calls refused, the allow-list answers, status reveals no data.
      for (const method of ['collections.list', 'search', 'documents.get', 'backup.list'])
        expect(
          code(
            await call(
              method,
              method === 'search' ? { query: 'kitas' } : method === 'documents.get' ? { id: 1 } : {},
            ),
          ),
          method,
        ).toBe('locked');
      const status = await call('status');
      expect(status.ok).toBe(true);
      expect(status.result!.appLock).toMatchObject({ enabled: true, locked: true });
      expect(JSON.stringify(status.result)).not.toContain('Visa');
      expect((await call('appLock.status')).result).toMatchObject({
        enabled: true,
        locked: true,
        failedAttempts: 0,
      });

      // Wrong passphrases: three free tries, then a wait; during it even the right one is refused.
      const started = Date.now();
      for (let attempt = 1; attempt <= 3; attempt++) {
        const r = await call('appLock.unlock', { passphrase: WRONG });
        expect(code(r)).toBe('locked');
        expect(r.error!.details).toMatchObject({ reason: 'wrong_passphrase', failedAttempts: attempt });
        expect(r.error!.message).not.toContain(WRONG);
      }
      const blocked = await call('appLock.unlock', { passphrase: PASSPHRASE });
      expect(code(blocked)).toBe('locked');
      expect(blocked.error!.details).toMatchObject({ reason: 'blocked', failedAttempts: 3 });
      const wait = blocked.error!.details!.retryAfterMs as number;
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(1_000);
      expect(code(await call('collections.list'))).toBe('locked');
      expect((await call('appLock.status')).result).toMatchObject({ locked: true, failedAttempts: 3 });

      // After the wait the right passphrase unlocks; the socket's calls then work.
      await new Promise((r) => setTimeout(r, wait + 50));
      const unlocked = await call('appLock.unlock', { passphrase: PASSPHRASE });
      expect(unlocked.ok, JSON.stringify(unlocked.error)).toBe(true);
      expect(unlocked.result).toMatchObject({ enabled: true, locked: false, failedAttempts: 0 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      const listed = await call('collections.list');
      expect(listed.ok).toBe(true);
      expect((listed.result as unknown as { name: string }[]).map((c) => c.name)).toEqual(['Visa']);

      // Locking again over the socket gates the calls again.
      expect((await call('appLock.lock')).result).toMatchObject({ locked: true });
      expect(code(await call('collections.list'))).toBe('locked');
      ws.close();
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(fs.existsSync(dataDir)).toBe(true);
  });
});
