import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'pustaka.js');
export const RENDERER_BUILD = path.join(ROOT, 'build', 'renderer');
export const CHROMIUM = process.env.PUSTAKA_CHROMIUM ?? '/usr/bin/chromium';

/** What the UI bundle is made of: a build older than any of these is stale. */
const SOURCES = ['renderer', 'core/contract'];

function newestMtime(p: string): number {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Builds the renderer with Vite unless build/renderer is newer than its sources (~5 s when needed). */
export function ensureRendererBuilt(): void {
  const index = path.join(RENDERER_BUILD, 'index.html');
  const sources = Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs > sources) return;
  // A child process with NODE_ENV=production: under Vitest (NODE_ENV=test) Vite would bundle React's
  // development build, which is not what users run.
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

export interface Served {
  /** The page with its token: `http://127.0.0.1:PORT/#token=…`. */
  url: string;
  origin: string;
  token: string;
  tokenFromFile: string;
  stop(): Promise<void>;
}

/** Starts `pustaka serve` on a free port, as a user would, and waits for its address. */
export async function startServe(dataDir: string): Promise<Served> {
  const tokenFile = path.join(dataDir, '..', `${path.basename(dataDir)}.token`);
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, '--data-dir', dataDir, '--json', 'serve', '--port', '0', '--token-file', tokenFile],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = readline.createInterface({ input: child.stdout! });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    exited.then((code) => {
      throw new Error(`pustaka serve exited with ${code}: ${stderr}`);
    }),
  ]);
  const info = JSON.parse(first) as { url: string; token: string; port: number };
  return {
    url: info.url,
    origin: `http://127.0.0.1:${info.port}`,
    token: info.token,
    tokenFromFile: fs.readFileSync(tokenFile, 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(tokenFile, { force: true });
    },
  };
}

/** Debian's Chromium, headless, without the background traffic a browser makes on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
      '--disable-gpu',
      '--disable-dev-shm-usage',
    ],
  });
}
