import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatcher } from '../core/api/dispatcher.ts';
import type { Envelope } from '../core/contract/envelope.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import type { Status } from '../core/operations/status/status.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

// One engine for the whole file, driven by a fake clock: the steps below build on each other.
const PASSPHRASE = 'Kopi-Luwak 7 pagi!';
const WRONG = 'Kopi-Luwak 8 pagi?';
let now = Date.parse('2026-03-02T08:00:00Z');
const clock = () => now;
let dataDir: string;
let engine: Engine;
let api: Dispatcher;

function fail(env: Envelope<unknown>): { code: string; message: string; details?: Record<string, unknown> } {
  if (env.ok) throw new Error(`expected an error, got ${JSON.stringify(env.result).slice(0, 200)}`);
  return env.error;
}
async function ok<T = Record<string, unknown>>(method: string, params: unknown = {}): Promise<T> {
  const env = await api.call(method, params);
  if (!env.ok) throw new Error(`${method} failed: ${env.error.code} ${env.error.message}`);
  return env.result as T;
}

async function reopen(): Promise<void> {
  await engine.close();
  engine = await openEngine({ dataDir, clock });
  api = createDispatcher(engine);
}

beforeAll(async () => {
  // Not tempDir(): that folder is removed after each test, and this engine lives for the file.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-app-lock-'));
  engine = await openEngine({ dataDir, clock });
  api = createDispatcher(engine);
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('app lock', () => {
  it('is off on a new data dir: everything answers and status says so', async () => {
    expect(await ok('appLock.status')).toMatchObject({ enabled: false, locked: false, idleMinutes: 15 });
    expect((await ok<{ appLock: unknown }>('status')).appLock).toEqual({ enabled: false, locked: false });
    expect(await ok('collections.list')).toEqual([]);
    expect(fail(await api.call('appLock.unlock', { passphrase: PASSPHRASE })).code).toBe('conflict');
    expect(fail(await api.call('appLock.lock', {})).code).toBe('conflict');
  });

  it('refuses weak passphrases without echoing them', async () => {
    for (const passphrase of ['short', ' padded passphrase ', 'tab\tinside it', 'x'.repeat(1025)]) {
      const err = fail(await api.call('appLock.enable', { passphrase }));
      expect(err.code).toBe('invalid_params');
      expect(err.message).not.toContain(passphrase);
    }
  });

  it('enable stores only an scrypt hash and leaves the engine unlocked for whoever set it', async () => {
    const s = await ok('appLock.enable', { passphrase: PASSPHRASE, idleMinutes: 5 });
    expect(s).toMatchObject({ enabled: true, locked: false, idleMinutes: 5, failedAttempts: 0 });
    const [row] = await engine.db.query<{ lock_passphrase_hash: string }>(
      'SELECT lock_passphrase_hash FROM profile',
    );
    expect(row!.lock_passphrase_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row!.lock_passphrase_hash).not.toContain(PASSPHRASE);
    expect(fail(await api.call('appLock.enable', { passphrase: 'another one!' })).code).toBe('conflict');
    await ok('collections.create', { name: 'Visa' });
  });

  it('when locked, only the allow-list answers; status reveals nothing about the data', async () => {
    await ok('appLock.lock');
    for (const [method, params] of [
      ['collections.list', {}],
      ['collections.delete', { collection: 'Visa' }],
      ['search', { query: 'kitas' }],
      ['audit.list', {}],
      ['appLock.setIdleMinutes', { minutes: 0 }],
      ['collections.create', { name: 42 }], // bad params too: nothing is even parsed
    ] as const) {
      const err = fail(await api.call(method, params));
      expect(err.code, method).toBe('locked');
      expect(err.details).toEqual({ reason: 'locked' });
    }
    expect(fail(await api.call('no.such.method', {})).code).toBe('unknown_method');

    const status = await ok<Status>('status');
    expect(status.appLock).toEqual({ enabled: true, locked: true });
    expect(status.dataDir).toBe('');
    expect(Object.values(status.counts)).toEqual(Object.values(status.counts).map(() => 0));
    expect(status.caches).toEqual([]);
    expect(JSON.stringify(status)).not.toContain(dataDir);
    expect(await ok('appLock.status')).toMatchObject({ enabled: true, locked: true });
  });

  it('wrong passphrases back off exponentially, even the right one waits, and success resets', async () => {
    const attempts: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const err = fail(await api.call('appLock.unlock', { passphrase: WRONG }));
      expect(err.code).toBe('locked');
      expect(err.message).not.toContain(WRONG);
      attempts.push(err.details);
      if (i === 2) now += 1_000; // wait out the first block to reach the fourth attempt
    }
    expect(attempts).toEqual([
      { reason: 'wrong_passphrase', failedAttempts: 1, retryAfterMs: 0 },
      { reason: 'wrong_passphrase', failedAttempts: 2, retryAfterMs: 0 },
      { reason: 'wrong_passphrase', failedAttempts: 3, retryAfterMs: 1_000 },
      { reason: 'wrong_passphrase', failedAttempts: 4, retryAfterMs: 2_000 },
    ]);
    // While blocked, the right passphrase is not even checked.
    const blocked = fail(await api.call('appLock.unlock', { passphrase: PASSPHRASE }));
    expect(blocked.details).toMatchObject({ reason: 'blocked', retryAfterMs: 2_000, failedAttempts: 4 });
    expect(blocked.message).toMatch(/try again in 2 s/);
    expect(await ok('appLock.status')).toMatchObject({
      locked: true,
      failedAttempts: 4,
      retryAfterMs: 2_000,
    });

    now += 2_000;
    expect(await ok('appLock.unlock', { passphrase: PASSPHRASE })).toMatchObject({
      locked: false,
      failedAttempts: 0,
      retryAfterMs: 0,
    });
    expect(await ok('collections.list')).toHaveLength(1);
  });

  it('locks itself after the idle minutes without calls; polling status does not count as activity', async () => {
    now += 4 * 60_000;
    await ok('collections.list'); // activity: the 5 minutes start again
    now += 4 * 60_000;
    await ok('status');
    await ok('appLock.status');
    now += 59_000;
    expect(await ok('collections.list')).toHaveLength(1); // 4:59 after the last activity
    now += 5 * 60_000;
    expect((await ok<{ appLock: unknown }>('status')).appLock).toEqual({ enabled: true, locked: true });
    expect(fail(await api.call('collections.list', {})).code).toBe('locked');

    await ok('appLock.unlock', { passphrase: PASSPHRASE });
    await ok('appLock.setIdleMinutes', { minutes: 0 }); // never
    now += 7 * 24 * 3_600_000;
    expect(await ok('collections.list')).toHaveLength(1);
  });

  it('a new engine on the data dir starts locked', async () => {
    await reopen();
    expect(await ok('appLock.status')).toMatchObject({ enabled: true, locked: true, idleMinutes: 0 });
    expect(fail(await api.call('collections.list', {})).code).toBe('locked');
    await ok('appLock.unlock', { passphrase: PASSPHRASE });
    expect(await ok('collections.list')).toHaveLength(1);
  });

  it('never writes the passphrase (or a wrong guess) anywhere: audit trail, query logs, database files', async () => {
    // A realistic session: import, search, ask (extractive, logged in query_logs), delete.
    const docs = tempDir();
    writeFile(docs, 'visa.md', VISA_GUIDE_MD);
    await ok('import.run', { collection: 'Visa', paths: [docs] });
    await ok('search', { query: 'sponsor letter' });
    await ok('ask', { question: 'What does a KITAS sponsor need?' });
    await ok('appLock.lock');
    fail(await api.call('appLock.unlock', { passphrase: WRONG }));
    now += 60 * 60_000;
    await ok('appLock.unlock', { passphrase: PASSPHRASE });

    const trail = await ok<{ action: string }[]>('audit.list', { limit: 100 });
    expect(trail.map((e) => e.action)).toEqual(
      expect.arrayContaining(['lock.enable', 'lock.unlock_failed', 'lock.idle_minutes']),
    );
    const logged = await engine.db.query<{ t: string }>(
      `SELECT (SELECT coalesce(json_agg(a)::text, '') FROM audit_logs a) || (SELECT coalesce(json_agg(q)::text, '') FROM query_logs q) AS t`,
    );
    expect(logged[0]!.t).toContain('KITAS'); // the scan sees the logs …
    for (const secret of [PASSPHRASE, WRONG]) expect(logged[0]!.t).not.toContain(secret); // … but no secret

    await engine.db.exec('CHECKPOINT');
    const hashPrefix = Buffer.from('scrypt$32768$8$1$');
    let sawHash = false;
    for (const file of listFiles(path.join(dataDir))) {
      const bytes = fs.readFileSync(file);
      if (bytes.includes(hashPrefix)) sawHash = true;
      for (const secret of [PASSPHRASE, WRONG]) {
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${secret} in ${file}`).toBe(false);
      }
    }
    expect(sawHash).toBe(true); // the scan reads the files the profile row lives in
  });

  it('disable needs the passphrase, counts wrong ones, and then nothing is gated', async () => {
    const err = fail(await api.call('appLock.disable', { passphrase: WRONG }));
    expect(err.details).toMatchObject({ reason: 'wrong_passphrase', failedAttempts: 1 });
    expect(await ok('appLock.disable', { passphrase: PASSPHRASE })).toMatchObject({
      enabled: false,
      locked: false,
      failedAttempts: 0,
    });
    const [row] = await engine.db.query<{ h: string | null }>(
      'SELECT lock_passphrase_hash AS h FROM profile',
    );
    expect(row!.h).toBeNull();
    await reopen();
    expect(await ok('collections.list')).toHaveLength(1);
    const actions = (await ok<{ action: string; details: object }[]>('audit.list', { action: 'lock' })).map(
      (e) => e.action,
    );
    expect(actions[0]).toBe('lock.disable');
    expect(actions).toContain('lock.enable');
    expect(actions.every((a) => a.startsWith('lock.'))).toBe(true);
  });
});

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}
