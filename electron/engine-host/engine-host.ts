// The engine process (Electron utilityProcess): opens the engine for the app's data dir and
// serves every MessagePort main hands it with the same dispatcher as the CLI and `pustaka serve`,
// and the attach endpoint, so that `pustaka` commands run meanwhile use this engine.
// Started by host-entry.ts (bundled to build/app/engine-host.js), like the CLI from the same build.
import { createDispatcher, type Dispatcher } from '../../core/api/dispatcher.ts';
import { serveChannel } from '../../core/api/serve-channel.ts';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { isPustakaError } from '../../core/base/errors.ts';
import { attachWarning, startAttachServer } from '../../core/server/attach-server.ts';
import type { HostMessage } from '../main/engine-supervisor.ts';

/** The parts of Electron's ParentPort / MessagePortMain this module uses. */
export interface PortMain {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
  close(): void;
}
export interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown; ports: PortMain[] }) => void): void;
}

export interface HostArgs {
  dataDir: string;
  templateDir?: string;
  migrationsDir?: string;
}

/** `--data-dir D [--template-dir T] [--migrations-dir M]`, as main passes them. */
export function parseHostArgs(argv: string[]): HostArgs {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dataDir = value('--data-dir');
  if (!dataDir) throw new Error('engine host: --data-dir is required');
  const templateDir = value('--template-dir');
  const migrationsDir = value('--migrations-dir');
  return { dataDir, ...(templateDir ? { templateDir } : {}), ...(migrationsDir ? { migrationsDir } : {}) };
}

/** Serves one MessagePort until it closes (the window reloaded or closed). */
export function servePort(port: PortMain, dispatcher: Dispatcher): void {
  serveChannel(
    {
      send: (m) => port.postMessage(m),
      onMessage: (listener) => port.on('message', (e) => listener(e.data)),
      onClose: (listener) => port.on('close', listener),
    },
    dispatcher,
  );
  port.start();
}

/** Something the host closes before its engine: the attach endpoint. */
export interface Closable {
  close(): Promise<void>;
}

/** Starts the attach endpoint for CLI commands (null: the host serves the app's ports only). */
export type StartAttach = (engine: Engine, dispatcher: Dispatcher) => Promise<Closable>;

/** The desktop engine's endpoint: in its data folder, as for `pustaka serve`. */
export const attachInDataDir: StartAttach = async (engine, dispatcher) => {
  const endpoint = await startAttachServer({ dataDir: engine.paths.root, dispatcher });
  // Once, here: the attach file says it to every CLI command run meanwhile.
  if (endpoint.unavailable) console.error(`pustaka: warning: ${attachWarning(endpoint.unavailable)}`);
  return endpoint;
};

/**
 * Wires the parent port: `connect` messages carry a port to serve (queued until the engine is
 * open), `shutdown` closes the engine cleanly. Reports `ready`, or `fatal` with the error code
 * so main can tell a restartable crash from a data dir that will never open.
 */
export function runEngineHost(
  parent: ParentPortLike,
  open: () => Promise<Engine>,
  exit: (code: number) => void,
  attach: StartAttach | null = attachInDataDir,
): Promise<void> {
  let engine: Engine | null = null;
  let dispatcher: Dispatcher | null = null;
  let endpoint: Promise<Closable | null> = Promise.resolve(null);
  const waiting: PortMain[] = [];
  let shuttingDown = false;

  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    try {
      // The endpoint first: its calls are cancelled and have ended (at most 10 s) before the
      // engine they run in closes.
      await (await endpoint)?.close();
      await engine?.close();
    } finally {
      exit(code);
    }
  };

  parent.on('message', (e) => {
    const type = (e.data as { type?: unknown } | null)?.type;
    if (type === 'shutdown') {
      void shutdown(0);
      return;
    }
    if (type !== 'connect') return;
    const port = e.ports[0];
    if (!port) return;
    if (dispatcher) servePort(port, dispatcher);
    else waiting.push(port);
  });

  return open().then(
    async (opened) => {
      engine = opened;
      dispatcher = createDispatcher(opened);
      for (const port of waiting.splice(0)) servePort(port, dispatcher);
      if (attach && !shuttingDown) {
        // The app works without it; the CLI is then refused the folder, as before.
        endpoint = attach(opened, dispatcher).catch((err: Error) => {
          console.error(`pustaka: warning: ${err.message}; CLI commands cannot use this engine`);
          return null;
        });
        await endpoint; // ready means ready for the CLI too
      }
      parent.postMessage({ type: 'ready' } satisfies HostMessage);
    },
    (err: unknown) => {
      const code = isPustakaError(err) ? err.code : 'internal';
      const message = err instanceof Error ? err.message : String(err);
      parent.postMessage({ type: 'fatal', code, message } satisfies HostMessage);
      exit(1);
    },
  );
}

/** Entry point, called by host-entry.ts inside the utilityProcess. */
export function startEngineHost(): void {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (!parentPort) throw new Error('engine host: run me in an Electron utilityProcess');
  const args = parseHostArgs(process.argv);
  void runEngineHost(
    parentPort,
    // The desktop engine lives as long as the app: it rebuilds a damaged search index by itself.
    // Its lock says CLI commands will run here: one started meanwhile waits for the endpoint.
    () => openEngine({ ...args, background: true, attachable: true }),
    (code) => process.exit(code),
  );
}
