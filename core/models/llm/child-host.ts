/**
 * A supervised model process: forks a host module (its built `.js`, or its source through tsx)
 * and talks to it over IPC, so that a llama.cpp abort (exit 134 on some malformed files) or any
 * native crash never takes the engine and its databases down (DESIGN.md, "model isolation"). Used
 * by the embedding model (core/models/embed/llama.ts) and the chat model (core/models/llm/chat.ts).
 *
 * Protocol (each host's own message types, plus these conventions):
 * - the parent sends an init message first; the host answers `{type: 'ready', …}` or
 *   `{type: 'error', id: null, message}`;
 * - every later request carries an `id`; the host answers with one final message with that id,
 *   and may send event messages (isEvent) with that id before it;
 * - `{type: 'abort', id}` asks the host to stop a request; `{type: 'close'}` asks it to exit.
 *
 * When the process dies, every pending call rejects with a crash error naming the exit code or
 * signal and the first GGML_ASSERT line llama.cpp printed. The owner decides whether to restart.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { tsxLoaderUrl } from '../../base/source-loader.ts';

export interface HostMessage {
  type: string;
}

export interface ChildHostOptions<Req extends HostMessage, Res extends HostMessage> {
  /** Absolute path of the host module (core/base/app-files.ts entryPoint). */
  entry: string;
  init: Req;
  /** How errors name the model: 'the embedding model', 'the chat model'. */
  label: string;
  loadTimeoutMs: number;
  /** What is being done while the init message is pending (for crash messages). */
  loadingWhat?: string;
  /** Messages that report progress for a request instead of finishing it. */
  isEvent?: (msg: Res) => boolean;
  /** Called once when the process is gone (crash, kill or close). */
  onExit?: (host: ChildHost<Req, Res>) => void;
  /** Builds the error pending calls reject with when the process dies. */
  crashError?: (message: string) => Error;
}

interface Pending<Res> {
  resolve: (msg: Res) => void;
  reject: (err: Error) => void;
  onEvent: ((msg: Res) => void) | undefined;
  what: string;
}

/** Counts processes started (tests check that a bad file never gets that far). */
let started = 0;
export function childHostStarts(): number {
  return started;
}

const FAILURE_LINE = /GGML_ASSERT|GGML_ABORT|terminate called/;

/**
 * Node options for a host: a `.ts` entry (the source tree) runs through tsx's loader, a dev
 * dependency resolved only then; the build's `.js` hosts need none.
 */
function hostExecArgv(entry: string): string[] {
  return entry.endsWith('.ts') ? ['--import', tsxLoaderUrl()] : [];
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal ${signal}`;
  if (code === 134) return 'exit code 134, an abort';
  return `exit code ${code}`;
}

/** What llama.cpp said before dying (its first GGML_ASSERT line, else the last error line), if anything. */
function crashDetail(firstFailure: string | undefined, stderr: string): string {
  const hit =
    firstFailure ??
    stderr
      .split('\n')
      .reverse()
      .find((l) => /error|abort/i.test(l));
  if (!hit) return '';
  const short = hit
    .trim()
    .replace(/^.*\/(llama\.cpp|ggml)\//, '')
    .slice(0, 240);
  return ` (${short})`;
}

export class ChildHost<Req extends HostMessage, Res extends HostMessage> {
  readonly child: ChildProcess;
  /** The host's 'ready' message; rejects when loading fails, times out or the process dies. */
  readonly ready: Promise<Extract<Res, { type: 'ready' }>>;
  exited = false;
  private readonly pending = new Map<number, Pending<Res>>();
  private nextId = 1;
  private stderr = '';
  private firstFailure: string | undefined;
  private closing = false;

  constructor(private readonly opts: ChildHostOptions<Req, Res>) {
    started++;
    this.child = fork(opts.entry, [], {
      execArgv: hostExecArgv(opts.entry),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        ...process.env,
        // On an abort, ggml would otherwise attach gdb (when installed) to print a backtrace:
        // seconds of delay and pages of stderr.
        GGML_NO_BACKTRACE: '1',
        // Inside Electron (utilityProcess), process.execPath is Electron itself: run it as Node.
        ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
      },
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-8192);
      this.firstFailure ??= s.split('\n').find((l) => FAILURE_LINE.test(l));
    });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${opts.label} did not load within ${Math.round(opts.loadTimeoutMs / 1000)} s`));
        this.kill();
      }, opts.loadTimeoutMs);
      this.pending.set(0, {
        what: opts.loadingWhat ?? 'loading the model',
        onEvent: undefined,
        resolve: (msg) => {
          clearTimeout(timer);
          if (msg.type === 'ready') resolve(msg as Extract<Res, { type: 'ready' }>);
          else reject(new Error(`${opts.label} could not be loaded: ${messageOf(msg)}`));
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
    this.ready.catch(() => {});
    this.child.on('message', (msg: Res) => this.onMessage(msg));
    this.child.on('error', (err) => this.onGone(`could not run (${err.message})`));
    this.child.on('exit', (code, signal) => this.onGone(describeExit(code, signal)));
    this.child.send(opts.init);
  }

  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  private onMessage(msg: Res): void {
    const raw = (msg as { id?: number | null }).id;
    const id = msg.type === 'ready' || raw === null || raw === undefined ? 0 : raw;
    const p = this.pending.get(id);
    if (!p) return;
    if (this.opts.isEvent?.(msg)) {
      p.onEvent?.(msg);
      return;
    }
    this.pending.delete(id);
    this.updateRef();
    p.resolve(msg);
  }

  private onGone(how: string): void {
    if (this.exited) return;
    this.exited = true;
    const detail = crashDetail(this.firstFailure, this.stderr);
    const make = this.opts.crashError ?? ((m: string) => new Error(m));
    for (const p of this.pending.values()) {
      p.reject(
        make(
          this.closing
            ? `${this.opts.label} was closed`
            : `${this.opts.label} process crashed (${how}) while ${p.what}; the model file may be damaged${detail}`,
        ),
      );
    }
    this.pending.clear();
    this.opts.onExit?.(this);
  }

  /** Keeps the engine's event loop alive only while calls are in flight. */
  private updateRef(): void {
    const busy = this.pending.size > 0;
    type Refable = { ref?: () => void; unref?: () => void } | null | undefined;
    const handles = [this.child.channel as Refable, this.child.stderr as Refable];
    if (busy) {
      this.child.ref();
      for (const h of handles) h?.ref?.();
    } else {
      this.child.unref();
      for (const h of handles) h?.unref?.();
    }
  }

  newId(): number {
    return this.nextId++;
  }

  /**
   * Sends a request and resolves with its final message. On abort it rejects at once with the
   * signal's reason and tells the host to stop (the host still answers; that answer is dropped).
   */
  request(
    msg: Req & { id: number },
    what: string,
    opts: { signal?: AbortSignal | undefined; onEvent?: (msg: Res) => void } = {},
  ): Promise<Res> {
    const { signal } = opts;
    if (this.exited) {
      const make = this.opts.crashError ?? ((m: string) => new Error(m));
      return Promise.reject(make(`${this.opts.label} process is not running`));
    }
    return new Promise<Res>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(msg.id)) return;
        this.updateRef();
        if (!this.exited) this.child.send({ type: 'abort', id: msg.id });
        reject(signal!.reason);
      };
      this.pending.set(msg.id, {
        what,
        onEvent: opts.onEvent,
        resolve: (res) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(res);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
      this.updateRef();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.child.send(msg);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.ref();
    try {
      this.child.send({ type: 'close' });
    } catch {
      this.kill();
    }
    const timer = setTimeout(() => this.kill(), 5000);
    await gone;
    clearTimeout(timer);
  }
}

function messageOf(msg: HostMessage): string {
  return msg.type === 'error' ? String((msg as { message?: unknown }).message) : msg.type;
}
