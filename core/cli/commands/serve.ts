import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { PustakaError } from '../../base/errors.ts';
import { resolveDataDir } from '../../base/paths.ts';
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
      // Loaded here: every other command's start stays free of the engine and the server.
      const [
        { openEngine },
        { createDispatcher },
        { API_PATH, DEFAULT_RENDERER_DIR, startServer },
        { createToken, writeTokenFile },
        { attachWarning, startAttachServer },
      ] = await Promise.all([
        import('../../startup/open-engine.ts'),
        import('../../api/dispatcher.ts'),
        import('../../server/server.ts'),
        import('../../server/token.ts'),
        import('../../server/attach-server.ts'),
      ]);
      const opts = ctx.globals(cmd);
      const rendererDir = path.resolve(o.rendererDir ?? DEFAULT_RENDERER_DIR);
      const rendererBuilt = fs.existsSync(path.join(rendererDir, 'index.html'));
      // Long-lived: a damaged or missing search index is rebuilt in the background. Its lock says
      // that CLI commands will run here, so one started meanwhile waits for the endpoint.
      const engine = await openEngine({
        dataDir: resolveDataDir(opts.dataDir),
        background: true,
        attachable: true,
      });
      try {
        const dispatcher = createDispatcher(engine);
        const token = createToken();
        const server = await startServer({ dispatcher, token, port: o.port, rendererDir });
        // CLI commands on this data folder run here meanwhile, instead of being refused it. Without
        // the endpoint the server still serves; the CLI is then refused the folder, and told why.
        const attach = await startAttachServer({ dataDir: engine.paths.root, dispatcher });
        if (attach.unavailable) ctx.io.stderr(`pustaka: warning: ${attachWarning(attach.unavailable)}\n`);
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
              attachSocket: attach.socket,
            };
            ctx.io.stdout(`${JSON.stringify(info)}\n`);
          } else {
            ctx.io.stdout(`${server.url}\n`);
            ctx.io.stderr(
              `Pustaka is serving ${engine.paths.root} on 127.0.0.1:${server.port} until Ctrl-C.\n` +
                'Open the address above in a browser on this computer; keep it private: the token in it ' +
                'gives full access. `pustaka` commands on this data folder run in this engine meanwhile.\n',
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
          // The endpoint first: its calls are cancelled and have ended before the engine closes.
          await attach.close();
          await server.close();
        }
      } finally {
        await engine.close();
      }
    });
}
