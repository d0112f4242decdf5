// The attach endpoint under pressure: impostors, swapped files, file systems without permissions,
// shutdown with calls running, oversized requests, a holder still starting, connection floods,
// and file arguments that must mean the CLI's folder. The plain round trips are in attach.test.ts.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ATTACH_FILE,
  MAX_REQUEST_BYTES,
  SOCKET_FILE,
  attachFilePath,
  createFrameReader,
  createNonce,
  frame,
  handshakeProof,
  type AttachInfo,
} from '../core/api/attach-endpoint.ts';
import { createDispatcher, type Dispatcher } from '../core/api/dispatcher.ts';
import { APP_INFO } from '../core/base/app-info.ts';
import { processStartTicks } from '../core/base/data-dir-lock/process-alive.ts';
import { attachToEngine } from '../core/cli/attach-client.ts';
import { localizePaths } from '../core/cli/local-paths.ts';
import { withClient } from '../core/cli/session.ts';
import { ApiCallError, createApiClient } from '../core/contract/client.ts';
import { createMessageTransport } from '../core/contract/message-transport.ts';
import { contracts } from '../core/contract/methods/index.ts';
import type { ServerMessage } from '../core/contract/protocol.ts';
import { startAttachServer, MAX_HANDSHAKES } from '../core/server/attach-server.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { openTestEngine } from './support/engine.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { fakeEngine as startFakeEngine } from './support/fake-engine.ts';
import { tempDir } from './support/temp-dir.ts';

const POSIX = process.platform !== 'win32';
const LINUX = process.platform === 'linux';
const never = new AbortController().signal;
const ME = { pid: process.pid, startTicks: processStartTicks(process.pid), version: APP_INFO.version };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function holder(dataDir?: string) {
  const te = await openTestEngine(dataDir);
  const server = await startAttachServer({ dataDir: te.dataDir, dispatcher: te.dispatcher });
  cleanups.push(() => server.close());
  return { ...te, server };
}

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
};

/** A stand-in engine on a socket (test/support/fake-engine.ts), closed after each test. */
const fakeEngine = (socket: string, answer?: Parameters<typeof startFakeEngine>[2]) =>
  startFakeEngine(socket, cleanups, answer);

function writeInfo(dataDir: string, info: AttachInfo): string {
  const file = attachFilePath(dataDir);
  fs.writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  return file;
}

/** Reads replies on a raw connection to the endpoint. */
function rawConnection(socket: string, opts: { allowHalfOpen?: boolean } = {}) {
  const conn = net.connect({ path: socket, allowHalfOpen: opts.allowHalfOpen ?? false });
  const replies: Record<string, unknown>[] = [];
  const state = { closed: false, ended: false };
  const reader = createFrameReader(
    1 << 20,
    (t) => replies.push(JSON.parse(t) as Record<string, unknown>),
    () => undefined,
  );
  conn.on('data', (d: Buffer) => reader.push(d));
  conn.on('error', () => undefined);
  conn.on('end', () => (state.ended = true));
  conn.on('close', () => (state.closed = true));
  cleanups.push(() => void conn.destroy());
  return { conn, replies, state };
}

describe('mutual authentication: the token never travels', () => {
  const token = `the-real-token-${'k'.repeat(28)}`;

  it('an impostor on the socket learns nothing, and the CLI refuses it before sending more', async () => {
    const dataDir = tempDir();
    const socket = path.join(dataDir, SOCKET_FILE);
    // It answers what it can: a welcome without any proof.
    const seen = await fakeEngine(socket, (conn, m) => {
      if (m.type === 'hello')
        conn.write(frame({ type: 'welcome', pid: process.pid, version: APP_INFO.version }));
    });
    const file = writeInfo(dataDir, { ...ME, socket, token });
    const err = await attachToEngine(dataDir, never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'data_dir_unusable' });
    expect((err as Error).message).toBe(
      `the program listening on ${socket} could not prove it is the Pustaka engine that wrote ${file} (pid ${process.pid}); nothing was sent to it. ` +
        'If Pustaka is running, quit it and start it again; if not, remove that file',
    );
    expect(seen.text).not.toContain(token);
    expect(seen.messages).toHaveLength(1);
  });

  it('an impostor that makes up a proof is refused the same way', async () => {
    const dataDir = tempDir();
    const socket = path.join(dataDir, SOCKET_FILE);
    const seen = await fakeEngine(socket, (conn, m) => {
      if (m.type !== 'hello') return;
      const nonce = createNonce();
      const proof = handshakeProof('a guessed token', 'server', String(m.nonce), nonce);
      conn.write(frame({ type: 'challenge', pid: process.pid, version: APP_INFO.version, nonce, proof }));
    });
    writeInfo(dataDir, { ...ME, socket, token });
    await expect(attachToEngine(dataDir, never)).rejects.toThrow(/could not prove it is the Pustaka engine/);
    expect(seen.text).not.toContain(token);
    expect(seen.messages).toHaveLength(1);
  });

  it('the engine proves it knows the token first, then refuses a client that cannot', async () => {
    const { server } = await holder();
    const info = JSON.parse(fs.readFileSync(server.file, 'utf8')) as AttachInfo;
    expect(info.startTicks).toBe(processStartTicks(process.pid));

    const handshake = async (proofFor: (nonceC: string, nonceS: string) => string) => {
      const raw = rawConnection(server.socket!);
      const nonceC = createNonce();
      raw.conn.write(frame({ type: 'hello', version: APP_INFO.version, nonce: nonceC }));
      await until(() => raw.replies.length > 0 || raw.state.closed);
      const challenge = raw.replies[0] as { type: string; nonce: string; proof: string };
      expect(challenge).toMatchObject({ type: 'challenge', pid: process.pid, version: APP_INFO.version });
      expect(challenge.proof).toBe(handshakeProof(info.token, 'server', nonceC, challenge.nonce));
      raw.conn.write(frame({ type: 'proof', proof: proofFor(nonceC, challenge.nonce) }));
      await until(() => raw.replies.length > 1 || raw.state.closed);
      return raw.replies[1];
    };
    expect(await handshake(() => handshakeProof('a guess', 'client', 'x', 'y'))).toEqual({
      type: 'refused',
      reason: 'token',
      message: 'the proof does not match this engine\u2019s token',
    });
    // The server's proof replayed as the client's is refused too: the two are labelled apart.
    expect(await handshake((c, s) => handshakeProof(info.token, 'server', c, s))).toMatchObject({
      type: 'refused',
    });
    expect(await handshake((c, s) => handshakeProof(info.token, 'client', s, c))).toEqual({
      type: 'welcome',
    });
  });

  it.skipIf(!LINUX)('a reused PID is not taken for the holder: its start time differs', async () => {
    const dataDir = tempDir();
    const socket = path.join(dataDir, SOCKET_FILE);
    const seen = await fakeEngine(socket);
    writeInfo(dataDir, { ...ME, startTicks: '1', socket, token });
    expect(await attachToEngine(dataDir, never)).toBeNull();
    expect(seen.connections).toBe(0);
  });
});

describe('the attach file and its socket are checked where they are read', () => {
  it.skipIf(!POSIX)(
    'a link swapped in after the checks is not followed: what was checked is read',
    async () => {
      const dataDir = tempDir();
      const socket = path.join(dataDir, SOCKET_FILE);
      const ours = await fakeEngine(socket);
      const file = writeInfo(dataDir, { ...ME, socket, token: 't' });
      // Someone else's endpoint, and an attach file naming it.
      const elsewhere = tempDir();
      const theirs = await fakeEngine(path.join(elsewhere, 'x.sock'));
      const theirFile = path.join(elsewhere, 'attach.json');
      fs.writeFileSync(
        theirFile,
        JSON.stringify({ ...ME, socket: path.join(elsewhere, 'x.sock'), token: 't' }),
        {
          mode: 0o600,
        },
      );
      // The swap happens right after the client looks at the file (whichever way it looks).
      const ino = fs.statSync(file).ino;
      let swapped = false;
      const swapAfter = (st: fs.Stats) => {
        if (!swapped && st.ino === ino) {
          swapped = true;
          fs.renameSync(file, `${file}.moved`);
          fs.symlinkSync(theirFile, file);
        }
        return st;
      };
      const [lstat, fstat] = [fs.lstatSync.bind(fs), fs.fstatSync.bind(fs)];
      vi.spyOn(fs, 'lstatSync').mockImplementation(((...a: Parameters<typeof fs.lstatSync>) => {
        const st = lstat(...a);
        return st ? swapAfter(st) : st;
      }) as typeof fs.lstatSync);
      vi.spyOn(fs, 'fstatSync').mockImplementation(((...a: Parameters<typeof fs.fstatSync>) =>
        swapAfter(fstat(...a) as fs.Stats)) as typeof fs.fstatSync);
      // Both stand-ins refuse every client: what counts is which one was asked.
      await expect(attachToEngine(dataDir, never)).rejects.toThrow(
        /does not match the running Pustaka engine/,
      );
      expect(swapped).toBe(true);
      expect([ours.connections, theirs.connections]).toEqual([1, 0]);
    },
  );

  it.skipIf(!POSIX)(
    'refuses a socket in a folder others may enter, or one others may connect to',
    async () => {
      const dataDir = tempDir();
      const shared = path.join(tempDir(), 'shared');
      fs.mkdirSync(shared, { mode: 0o755 });
      fs.chmodSync(shared, 0o755);
      const inShared = path.join(shared, 'engine.sock');
      const seen = await fakeEngine(inShared);
      writeInfo(dataDir, { ...ME, socket: inShared, token: 't' });
      await expect(attachToEngine(dataDir, never)).rejects.toThrow(
        `refusing to use the attach socket's folder ${shared}: its permissions (755) let other users in; it must be private (0700)`,
      );
      const socket = path.join(dataDir, SOCKET_FILE);
      const open = await fakeEngine(socket);
      fs.chmodSync(socket, 0o666);
      writeInfo(dataDir, { ...ME, socket, token: 't' });
      await expect(attachToEngine(dataDir, never)).rejects.toThrow(
        `refusing to use the attach socket ${socket}: its permissions (666) let other users in; it must be private (0600)`,
      );
      expect([seen.connections, open.connections]).toEqual([0, 0]);
    },
  );
});

/**
 * A file system that keeps no permissions (exFAT, NTFS through FUSE): the attach file and socket
 * show 0777 whatever chmod asked, however they are looked at.
 */
function withoutPermissions(): void {
  const widen = (st: fs.Stats | undefined) => {
    if (st && (st.isFile() || st.isSocket())) st.mode = (st.mode & ~0o777) | 0o777;
    return st;
  };
  const endpoint = (p: unknown) => [ATTACH_FILE, SOCKET_FILE].includes(path.basename(String(p)));
  const [lstat, stat, fstat] = [fs.lstatSync.bind(fs), fs.statSync.bind(fs), fs.fstatSync.bind(fs)];
  vi.spyOn(fs, 'lstatSync').mockImplementation(((...a: Parameters<typeof fs.lstatSync>) =>
    endpoint(a[0]) ? widen(lstat(...a)) : lstat(...a)) as typeof fs.lstatSync);
  vi.spyOn(fs, 'statSync').mockImplementation(((...a: Parameters<typeof fs.statSync>) =>
    endpoint(a[0]) ? widen(stat(...a)) : stat(...a)) as typeof fs.statSync);
  vi.spyOn(fs, 'fstatSync').mockImplementation(((...a: Parameters<typeof fs.fstatSync>) =>
    widen(fstat(...a) as fs.Stats)) as typeof fs.fstatSync);
}

describe('a data folder whose file system keeps no permissions', () => {
  it.skipIf(!POSIX)(
    'the holder gives the endpoint up with one warning; the CLI says why at once',
    async () => {
      const te = await openTestEngine();
      withoutPermissions();
      const server = await startAttachServer({ dataDir: te.dataDir, dispatcher: te.dispatcher });
      cleanups.push(() => server.close());
      expect(server.socket).toBeNull();
      expect(server.unavailable).toBe(
        `the attach file ${attachFilePath(te.dataDir)} cannot be kept private on this folder's file system (its permissions (777) let other users read it; it must be private (0600))`,
      );
      // No token is left on disk, only the reason.
      const left = JSON.parse(fs.readFileSync(attachFilePath(te.dataDir), 'utf8')) as Record<string, unknown>;
      expect(left).toEqual({ ...ME, unavailable: server.unavailable });
      const err = await withClient({ dataDir: te.dataDir }, never, (c) => c.call('status', {})).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'data_dir_in_use' });
      expect((err as Error).message).toBe(
        `data directory ${te.dataDir} is in use by the running Pustaka (pid ${process.pid}), which cannot take CLI commands: ${server.unavailable}. ` +
          'Quit it (or stop `pustaka serve`) to run this command',
      );
      await server.close();
      expect(fs.existsSync(attachFilePath(te.dataDir))).toBe(false);
    },
  );
});

describe('shutdown waits for attached calls', () => {
  it('closing during an attached import cancels it, and returns once the import has ended', async () => {
    const { dataDir, server, client: local } = await holder();
    const docs = tempDir();
    for (let i = 0; i < 200; i++) writeFile(docs, `n/${i}.md`, `# Note ${i}\n\n${VISA_GUIDE_MD}`);
    const attached = await attachToEngine(dataDir, never);
    const api = createApiClient(attached!.transport);
    let closing: Promise<void> | undefined;
    const call = api
      .call(
        'import.run',
        { collection: 'Notes', paths: [docs], create: true },
        { onEvent: (e) => void (e.type === 'file' && (closing ??= server.close())) },
      )
      .catch((e: unknown) => e);
    await until(() => closing !== undefined);
    await closing;
    // The engine may close now: the import has written its end, nothing of it still runs.
    const [job] = await local.call('jobs.list', {});
    expect(job).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
    expect(job!.filesDone).toBeLessThan(200);
    expect(server.inFlight()).toBe(0);
    expect(await call).toMatchObject({ details: { disconnected: true } });
  });

  it('waits for a cancelled call that takes a while to unwind before it returns', async () => {
    const dataDir = tempDir();
    const calls = { started: 0, ended: 0 };
    // A call that only ends when cancelled, and then needs a few more turns to let go.
    const dispatcher: Dispatcher = {
      async call(_method, _params, opts = {}) {
        calls.started++;
        await new Promise((resolve) => opts.signal?.addEventListener('abort', resolve, { once: true }));
        for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
        calls.ended++;
        return { ok: false, error: { code: 'cancelled', message: 'the call was cancelled' } };
      },
    };
    const server = await startAttachServer({ dataDir, dispatcher });
    cleanups.push(() => server.close());
    const attached = await attachToEngine(dataDir, never);
    const api = createApiClient(attached!.transport);
    const call = api.call('search', { query: 'x' }).catch((e: unknown) => e);
    await until(() => calls.started === 1);
    await server.close();
    expect(calls.ended).toBe(1);
    expect(await call).toMatchObject({ details: { disconnected: true } });
  });
});

describe('requests too large for one message', () => {
  it('fail at once with invalid_params and advice, and the connection goes on serving', async () => {
    const { dataDir } = await holder();
    const paths = Array.from(
      { length: 20_000 },
      (_, i) => `/home/ayu/arsip/klien/${'dokumen-'.repeat(8)}${i}.pdf`,
    );
    const [err, after] = await withClient({ dataDir }, never, async (c) => [
      await c.call('import.run', { collection: 'X', paths, create: true }).catch((e: unknown) => e),
      await c.call('collections.list', {}),
    ]);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toMatchObject({ code: 'invalid_params' });
    expect((err as Error).message).toMatch(
      /^too many paths for one call to the running app \(20000 paths, \d\.\d MB; at most 1 MB a call\): pass the folder instead, or fewer paths at a time$/,
    );
    expect(after).toEqual([]);
  });

  it('a protocol error without a call id fails the calls waiting, instead of leaving them hanging', async () => {
    let reply: ((m: ServerMessage) => void) | undefined;
    const { transport } = createMessageTransport({
      send: () => undefined,
      onMessage: (l) => ((reply = l), () => undefined),
    });
    const api = createApiClient(transport);
    const waiting = api.call('status', {}).catch((e: unknown) => e);
    const message = `message too large: at most ${MAX_REQUEST_BYTES} bytes a line`;
    reply!({ type: 'response', id: -1, ok: false, error: { code: 'invalid_params', message } });
    expect(await waiting).toMatchObject({ code: 'invalid_params', message });
  }, 5_000);
});

describe('a holder still starting', () => {
  it('the CLI waits for its endpoint, saying so after a second, then runs in it', async () => {
    const dataDir = tempDir();
    // The lock is taken and says the holder will listen; the endpoint comes later.
    const engine = await openEngine({ dataDir, attachable: true });
    cleanups.push(() => engine.close());
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let settled = false;
    const run = withClient(
      { dataDir },
      never,
      async (c, link) => [await c.call('status', {}), link] as const,
    );
    void run.then(
      () => (settled = true),
      () => (settled = true),
    );
    const notice = `waiting for the running Pustaka (pid ${process.pid}) to finish starting…\n`;
    await until(() => lines.includes(notice) || settled);
    expect(settled).toBe(false);
    const server = await startAttachServer({ dataDir, dispatcher: createDispatcher(engine) });
    cleanups.push(() => server.close());
    const [status, link] = await run;
    expect(link).toEqual({ attached: true, pid: process.pid });
    expect(status.dataDir).toBe(dataDir);
    expect(lines.filter((l) => l === notice)).toHaveLength(1);
  });

  it('a holder that listens already but lost its attach file (removed by hand) is not waited for', async () => {
    const dataDir = tempDir();
    const engine = await openEngine({ dataDir, attachable: true });
    cleanups.push(() => engine.close());
    const server = await startAttachServer({ dataDir, dispatcher: createDispatcher(engine) });
    cleanups.push(() => server.close());
    fs.rmSync(server.file);
    const write = vi.spyOn(process.stderr, 'write');
    const err = await withClient({ dataDir }, never, (c) => c.call('status', {})).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'data_dir_in_use' });
    expect(write.mock.calls.join('')).not.toContain('waiting for');
  });

  it('a holder that never listens (another CLI command) is reported at once, without waiting', async () => {
    const te = await openTestEngine();
    const write = vi.spyOn(process.stderr, 'write');
    const err = await withClient({ dataDir: te.dataDir }, never, (c) => c.call('status', {})).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'data_dir_in_use' });
    expect(write.mock.calls.join('')).not.toContain('waiting for');
  });
});

describe('connections that have not proven themselves', () => {
  it('at most 16 at once in the handshake; more are closed at once', async () => {
    const { dataDir, server } = await holder();
    const silent = [];
    for (let i = 0; i < 16; i++) {
      const raw = rawConnection(server.socket!);
      await new Promise((r) => raw.conn.once('connect', r));
      silent.push(raw);
    }
    const extra = rawConnection(server.socket!);
    await until(() => extra.state.closed);
    expect(extra.replies).toEqual([]);
    expect(silent.map((s) => s.state.closed)).toEqual(Array(16).fill(false));
    expect(MAX_HANDSHAKES).toBe(16);
    for (const s of silent) s.conn.destroy();
    // Once they are gone, a real client gets in.
    let attached = null;
    while (!attached) attached = await attachToEngine(dataDir, never);
    cleanups.push(() => attached.close());
    expect(await createApiClient(attached.transport).call('collections.list', {})).toEqual([]);
  });

  it('a refused client is dropped soon after it is told, even if it keeps its end open', async () => {
    const { server } = await holder();
    const raw = rawConnection(server.socket!, { allowHalfOpen: true });
    raw.conn.write('{"type":"hello"}\n');
    await until(() => raw.state.ended);
    expect(raw.replies).toMatchObject([{ type: 'refused', reason: 'malformed' }]);
    // Keep talking: a connection the engine has dropped fails (EPIPE) and closes.
    while (!raw.state.closed) {
      raw.conn.write('x');
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 10_000);
});

describe('local paths of an attached call', () => {
  type Schema = { _zod: { def: Record<string, unknown> & { type: string } } };
  /** Parameter names that name a file or folder on the user's computer. */
  const PATH_LIKE =
    /^(paths?|files?|folders?|dirs?|directory|out|output|model|backup|archive|source|target|dest(ination)?)$|(Path|Paths|File|Dir|Folder)$/;
  /** Path-like names that are not files: each with the reason. */
  const NOT_FILES: Record<string, string> = {
    'models.use.model': 'a registered model (name, id or hash), never a file',
    'models.remove.model': 'a registered model (name, id or hash), never a file',
  };

  const def = (s: unknown) => (s as Schema)._zod.def;
  /** Every parameter (dotted path inside the params) whose value may be a string or strings. */
  function stringParams(schema: unknown, at: string[] = [], out: string[][] = []): string[][] {
    const d = def(schema);
    const inner = ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'];
    if (inner.includes(d.type)) return stringParams(d.innerType, at, out);
    if (d.type === 'pipe') return stringParams(d.in, at, out);
    if (d.type === 'union') for (const o of d.options as unknown[]) stringParams(o, at, out);
    if (d.type === 'array') stringParams(d.element, at, out);
    if (d.type === 'object') {
      for (const [k, v] of Object.entries(d.shape as Record<string, unknown>))
        stringParams(v, [...at, k], out);
    }
    if (d.type === 'string' && !out.some((p) => p.join('.') === at.join('.'))) out.push(at);
    return out;
  }
  const withValue = (at: string[], value: unknown): Record<string, unknown> =>
    at.length === 1 ? { [at[0]!]: value } : { [at[0]!]: withValue(at.slice(1), value) };
  const read = (o: unknown, at: string[]): unknown =>
    at.reduce((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

  it.skipIf(!POSIX)('cover every parameter of every method that names a local file or folder', () => {
    const found: string[] = [];
    const uncovered: string[] = [];
    for (const [method, contract] of Object.entries(contracts)) {
      for (const at of stringParams(contract.params)) {
        if (!PATH_LIKE.test(at[at.length - 1]!)) continue;
        const name = `${method}.${at.join('.')}`;
        found.push(name);
        if (NOT_FILES[name]) continue;
        const isList = /s$/.test(at[at.length - 1]!) && at[at.length - 1] !== 'dirs';
        const value = isList ? ['sub/x.gguf'] : 'sub/x.gguf';
        const out = read(localizePaths(method, withValue(at, value), '/data', '/home/ayu'), at);
        const want = isList ? ['/home/ayu/sub/x.gguf'] : '/home/ayu/sub/x.gguf';
        if (JSON.stringify(out) !== JSON.stringify(want)) uncovered.push(name);
      }
    }
    expect(uncovered, 'add these to core/cli/local-paths.ts').toEqual([]);
    // The walk finds what it should (a walk that found nothing would pass too).
    expect(found).toEqual(
      expect.arrayContaining([
        'import.run.paths',
        'import.watch.paths',
        'models.import.path',
        'models.inspect.model',
        'collections.setEmbedder.model',
        'collections.export.out',
        'collections.importArchive.path',
        'sessions.export.path',
        'backup.verify.backup',
        'backup.restore.backup',
        ...Object.keys(NOT_FILES),
      ]),
    );
  });
});
