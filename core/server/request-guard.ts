import type { IncomingHttpHeaders } from 'node:http';
import { tokensEqual } from './token.ts';

/** The subprotocol a client offers and the server echoes. */
export const API_PROTOCOL = 'pustaka.v1';
/** Browsers cannot set headers on a WebSocket, so they offer the token as a second subprotocol. */
export const TOKEN_PROTOCOL_PREFIX = 'pustaka-token.';

export interface Rejection {
  status: 400 | 401 | 403 | 404;
  message: string;
}

export interface RequestFacts {
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/** The names this server answers to: anything else is a DNS-rebinding attempt. */
function ownHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function ownOrigins(port: number): string[] {
  return ownHosts(port).map((h) => `http://${h}`);
}

/** Checks every request, page or API: loopback peer and our own Host header. */
export function checkPeer(req: RequestFacts, port: number): Rejection | null {
  if (!isLoopbackAddress(req.remoteAddress)) {
    return { status: 403, message: 'only this computer may connect' };
  }
  const host = req.headers.host?.toLowerCase();
  if (!host || !ownHosts(port).includes(host)) {
    return { status: 403, message: `unexpected Host header (expected 127.0.0.1:${port})` };
  }
  return null;
}

function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  if (!raw) return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

function bearerToken(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match ? match[1]! : null;
}

/**
 * Decides a WebSocket upgrade before any engine work. A browser proves itself with our Origin
 * and the token as a subprotocol; a non-browser client (no Origin) must send
 * `Authorization: Bearer <token>`, so a page on another site can never borrow the browser.
 */
export function authorizeUpgrade(req: RequestFacts, port: number, token: string): Rejection | null {
  const peer = checkPeer(req, port);
  if (peer) return peer;

  const origin = req.headers.origin;
  const bearer = bearerToken(req.headers);
  if (origin !== undefined && !ownOrigins(port).includes(origin.toLowerCase())) {
    return { status: 403, message: `connections from ${origin} are not allowed` };
  }
  if (origin === undefined && bearer === null) {
    return { status: 403, message: 'a client without an Origin must send Authorization: Bearer <token>' };
  }

  const protocols = offeredProtocols(req.headers);
  const offered = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  const given = bearer ?? offered?.slice(TOKEN_PROTOCOL_PREFIX.length);
  if (!given) return { status: 401, message: 'missing token' };
  if (!tokensEqual(given, token)) return { status: 401, message: 'wrong token' };
  if (protocols.length > 0 && !protocols.includes(API_PROTOCOL)) {
    return { status: 400, message: `offer the "${API_PROTOCOL}" subprotocol` };
  }
  return null;
}
