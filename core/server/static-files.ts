import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeType(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The file a URL path names inside root, or null. Decoding happens once, dot segments and
 * backslashes are refused outright, and the real path (symlinks resolved) must stay inside root:
 * nothing outside the built UI can be read.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter(Boolean);
  // Hidden files and any `..` are never served; `.` segments are meaningless here.
  if (segments.some((s) => s.startsWith('.'))) return null;
  const rel = segments.length === 0 ? 'index.html' : segments.join('/');
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(root);
    real = fs.realpathSync(path.join(realRoot, rel));
  } catch {
    return null;
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
  return fs.statSync(real).isFile() ? real : null;
}

/**
 * Serves the built renderer: GET/HEAD only, no directory listings, unknown extension-less paths
 * fall back to index.html (client-side routes). `headers` (CSP and friends) go on every answer.
 */
export function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string | null,
  headers: Record<string, string>,
): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendText(res, 405, 'method not allowed\n');
    return;
  }
  const urlPath = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (root === null || !fs.existsSync(path.join(root, 'index.html'))) {
    sendText(
      res,
      503,
      'The Pustaka UI is not built. Run `npm run build:renderer`, then restart `pustaka serve`.\n' +
        'The API is available meanwhile on the WebSocket at /api.\n',
    );
    return;
  }
  let file = resolveStaticPath(root, urlPath);
  // Only names without a dot are routes: `/.env` or `/x.js` that do not exist stay 404s.
  if (file === null && !path.posix.basename(urlPath).includes('.') && !urlPath.includes('..')) {
    file = resolveStaticPath(root, '/');
  }
  if (file === null) {
    sendText(res, 404, 'not found\n');
    return;
  }
  const size = fs.statSync(file).size;
  res.writeHead(200, {
    'Content-Type': mimeType(file),
    'Content-Length': size,
    // Vite names assets by content hash; index.html must be re-read after a rebuild.
    'Cache-Control': file.endsWith('.html') ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
