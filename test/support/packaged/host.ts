// Starts the engine host of a mounted package (mount.ts) the way Electron's main does
// (electron/main/main.ts: utilityProcess.fork(build/app/engine-host.js, --data-dir …)), with plain
// Node in place of Electron: parent-port.mjs supplies process.parentPort, asar-rules.mjs holds
// every process to the installed app's rules. Returns a typed client over the host's port.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApiClient, type ApiClient } from '../../../core/contract/client.ts';
import { createMessageTransport, type MessageChannelLike } from '../../../core/contract/message-transport.ts';
import type { ClientMessage, ServerMessage } from '../../../core/contract/protocol.ts';
import { shellPaths, type ShellPaths } from '../../../electron/main/paths.ts';
import type { MountedApp } from './mount.ts';

const RULES = fileURLToPath(new URL('./asar-rules.mjs', import.meta.url));
const RULES_HOOKS = fileURLToPath(new URL('./asar-rules-hooks.mjs', import.meta.url));
const PARENT_PORT = fileURLToPath(new URL('./parent-port.mjs', import.meta.url));
/** The one port this harness hands the host (main hands one per window). */
const PORT_ID = 1;
export const NOBODY = 65534;

type IpcMessage =
  | { kind: 'parent'; data: unknown; port?: number }
  | { kind: 'port'; port: number; data: unknown }
  | { kind: 'port-close'; port: number };

export interface PackagedHost {
  child: ChildProcess;
  pid: number;
  client: ApiClient;
  /** Milliseconds from fork to the host's 'ready' (the engine open); rejects on 'fatal' or exit. */
  ready: Promise<number>;
  /** The last 16 kB of the host's stderr (and stdout). */
  output(): string;
  /** Rule breaches recorded by asar-rules.mjs in any of the host's processes. */
  violations(): string[];
  /** Peak resident set of the host process (VmHWM), where /proc has it. */
  peakRssBytes(): number | null;
  /** Asks for a clean shutdown as main does; resolves with the exit code. */
  shutdown(timeoutMs?: number): Promise<number | null>;
  kill(): void;
}

export interface HostOptions {
  /** A folder the engine may write (created for it, owned by the user it runs as). */
  dataDir: string;
  /** Scratch space: HOME and the violations log live here. */
  workDir: string;
  /** Run as `nobody` when this process is root, so the installed app's files are read-only to it. */
  unprivileged?: boolean;
}

/** VmHWM from /proc/<pid>/status, in bytes (Linux only). */
export function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The user's environment minus what only this test run has (vitest, loaders, NODE_OPTIONS). */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VITEST|TEST$|NODE_OPTIONS$|NODE_PATH$|TSX_|npm_)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/**
 * What Electron's main (electron/main/paths.ts) derives from package.json's "main" in the installed
 * app; throws, naming them, when files the window needs (which this harness does not load) are missing.
 */
export function packagedShellPaths(app: MountedApp): ShellPaths {
  const pkg = JSON.parse(fs.readFileSync(path.join(app.appDir, 'package.json'), 'utf8')) as { main?: string };
  const main = path.join(app.appDir, pkg.main ?? 'index.js');
  const paths = shellPaths({
    mainUrl: pathToFileURL(main).href,
    packaged: true,
    resourcesPath: app.resources,
  });
  const needed: Array<[string, string]> = [
    [`package.json "main" (${pkg.main ?? 'unset'})`, main],
    ['the preload', paths.preload],
    ['the UI', path.join(paths.rendererDir, 'index.html')],
    ['the window icon', paths.icon],
  ];
  const missing = needed.filter(([, file]) => !fs.existsSync(file));
  if (missing.length) {
    const list = missing.map(([what, file]) => `${what}: ${path.relative(app.resources, file)}`).join('; ');
    throw new Error(`packaged app smoke: the installed app lacks what Electron's main loads — ${list}`);
  }
  return paths;
}

export function startPackagedHost(app: MountedApp, opts: HostOptions): PackagedHost {
  const paths = packagedShellPaths(app);
  const asUser =
    opts.unprivileged !== false && process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : null;
  const home = path.join(opts.workDir, 'home');
  const violationsFile = path.join(opts.workDir, 'violations.log');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(opts.dataDir, { recursive: true });
  fs.writeFileSync(violationsFile, '', { mode: 0o666 });
  fs.chmodSync(violationsFile, 0o666);
  if (asUser) {
    for (const dir of [opts.workDir, home, opts.dataDir]) fs.chownSync(dir, asUser.uid, asUser.gid);
  }

  const started = performance.now();
  // The arguments electron/main/main.ts passes to utilityProcess.fork.
  const child = fork(
    paths.engineEntry,
    [
      '--data-dir',
      opts.dataDir,
      ...(paths.templateDir ? ['--template-dir', paths.templateDir] : []),
      ...(paths.migrationsDir ? ['--migrations-dir', paths.migrationsDir] : []),
    ],
    {
      cwd: app.root,
      execArgv: ['--import', pathToFileURL(PARENT_PORT).href],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...userEnv(),
        HOME: home,
        TMPDIR: os.tmpdir(),
        // Every process the host starts (model hosts, hardware probe, worker threads) keeps the rules.
        NODE_OPTIONS: `--import=${pathToFileURL(RULES).href}`,
        PUSTAKA_ASAR_RESOURCES: app.resources,
        PUSTAKA_ASAR_HEADER: app.headerFile,
        PUSTAKA_ASAR_VIOLATIONS: violationsFile,
        PUSTAKA_ASAR_ALLOW: [RULES, RULES_HOOKS, PARENT_PORT].join(path.delimiter),
        PUSTAKA_PARENT_PORT_SHIM: '1',
      },
      ...(asUser ?? {}),
    },
  );
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-16_384));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<number>((resolve, reject) => {
    child.on('message', (m: IpcMessage) => {
      if (m?.kind !== 'parent') return;
      const data = m.data as { type?: string; code?: string; message?: string };
      if (data.type === 'ready') resolve(performance.now() - started);
      if (data.type === 'fatal') reject(new Error(`engine host: fatal ${data.code}: ${data.message}`));
    });
    void exited.then((code) => reject(new Error(`engine host exited (code ${code}) before it was ready`)));
  });
  ready.catch(() => {}); // observed by the caller; never an unhandled rejection here

  const channel: MessageChannelLike = {
    send: (message: ClientMessage) => {
      if (!child.connected) throw new Error('the engine process is gone');
      child.send({ kind: 'port', port: PORT_ID, data: message } satisfies IpcMessage);
    },
    onMessage: (listener) => {
      const onIpc = (m: IpcMessage) => {
        if (m?.kind === 'port' && m.port === PORT_ID) listener(m.data as ServerMessage);
      };
      child.on('message', onIpc);
      return () => child.off('message', onIpc);
    },
    onClose: (listener) => {
      const onIpc = (m: IpcMessage) => {
        if (m?.kind === 'port-close' && m.port === PORT_ID) listener('the engine closed its port');
      };
      const onExit = (code: number | null) => listener(`the engine process exited (code ${code})`);
      child.on('message', onIpc);
      child.once('exit', onExit);
      return () => {
        child.off('message', onIpc);
        child.off('exit', onExit);
      };
    },
  };
  // As main does: hand the port over at once; the host serves it once the engine is open.
  child.send({ kind: 'parent', data: { type: 'connect' }, port: PORT_ID } satisfies IpcMessage);
  const transport = createMessageTransport(channel);

  return {
    child,
    pid: child.pid!,
    client: createApiClient(transport.transport),
    ready,
    output: () => output,
    violations: () => fs.readFileSync(violationsFile, 'utf8').split('\n').filter(Boolean),
    peakRssBytes: () => peakRss(child.pid!),
    async shutdown(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      if (child.connected) child.send({ kind: 'parent', data: { type: 'shutdown' } } satisfies IpcMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      transport.close('the engine shut down');
      return code;
    },
    kill: () => void child.kill('SIGKILL'),
  };
}
