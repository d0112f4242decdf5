// The attach endpoint in one process: a real engine behind startAttachServer, the CLI's client
// (attachToEngine, withClient) in front. The spawned CLI against `pustaka serve` is in
// attach-cli.test.ts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ATTACH_FILE,
  MAX_REQUEST_BYTES,
  SOCKET_FILE,
  attachFilePath,
  createFrameReader,
  createNonce,
  frame,
  handshakeProof,
  privateSocketDir,
  type AttachInfo,
} from '../core/api/attach-endpoint.ts';
import { APP_INFO } from '../core/base/app-info.ts';
import { processStartTicks } from '../core/base/data-dir-lock/process-alive.ts';
import { attachToEngine, type AttachedEngine } from '../core/cli/attach-client.ts';
import { localizePaths } from '../core/cli/local-paths.ts';
import { withClient } from '../core/cli/session.ts';
import { ApiCallError, createApiClient, type ApiClient } from '../core/contract/client.ts';
import type { ImportEvent } from '../core/contract/methods/imports.ts';
import { startAttachServer } from '../core/server/attach-server.ts';
import { RUNNING_AS_ROOT, NOBODY } from './support/cli.ts';
import { openTestEngine } from './support/engine.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { fakeEngine as startFakeEngine } from './support/fake-engine.ts';
import { tempDir } from './support/temp-dir.ts';

const POSIX = process.platform !== 'win32';
const never = new AbortController().signal;
const startTicks = processStartTicks(process.pid);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function holder(dataDir?: string) {
  const te = await openTestEngine(dataDir);
  const server = await startAttachServer({ dataDir: te.dataDir, dispatcher: te.dispatcher });
  cleanups.push(() => server.close());
  return { ...te, server };
}

async function attach(dataDir: string, signal = never): Promise<AttachedEngine & { api: ApiClient }> {
  const attached = await attachToEngine(dataDir, signal);
  if (!attached) throw new Error('expected to attach');
  cleanups.push(() => attached.close());
  return { ...attached, api: createApiClient(attached.transport) };
}

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

/** A stand-in engine on a socket (test/support/fake-engine.ts), closed after each test. */
const fakeEngine = (socket: string, answer?: Parameters<typeof startFakeEngine>[2]) =>
  startFakeEngine(socket, cleanups, answer);

/** Answers as an engine that knows `token` does, then hands each request to `onRequest`. */
function proving(token: string, onRequest: (conn: net.Socket, message: Record<string, unknown>) => void) {
  let nonces = { client: '', engine: '' };
  return (conn: net.Socket, m: Record<string, unknown>) => {
    if (m.type === 'hello') {
      nonces = { client: String(m.nonce), engine: createNonce() };
      const proof = handshakeProof(token, 'server', nonces.client, nonces.engine);
      conn.write(
        frame({
          type: 'challenge',
          pid: process.pid,
          version: APP_INFO.version,
          nonce: nonces.engine,
          proof,
        }),
      );
    } else if (m.type === 'proof') conn.write(frame({ type: 'welcome' }));
    else onRequest(conn, m);
  };
}

function writeInfo(dataDir: string, info: AttachInfo): string {
  const file = attachFilePath(dataDir);
  fs.writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  return file;
}

/** A PID no process has any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

/** A socket file whose process was killed: nobody listens, nobody removed it. */
async function leaveDeadSocket(socket: string): Promise<void> {
  const script = `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`;
  const child = spawn(process.execPath, ['-e', script]);
  await new Promise((resolve) => child.on('close', resolve));
  expect(fs.lstatSync(socket).isSocket()).toBe(true);
}

describe('attach endpoint: the holder', () => {
  it('listens on <data>/engine.sock and writes engine-attach.json, both 0600; close removes both', async () => {
    const { dataDir, server } = await holder();
    expect(server.socket).toBe(path.join(dataDir, SOCKET_FILE));
    expect(server.file).toBe(path.join(dataDir, ATTACH_FILE));
    const info = JSON.parse(fs.readFileSync(server.file, 'utf8')) as AttachInfo;
    expect(info).toEqual({
      pid: process.pid,
      startTicks,
      socket: server.socket,
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      version: APP_INFO.version,
    });
    if (POSIX) {
      expect(modeOf(server.file)).toBe(0o600);
      expect(modeOf(server.socket!)).toBe(0o600);
    }
    await server.close();
    expect(fs.existsSync(server.file)).toBe(false);
    expect(fs.existsSync(server.socket!)).toBe(false);
  });

  it.skipIf(!POSIX)(
    'removes a socket a dead holder left, and leaves alone what is not a socket',
    async () => {
      const te = await openTestEngine();
      const socket = path.join(te.dataDir, SOCKET_FILE);
      await leaveDeadSocket(socket);
      const server = await startAttachServer({ dataDir: te.dataDir, dispatcher: te.dispatcher });
      cleanups.push(() => server.close());
      expect(server.socket).toBe(socket);
      expect((await (await attach(te.dataDir)).api.call('collections.list', {})).length).toBe(0);
      await server.close();

      // A file of the user's own at that path is not ours to remove: listen in the private folder.
      fs.writeFileSync(socket, 'notes');
      const again = await startAttachServer({ dataDir: te.dataDir, dispatcher: te.dispatcher });
      cleanups.push(() => again.close());
      expect(again.socket!.startsWith(privateSocketDir())).toBe(true);
      expect(fs.readFileSync(socket, 'utf8')).toBe('notes');
      expect((await attach(te.dataDir)).pid).toBe(process.pid);
    },
  );

  it.skipIf(!POSIX)('puts the socket of a deep data folder in a private per-user folder', async () => {
    const deep = path.join(tempDir(), 'a-folder-name-long-enough-'.repeat(4), 'data');
    expect(Buffer.byteLength(path.join(deep, SOCKET_FILE))).toBeGreaterThan(100);
    const { server } = await holder(deep);
    const dir = path.dirname(server.socket!);
    expect(dir).toBe(privateSocketDir());
    expect(fs.statSync(dir).mode & 0o077).toBe(0);
    expect(path.basename(server.socket!)).toMatch(/^pustaka-engine-[0-9a-f]{24}\.sock$/);
    expect((await attach(deep)).pid).toBe(process.pid);
    await server.close();
    expect(fs.existsSync(server.socket!)).toBe(false);
  });

  it.skipIf(!POSIX)(
    'refuses a socket folder that others may enter, and says so in place of the endpoint',
    async () => {
      const te = await openTestEngine();
      const shared = path.join(tempDir(), 'shared');
      fs.mkdirSync(shared, { mode: 0o755 });
      fs.chmodSync(shared, 0o755);
      const server = await startAttachServer({
        dataDir: te.dataDir,
        dispatcher: te.dispatcher,
        candidates: [path.join(shared, 'x.sock')],
      });
      cleanups.push(() => server.close());
      expect(server.socket).toBeNull();
      expect(server.unavailable).toMatch(/socket folder .*shared: its permissions \(755\)/);
      const note = fs.readFileSync(attachFilePath(te.dataDir), 'utf8');
      expect(JSON.parse(note)).toEqual({
        pid: process.pid,
        startTicks,
        version: APP_INFO.version,
        unavailable: server.unavailable,
      });
      expect(await attachToEngine(te.dataDir, never)).toBeNull();
    },
  );

  it('frames: a bad hello or proof is refused, an oversized line ends the connection', async () => {
    const { server } = await holder();
    const info = JSON.parse(fs.readFileSync(server.file, 'utf8')) as AttachInfo;
    /** Sends `lines` (split mid-line: framing must not depend on how bytes arrive), answering the
     * engine's challenge with `proof` when one comes. */
    const talk = (lines: string[], proof?: (nonceC: string, nonceS: string) => string, more: string[] = []) =>
      new Promise<{ replies: Record<string, unknown>[]; closed: boolean }>((resolve) => {
        const replies: Record<string, unknown>[] = [];
        const conn = net.connect(server.socket!);
        const reader = createFrameReader(
          1 << 20,
          (t) => {
            const reply = JSON.parse(t) as Record<string, unknown>;
            replies.push(reply);
            if (reply.type === 'challenge' && proof) {
              const nonceC = (JSON.parse(lines[0]!) as { nonce: string }).nonce;
              conn.write(frame({ type: 'proof', proof: proof(nonceC, reply.nonce as string) }));
            }
            if (reply.type === 'welcome') conn.write(more.join(''));
          },
          () => undefined,
        );
        conn.on('data', (d: Buffer) => reader.push(d));
        conn.on('error', () => undefined);
        conn.on('close', () => resolve({ replies, closed: true }));
        const all = lines.join('');
        conn.write(all.slice(0, 7));
        setImmediate(() => conn.write(all.slice(7)));
      });
    const hello = (version = APP_INFO.version) => frame({ type: 'hello', version, nonce: createNonce() });

    const guessed = await talk([hello()], () => handshakeProof('guess', 'client', 'a', 'b'));
    expect(guessed.replies[0]).toMatchObject({ type: 'challenge', pid: process.pid });
    expect(guessed.replies[1]).toEqual({
      type: 'refused',
      reason: 'token',
      message: 'the proof does not match this engine\u2019s token',
    });
    expect((await talk([hello('0.0.0-old')])).replies[0]).toMatchObject({
      type: 'refused',
      reason: 'version',
    });
    // The old hello, with a token in it: refused, and the engine says nothing of its own token.
    expect(
      (await talk([frame({ type: 'hello', token: info.token, version: APP_INFO.version })])).replies,
    ).toEqual([
      { type: 'refused', reason: 'malformed', message: 'expected a hello with a version and a nonce' },
    ]);
    expect((await talk([`${'x'.repeat(5000)}\n`])).replies).toEqual([]);

    const huge = frame({
      type: 'request',
      id: 2,
      method: 'search',
      params: { query: 'x'.repeat(MAX_REQUEST_BYTES) },
    });
    const { replies, closed } = await talk([hello()], (c, e) => handshakeProof(info.token, 'client', e, c), [
      'not json\n',
      huge,
    ]);
    expect(closed).toBe(true);
    expect(replies[1]).toEqual({ type: 'welcome' });
    expect(replies.slice(2)).toEqual(
      expect.arrayContaining([
        {
          type: 'response',
          id: -1,
          ok: false,
          error: { code: 'invalid_params', message: 'malformed message: not valid JSON' },
        },
        {
          type: 'response',
          id: -1,
          ok: false,
          error: {
            code: 'invalid_params',
            message: `message too large: at most ${MAX_REQUEST_BYTES} bytes a line`,
          },
        },
      ]),
    );
  });
});

describe('attach endpoint: the client', () => {
  it('gets the answers and events the engine gives in-process', async () => {
    const { dataDir, client: local } = await holder();
    const { api, pid } = await attach(dataDir);
    expect(pid).toBe(process.pid);
    const docs = tempDir();
    writeFile(docs, 'visa.md', VISA_GUIDE_MD);
    const events: ImportEvent[] = [];
    const summary = await api.call(
      'import.run',
      { collection: 'Visa', paths: [docs], create: true },
      { onEvent: (e) => events.push(e) },
    );
    expect(summary).toMatchObject({ status: 'done', imported: 1 });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['scanned', 'file', 'progress']));
    const query = { query: 'permanent stay permit', collections: ['Visa'] };
    const [attached, inProcess] = [await api.call('search', query), await local.call('search', query)];
    expect(attached.items).toEqual(inProcess.items);
    expect(attached.items.length).toBeGreaterThan(0);
    expect(await api.call('documents.list', { collection: 'Visa' })).toEqual(
      await local.call('documents.list', { collection: 'Visa' }),
    );
    const [attachedStatus, localStatus] = [await api.call('status', {}), await local.call('status', {})];
    expect(attachedStatus.counts).toEqual(localStatus.counts);
    expect(attachedStatus.dataDir).toBe(localStatus.dataDir);
  });

  it('Ctrl-C: an aborted call is cancelled in the engine, which serves the next one', async () => {
    const { dataDir, server } = await holder();
    const docs = tempDir();
    writeFile(docs, 'visa.md', VISA_GUIDE_MD);
    const { api } = await attach(dataDir);
    const ctrlC = new AbortController();
    // Watching never ends by itself: only the cancel reaching the engine ends this call.
    const watched = api.call(
      'import.watch',
      { collection: 'Visa', paths: [docs], create: true },
      { signal: ctrlC.signal, onEvent: (e) => e.type === 'watching' && ctrlC.abort() },
    );
    expect(await watched).toMatchObject({ passes: 1, last: { imported: 1 } });
    expect(server.inFlight()).toBe(0);
    expect(await api.call('collections.list', {})).toMatchObject([{ name: 'Visa' }]);

    // An import cancelled halfway answers as in-process: a cancelled summary.
    for (let i = 0; i < 200; i++) writeFile(docs, `more/${i}.md`, `# Note ${i}\n\n${VISA_GUIDE_MD}`);
    const stop = new AbortController();
    const summary = await api.call(
      'import.run',
      { collection: 'Visa', paths: [docs] },
      { signal: stop.signal, onEvent: (e) => e.type === 'file' && stop.abort() },
    );
    expect(summary.status).toBe('cancelled');
    expect(summary.imported).toBeLessThan(200);
  });

  it('withClient attaches while a holder listens, and opens the engine itself when none does', async () => {
    const { dataDir, server } = await holder();
    // The holder has the folder's lock: opening it here would be refused.
    const [status, link] = await withClient(
      { dataDir },
      never,
      async (c, l) => [await c.call('status', {}), l] as const,
    );
    expect(status.dataDir).toBe(dataDir);
    expect(link).toEqual({ attached: true, pid: process.pid });
    await server.close();

    const alone = tempDir();
    const [own, ownLink] = await withClient(
      { dataDir: alone },
      never,
      async (c, l) => [await c.call('status', {}), l] as const,
    );
    expect(own.dataDir).toBe(alone);
    expect(ownLink).toEqual({ attached: false, pid: process.pid });
    expect(fs.existsSync(attachFilePath(alone))).toBe(false);
  });

  it('a locked engine runs the command with the passphrase, and stays locked (attach-lock.test.ts)', async () => {
    const { dataDir, client: local } = await holder();
    const passphrase = 'Sambal-Matah 9 malam!';
    await local.call('appLock.enable', { passphrase });
    await local.call('appLock.lock', {});
    const saved = process.env.PUSTAKA_PASSPHRASE;
    process.env.PUSTAKA_PASSPHRASE = passphrase;
    try {
      const list = await withClient({ dataDir }, never, (c) => c.call('collections.list', {}));
      expect(list).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.PUSTAKA_PASSPHRASE;
      else process.env.PUSTAKA_PASSPHRASE = saved;
    }
    expect(await local.call('appLock.status', {})).toMatchObject({ enabled: true, locked: true });
  });

  it('says so when the engine goes away in the middle of a call', async () => {
    const dataDir = tempDir();
    const socket = path.join(dataDir, SOCKET_FILE);
    await fakeEngine(
      socket,
      proving('t', (conn) => conn.destroy()),
    ); // dies with the call running
    writeInfo(dataDir, { pid: process.pid, startTicks, socket, token: 't', version: APP_INFO.version });
    const { api } = await attach(dataDir);
    const err = await api.call('status', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).message).toBe(
      `the running Pustaka engine (pid ${process.pid}) went away before answering; run the command again`,
    );
    expect((err as ApiCallError).details).toEqual({ disconnected: true });
  });

  it('a stale attach file (its process gone, or nobody on its socket) means no engine', async () => {
    const dataDir = tempDir();
    const socket = path.join(dataDir, SOCKET_FILE);
    writeInfo(dataDir, {
      pid: await deadPid(),
      startTicks: null,
      socket,
      token: 't',
      version: APP_INFO.version,
    });
    expect(await attachToEngine(dataDir, never)).toBeNull();
    writeInfo(dataDir, { pid: process.pid, startTicks, socket, token: 't', version: APP_INFO.version });
    expect(await attachToEngine(dataDir, never)).toBeNull(); // no socket at all
    if (POSIX) {
      await leaveDeadSocket(socket);
      expect(await attachToEngine(dataDir, never)).toBeNull(); // ECONNREFUSED
    }
    fs.writeFileSync(attachFilePath(dataDir), '{"pid":', { mode: 0o600 });
    expect(await attachToEngine(dataDir, never)).toBeNull();
  });

  it('names both versions when the running engine is another version, before sending the token', async () => {
    const dataDir = tempDir();
    const socket = path.join(dataDir, SOCKET_FILE);
    const seen = await fakeEngine(socket, () => undefined);
    writeInfo(dataDir, { pid: process.pid, startTicks, socket, token: 'secret', version: '0.0.9' });
    await expect(attachToEngine(dataDir, never)).rejects.toThrow(
      `is version 0.0.9, this CLI is version ${APP_INFO.version}`,
    );
    expect(seen.bytes).toBe(0);
  });

  it('a wrong token: a clear error, and the engine serves the right one', async () => {
    const { dataDir, server } = await holder();
    const info = JSON.parse(fs.readFileSync(server.file, 'utf8')) as AttachInfo;
    writeInfo(dataDir, { ...info, token: 'not-the-token' });
    const err = await attachToEngine(dataDir, never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'data_dir_unusable' });
    // The engine's proof does not match the token in the file: the CLI stops there.
    expect((err as Error).message).toContain(
      `could not prove it is the Pustaka engine that wrote ${server.file} (pid ${process.pid}); nothing was sent to it`,
    );
    writeInfo(dataDir, info);
    expect(await (await attach(dataDir)).api.call('collections.list', {})).toEqual([]);
  });
});

describe('attach endpoint: files that are not the user\u2019s own', () => {
  /** A fake engine that refuses every token: reaching it at all shows in `connections`. */
  async function setUp() {
    const dataDir = tempDir();
    const socket = path.join(dataDir, SOCKET_FILE);
    const seen = await fakeEngine(socket, (conn) =>
      conn.end(frame({ type: 'refused', reason: 'token', message: 'no' })),
    );
    const file = writeInfo(dataDir, {
      pid: process.pid,
      startTicks,
      socket,
      token: 'secret',
      version: APP_INFO.version,
    });
    // The control: as things are, the client reaches the engine (and is refused the token).
    await expect(attachToEngine(dataDir, never)).rejects.toThrow(/does not match the running Pustaka engine/);
    expect(seen.connections).toBe(1);
    return { dataDir, socket, file, seen };
  }

  it.skipIf(!POSIX)('refuses an attach file others may read, without connecting', async () => {
    const { dataDir, file, seen } = await setUp();
    fs.chmodSync(file, 0o644);
    const err = await attachToEngine(dataDir, never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'data_dir_unusable' });
    expect((err as Error).message).toContain(
      `refusing to use the attach file ${file}: its permissions (644) let other users read it`,
    );
    expect(seen.connections).toBe(1);
  });

  it.skipIf(!POSIX)('refuses an attach file that is a link, without connecting', async () => {
    const { dataDir, file, seen } = await setUp();
    const elsewhere = path.join(tempDir(), 'attach.json');
    fs.renameSync(file, elsewhere);
    fs.symlinkSync(elsewhere, file);
    await expect(attachToEngine(dataDir, never)).rejects.toThrow(
      `refusing to use the attach file ${file}: it is a link, not a file`,
    );
    expect(seen.connections).toBe(1);
  });

  // Another user's files can only be made by root (CI runs as root); as anyone else, the two
  // tests above cover the checks that run before connecting.
  it.skipIf(!POSIX || !RUNNING_AS_ROOT)(
    'refuses another user\u2019s attach file or socket, without connecting (root: chown to nobody)',
    async () => {
      const { dataDir, socket, file, seen } = await setUp();
      fs.chownSync(file, NOBODY, NOBODY);
      await expect(attachToEngine(dataDir, never)).rejects.toThrow(
        `refusing to use the attach file ${file}: it belongs to user ${NOBODY}, not to you (user 0)`,
      );
      fs.chownSync(file, 0, 0);
      fs.chownSync(socket, NOBODY, NOBODY);
      await expect(attachToEngine(dataDir, never)).rejects.toThrow(
        `refusing to use the attach socket ${socket}: it belongs to user ${NOBODY}, not to you (user 0)`,
      );
      expect(seen.connections).toBe(1);
      expect(seen.messages).toHaveLength(1); // the control's hello only
    },
  );
});

describe('local paths of an attached call', () => {
  it.skipIf(!POSIX)('are made absolute against the CLI\u2019s folder, as the engine would in-process', () => {
    const cwd = '/home/ayu/work';
    const data = '/data';
    expect(
      localizePaths('import.run', { collection: 'x', paths: ['docs', '/abs', './a b'] }, data, cwd),
    ).toEqual({
      collection: 'x',
      paths: ['/home/ayu/work/docs', '/abs', '/home/ayu/work/a b'],
    });
    expect(localizePaths('collections.export', { collection: 1, out: ' out.tar ' }, data, cwd)).toEqual({
      collection: 1,
      out: '/home/ayu/work/out.tar',
    });
    expect(localizePaths('sessions.export', {}, data, cwd)).toEqual({});
    expect(localizePaths('collections.setEmbedder', { collection: 1, model: 'builtin' }, data, cwd)).toEqual({
      collection: 1,
      model: 'builtin',
    });
    expect(localizePaths('models.inspect', { model: 'qwen' }, data, cwd)).toEqual({ model: 'qwen' });
    expect(localizePaths('models.inspect', { model: 'm/x.gguf' }, data, cwd)).toEqual({
      model: '/home/ayu/work/m/x.gguf',
    });
    expect(localizePaths('backup.verify', { backup: 3 }, data, cwd)).toEqual({ backup: 3 });
    expect(localizePaths('backup.verify', { backup: 'b.tar' }, data, cwd)).toEqual({
      backup: '/home/ayu/work/b.tar',
    });
    expect(localizePaths('search', { query: 'docs' }, data, cwd)).toEqual({ query: 'docs' });
  });
});
