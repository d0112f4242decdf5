/**
 * One Content-Security-Policy for the UI wherever it runs: `pustaka serve` sends it as a header,
 * Electron sets it on every response of its session. Nothing remote: no CDN, no inline script,
 * no eval, no frames; the only connection is the engine's WebSocket on loopback (headless mode).
 */
export function contentSecurityPolicy(opts: { websocket: boolean }): string {
  const connect = opts.websocket ? "'self' ws://127.0.0.1:* ws://localhost:*" : "'self'";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
