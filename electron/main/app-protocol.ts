import fs from 'node:fs';
import type { Protocol } from 'electron';
import { contentSecurityPolicy } from '../../core/server/csp.ts';
import { mimeType, resolveStaticPath } from '../../core/server/static-files.ts';
import { APP_SCHEME } from './security.ts';

/** Before `ready`: the scheme behaves like https (secure context, fetch, standard URLs). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * The built UI answers at pustaka://app/ with the same path rules as `pustaka serve` (nothing
 * outside the folder, no dotfiles) and the CSP on every response.
 */
export function appResponse(rendererDir: string, url: string): Response {
  const { pathname } = new URL(url);
  let file = resolveStaticPath(rendererDir, pathname);
  if (file === null && !pathname.split('/').pop()!.includes('.')) file = resolveStaticPath(rendererDir, '/');
  const headers = { 'Content-Security-Policy': contentSecurityPolicy({ websocket: false }) };
  if (file === null) return new Response('not found', { status: 404, headers });
  return new Response(fs.readFileSync(file), {
    status: 200,
    headers: { ...headers, 'Content-Type': mimeType(file), 'X-Content-Type-Options': 'nosniff' },
  });
}

export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appResponse(rendererDir, request.url));
}
