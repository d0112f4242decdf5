import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatcher } from '../api/dispatcher.ts';
import type { ServerMessage } from '../contract/protocol.ts';
import { NO_CALL_ID, serveChannel, type CallGate, type ServedChannel } from '../api/serve-channel.ts';
import { PustakaError } from '../base/errors.ts';
import { createCallGate } from './call-gate.ts';
import { contentSecurityPolicy } from './csp.ts';
import { API_PROTOCOL, authorizeUpgrade, checkPeer, type Rejection } from './request-guard.ts';
import { serveStatic } from './static-files.ts';
import { appFile } from '../base/app-files.ts';

/** Where Vite puts the UI (`npm run build:renderer`). */
export const DEFAULT_RENDERER_DIR = appFile('build', 'renderer');

export const API_PATH = '/api';
/** Largest message a client may send; requests are small (file lists are the biggest). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * Connections the kernel holds for us while engine work keeps the event loop from accepting them.
 * Node's default (511) overflowed under a burst of 1,000 clients (ListenOverflows rose; clients saw
 * ECONNRESET). The kernel caps it at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 4096;

export interface ServerOptions {
  dispatcher: Dispatcher;
  token: string;
  /** 0 picks a free port. */
  port?: number;
  /** The built UI, or null to serve the API alone. */
  rendererDir?: string | null;
  /** Calls running at once over all connections; more are refused with `busy` (default 128). */
  maxCalls?: number;
}

export interface RunningServer {
  port: number;
  /** The page to open, with the token in the fragment (never sent to the server or a Referer). */
  url: string;
  /** Calls running now, over all connections. */
  inFlight(): number;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<Rejection['status'], string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

function rejectUpgrade(socket: Duplex, rejection: Rejection): void {
  const body = `${rejection.message}\n`;
  socket.end(
    `HTTP/1.1 ${rejection.status} ${STATUS_TEXT[rejection.status]}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy({ websocket: true }),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Carries protocol messages over one WebSocket as JSON text frames. */
function serveSocket(ws: WebSocket, dispatcher: Dispatcher, gate: CallGate): ServedChannel {
  const sendJson = (m: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  return serveChannel(
    {
      send: sendJson,
      onMessage(listener) {
        ws.on('message', (data, isBinary) => {
          const malformed = (message: string) =>
            sendJson({
              type: 'response',
              id: NO_CALL_ID,
              ok: false,
              error: { code: 'invalid_params', message },
            });
          if (isBinary) return malformed('malformed message: send JSON text frames, not binary');
          let parsed: unknown;
          try {
            parsed = JSON.parse(data.toString());
          } catch {
            return malformed('malformed message: not valid JSON');
          }
          listener(parsed);
        });
      },
      onClose(listener) {
        ws.on('close', listener);
      },
    },
    dispatcher,
    { gate },
  );
}

/**
 * `pustaka serve`: the built UI over HTTP and the API over a WebSocket at /api, on 127.0.0.1
 * only. Every upgrade is checked (peer, Host, Origin, token) before it reaches the engine.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const rendererDir = opts.rendererDir === undefined ? DEFAULT_RENDERER_DIR : opts.rendererDir;
  const headers = securityHeaders();
  let port = 0;

  const server = http.createServer((req, res) => {
    const rejection = checkPeer({ remoteAddress: req.socket.remoteAddress, headers: req.headers }, port);
    if (rejection) {
      res.writeHead(rejection.status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${rejection.message}\n`);
      return;
    }
    serveStatic(req, res, rendererDir, headers);
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(API_PROTOCOL) ? API_PROTOCOL : false),
  });
  const channels = new Set<ServedChannel>();
  const gate = createCallGate(opts.maxCalls);

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const facts = { remoteAddress: req.socket.remoteAddress, headers: req.headers };
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const rejection =
      checkPeer(facts, port) ??
      (path !== API_PATH ? { status: 404 as const, message: `the API is at ${API_PATH}` } : null) ??
      authorizeUpgrade(facts, port, opts.token);
    if (rejection) {
      rejectUpgrade(socket, rejection);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const served = serveSocket(ws, opts.dispatcher, gate);
      channels.add(served);
      ws.on('close', () => channels.delete(served));
      ws.on('error', () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PustakaError('conflict', `port ${opts.port} is already in use; choose another with --port`)
          : new PustakaError('invalid_params', `cannot listen on 127.0.0.1:${opts.port}: ${err.message}`),
      );
    };
    server.once('error', onError);
    server.listen({ host: '127.0.0.1', port: opts.port ?? 0, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}/#token=${opts.token}`,
    inFlight: () => [...channels].reduce((n, c) => n + c.inFlight(), 0),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const channel of channels) channel.close();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
