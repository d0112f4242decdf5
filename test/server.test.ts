import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { createMessageTransport } from '../core/contract/message-transport.ts';
import type { ServerMessage } from '../core/contract/protocol.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { authorizeUpgrade, isLoopbackAddress } from '../core/server/request-guard.ts';
import { startServer, type RunningServer } from '../core/server/server.ts';
import { createToken, tokensEqual } from '../core/server/token.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';

const INDEX_HTML =
  '<!doctype html><title>Pustaka</title><script type="module" src="/assets/app.js"></script>';

let root: string;
let engine: Engine;
let server: RunningServer;
let token: string;
let origin: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-server-'));
  writeFile(root, 'ui/index.html', INDEX_HTML);
  writeFile(root, 'ui/assets/app.js', 'console.log("app")');
  writeFile(root, 'ui/assets/style.css', 'body{}');
  writeFile(root, 'ui/.env', 'SECRET=1');
  writeFile(root, 'secret.txt', 'outside the UI');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(root, 'ui', 'assets', 'link.txt'));
  engine = await openEngine({ dataDir: path.join(root, 'data') });
  token = createToken();
  server = await startServer({
    dispatcher: createDispatcher(engine),
    token,
    port: 0,
    rendererDir: path.join(root, 'ui'),
  });
  origin = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A raw HTTP request: Node sends the path and headers exactly as given (no normalising). */
function get(
  pathname: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: pathname,
        method: opts.method ?? 'GET',
        headers: { host: `127.0.0.1:${server.port}`, ...opts.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface ConnectOptions {
  protocols?: string[];
  headers?: Record<string, string>;
  origin?: string | null;
  path?: string;
}

/** Opens a WebSocket; resolves with the socket, or with the HTTP status of a refused upgrade. */
function connect(opts: ConnectOptions = {}): Promise<{ ws: WebSocket } | { status: number; body: string }> {
  const protocols = opts.protocols ?? ['pustaka.v1', `pustaka-token.${token}`];
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${opts.path ?? '/api'}`, protocols, {
    headers: opts.headers ?? {},
    ...(opts.origin === null ? {} : { origin: opts.origin ?? origin }),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    ws.once('error', reject);
  });
}

async function open(opts: ConnectOptions = {}): Promise<WebSocket> {
  const r = await connect(opts);
  if (!('ws' in r)) throw new Error(`refused: ${r.status} ${r.body}`);
  return r.ws;
}

/** The renderer's own client over a ws socket. */
function clientFor(ws: WebSocket): ApiClient {
  const { transport } = createMessageTransport({
    send: (m) => ws.send(JSON.stringify(m)),
    onMessage(listener) {
      const l = (data: WebSocket.RawData) => listener(JSON.parse(data.toString()) as ServerMessage);
      ws.on('message', l);
      return () => ws.off('message', l);
    },
    onClose(listener) {
      const l = () => listener('closed');
      ws.on('close', l);
      return () => ws.off('close', l);
    },
  });
  return createApiClient(transport);
}

function nextMessage(ws: WebSocket): Promise<ServerMessage> {
  return new Promise((resolve) =>
    ws.once('message', (d: WebSocket.RawData) => resolve(JSON.parse(d.toString()) as ServerMessage)),
  );
}

describe('pustaka serve: static UI', () => {
  it('serves index.html and assets with their types and the strict CSP', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX_HTML);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.headers['content-security-policy']).toContain('connect-src');
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');

    const js = await get('/assets/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("app")');
    expect((await get('/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get('/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    // Client-side routes fall back to the page; a missing asset is a 404.
    expect((await get('/conversations/3')).body).toBe(INDEX_HTML);
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('never lists folders nor reads outside the UI, dotfiles or through symlinks', async () => {
    // A folder is a client-side route like any other: the page, never a listing.
    expect((await get('/assets/')).body).toBe(INDEX_HTML);
    expect((await get('/assets')).body).toBe(INDEX_HTML);
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/assets/link.txt',
      '/.env',
      '/%2eenv',
      '/index.html%00.js',
    ]) {
      const res = await get(p);
      expect(res.body, p).not.toContain('outside the UI');
      expect(res.body, p).not.toContain('SECRET');
    }
    expect((await get('/assets/link.txt')).status).toBe(404);
    expect((await get('/.env')).status).toBe(404);
  });

  it('refuses other methods and foreign Host headers (DNS rebinding)', async () => {
    expect((await get('/', { method: 'POST' })).status).toBe(405);
    const rebound = await get('/', { headers: { host: `evil.example:${server.port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('Pustaka');
    expect((await get('/', { headers: { host: 'localhost:1' } })).status).toBe(403);
    expect((await get('/', { headers: { host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('says how to build the UI when it is missing, and the API still answers', async () => {
    const bare = await startServer({
      dispatcher: createDispatcher(engine),
      token,
      port: 0,
      rendererDir: path.join(root, 'no-ui'),
    });
    try {
      const res = await new Promise<{ status: number; body: string }>((resolve) =>
        http.get(`http://127.0.0.1:${bare.port}/`, (r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve({ status: r.statusCode!, body }));
        }),
      );
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build:renderer');
      const ws = new WebSocket(`ws://127.0.0.1:${bare.port}/api`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await new Promise((r) => ws.once('open', r));
      const status = await clientFor(ws).call('status', {});
      expect(status.dataDir).toBe(engine.paths.root);
      ws.close();
    } finally {
      await bare.close();
    }
  });
});

describe('pustaka serve: WebSocket access', () => {
  it('refuses upgrades without the right token, Origin, Host or path', async () => {
    const refused = async (opts: ConnectOptions) => {
      const r = await connect(opts);
      if ('ws' in r) {
        r.ws.close();
        return 101;
      }
      return r.status;
    };
    expect(await refused({ protocols: ['pustaka.v1'] })).toBe(401);
    expect(await refused({ protocols: ['pustaka.v1', `pustaka-token.${createToken()}`] })).toBe(401);
    expect(await refused({ protocols: ['pustaka.v1', `pustaka-token.${token}x`] })).toBe(401);
    expect(await refused({ origin: 'http://evil.example' })).toBe(403);
    expect(await refused({ origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await refused({ origin: 'null' })).toBe(403);
    // A token in the subprotocol proves nothing without the page's Origin.
    expect(await refused({ origin: null })).toBe(403);
    expect(await refused({ origin: null, headers: { authorization: 'Bearer wrong' }, protocols: [] })).toBe(
      401,
    );
    expect(await refused({ headers: { host: `evil.example:${server.port}` } })).toBe(403);
    expect(await refused({ path: '/other' })).toBe(404);
    expect(await refused({ protocols: ['other', `pustaka-token.${token}`] })).toBe(400);
  });

  it('refuses a non-loopback peer before anything else', () => {
    const headers = { host: `127.0.0.1:${server.port}`, origin, authorization: `Bearer ${token}` };
    expect(authorizeUpgrade({ remoteAddress: '127.0.0.1', headers }, server.port, token)).toBeNull();
    expect(authorizeUpgrade({ remoteAddress: '192.168.1.20', headers }, server.port, token)).toMatchObject({
      status: 403,
    });
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('127.0.0.1.evil')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual(token.slice(1), token)).toBe(false);
  });

  it('accepts the browser form (Origin + token subprotocol) and echoes pustaka.v1', async () => {
    const ws = await open();
    expect(ws.protocol).toBe('pustaka.v1');
    const viaLocalhost = await open({
      origin: `http://localhost:${server.port}`,
      headers: { host: `localhost:${server.port}` },
    });
    const status = await clientFor(viaLocalhost).call('status', {});
    expect(status.counts.collections).toBe(0);
    ws.close();
    viaLocalhost.close();
  });

  it('answers malformed JSON, binary frames and bad shapes with protocol errors and keeps serving', async () => {
    const ws = await open({ origin: null, headers: { authorization: `Bearer ${token}` }, protocols: [] });
    ws.send('{not json');
    expect(await nextMessage(ws)).toMatchObject({
      type: 'response',
      id: -1,
      ok: false,
      error: { code: 'invalid_params', message: expect.stringContaining('JSON') },
    });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await nextMessage(ws)).toMatchObject({ id: -1, ok: false });
    ws.send(JSON.stringify({ type: 'request', id: 3, method: 'no.such' }));
    expect(await nextMessage(ws)).toMatchObject({ id: 3, ok: false, error: { code: 'unknown_method' } });
    ws.send(JSON.stringify({ type: 'request', id: 4, method: 'status', params: {} }));
    expect(await nextMessage(ws)).toMatchObject({ id: 4, ok: true });
    ws.close();
  });

  it('closes a connection that sends an oversized message (1009)', async () => {
    const ws = await open();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(
      JSON.stringify({ type: 'request', id: 1, method: 'status', params: { pad: 'x'.repeat(1_100_000) } }),
    );
    expect(await closed).toBe(1009);
  });
});

describe('pustaka serve: calls', () => {
  it('streams import progress events and the summary over the socket', async () => {
    const docs = path.join(root, 'docs');
    writeFile(docs, 'visa.md', VISA_GUIDE_MD);
    writeFile(docs, 'notes.txt', 'NPWP is the Indonesian tax number.');
    const ws = await open();
    const events: { type: string }[] = [];
    const summary = await clientFor(ws).call(
      'import.run',
      { collection: 'Visa', create: true, paths: [docs] },
      { onEvent: (e) => events.push(e) },
    );
    expect(summary.imported).toBe(2);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('scanned');
    expect(types.filter((t) => t === 'file')).toHaveLength(2);
    expect(types).toContain('progress');
    ws.close();
  });

  it('cancel stops a running call, and closing the socket stops the calls it left running', async () => {
    const folder = path.join(root, 'watched');
    writeFile(folder, 'a.md', '# A\n\nKITAS sponsor letter.');
    const ws = await open();
    const client = clientFor(ws);
    const controller = new AbortController();
    const watching = client.call(
      'import.watch',
      { collection: 'Watched', create: true, paths: [folder] },
      { signal: controller.signal, onEvent: (e) => e.type === 'watching' && controller.abort() },
    );
    // The watcher runs until cancelled; the cancel message ends it with its summary so far.
    const result = await watching;
    expect(result.passes).toBe(1);
    expect(result.last.imported).toBe(1);

    // A second watch on a socket that then goes away: the engine must stop it.
    const second = await open();
    await new Promise<void>((resolve) => {
      clientFor(second)
        .call(
          'import.watch',
          { collection: 'Watched', paths: [folder] },
          { onEvent: (e) => e.type === 'watching' && resolve() },
        )
        .catch(() => {}); // the client sees the disconnect; what matters is the engine side
    });
    expect(server.inFlight()).toBe(1);
    second.terminate();
    while (server.inFlight() > 0) await new Promise((r) => setTimeout(r, 10));
    const after = await client.call('import.run', { collection: 'Watched', paths: [folder] });
    expect(after.unchanged).toBe(1);
    ws.close();
  });
});
