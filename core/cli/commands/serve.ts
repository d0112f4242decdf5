import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { createDispatcher } from '../../api/dispatcher.ts';
import { openEngine } from '../../startup/open-engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { resolveDataDir } from '../../base/paths.ts';
import { API_PATH, DEFAULT_RENDERER_DIR, startServer } from '../../server/server.ts';
import { createToken, writeTokenFile } from '../../server/token.ts';
import type { CliContext } from '../context.ts';

interface ServeOptions {
  port: number;
  tokenFile?: string;
  rendererDir?: string;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535)
    throw new InvalidArgumentError('give a port from 0 to 65535.');
  return n;
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .option('-p, --port <n>', 'port on 127.0.0.1 (0: any free port)', portNumber, 0)
    .option('--token-file <file>', 'also write the access token to this file (mode 0600)')
    .option('--renderer-dir <dir>', 'the built UI to serve (default: build/renderer)')
    .description('headless mode: the UI and the API on 127.0.0.1, behind a random token, until Ctrl-C')
    .action(async (o: ServeOptions, cmd: Command) => {
      const opts = ctx.globals(cmd);
      const rendererDir = path.resolve(o.rendererDir ?? DEFAULT_RENDERER_DIR);
      const rendererBuilt = fs.existsSync(path.join(rendererDir, 'index.html'));
      // Long-lived: a damaged or missing search index is rebuilt in the background.
      const engine = await openEngine({ dataDir: resolveDataDir(opts.dataDir), background: true });
      try {
        const token = createToken();
        const server = await startServer({
          dispatcher: createDispatcher(engine),
          token,
          port: o.port,
          rendererDir,
        });
        try {
          if (o.tokenFile) {
            try {
              writeTokenFile(o.tokenFile, token);
            } catch (err) {
              throw new PustakaError(
                'invalid_params',
                `cannot write the token file ${o.tokenFile}: ${(err as Error).message}`,
              );
            }
          }
          const api = `ws://127.0.0.1:${server.port}${API_PATH}`;
          if (opts.json) {
            // One line, so a harness reading the stream line by line gets it whole.
            const info = {
              url: server.url,
              port: server.port,
              token,
              api,
              dataDir: engine.paths.root,
              rendererDir,
              rendererBuilt,
            };
            ctx.io.stdout(`${JSON.stringify(info)}\n`);
          } else {
            ctx.io.stdout(`${server.url}\n`);
            ctx.io.stderr(
              `Pustaka is serving ${engine.paths.root} on 127.0.0.1:${server.port} until Ctrl-C.\n` +
                'Open the address above in a browser on this computer; keep it private: the token in it ' +
                'gives full access.\n',
            );
          }
          if (!rendererBuilt) {
            ctx.io.stderr(
              `The UI is not built (no ${path.join(rendererDir, 'index.html')}): run \`npm run build:renderer\` ` +
                `and restart. The API works meanwhile at ${api}.\n`,
            );
          }
          await waitForAbort(ctx.signal);
        } finally {
          await server.close();
        }
      } finally {
        await engine.close();
      }
    });
}
