import type { EngineState } from '../../core/contract/bridge.ts';

/** What the supervisor needs of an engine process (Electron's UtilityProcess in the app). */
export interface EngineProcess {
  postMessage(message: unknown, transfer?: unknown[]): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

/** Messages the engine host sends its parent (see engine-host.ts). */
export type HostMessage = { type: 'ready' } | { type: 'fatal'; code: string; message: string };

/** Errors a restart cannot fix: the same data dir would fail the same way. */
const PERMANENT = new Set(['data_dir_in_use', 'data_dir_unusable', 'schema_too_new', 'migration_edited']);

export interface SupervisorOptions {
  spawn(): EngineProcess;
  onState(state: EngineState): void;
  /** Each time a (re)started engine is ready: hand out fresh ports to it. */
  onReady(engine: EngineProcess): void;
  /** Restarts in a row before giving up. */
  maxRestarts?: number;
  /** Delay before restart n (1-based): base × 2^(n-1), capped. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** An engine that stayed up this long resets the restart count. */
  stableMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export interface EngineSupervisor {
  start(): void;
  /** The engine now running and ready, or null. */
  current(): EngineProcess | null;
  state(): EngineState;
  /**
   * Stops for good (app quit): asks the engine to close its stores, kills it if it has not
   * exited after `graceMs`; no restart follows.
   */
  stop(graceMs?: number): Promise<void>;
}

export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

function isHostMessage(m: unknown): m is HostMessage {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'ready' || t === 'fatal';
}

/**
 * Keeps one engine process alive: restarts it with exponential back-off when it dies, gives up
 * after `maxRestarts` failures in a row (or at once for errors a restart cannot fix), and
 * reports every change of state so the UI can say what is happening.
 */
export function createEngineSupervisor(opts: SupervisorOptions): EngineSupervisor {
  const maxRestarts = opts.maxRestarts ?? 5;
  const base = opts.backoffBaseMs ?? 500;
  const max = opts.backoffMaxMs ?? 15_000;
  const stableMs = opts.stableMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));

  let state: EngineState = { status: 'starting' };
  let proc: EngineProcess | null = null;
  let ready = false;
  let readyAt = 0;
  let restarts = 0;
  let stopped = false;
  let timer: unknown = null;

  const setState = (next: EngineState) => {
    state = next;
    opts.onState(next);
  };

  function launch(): void {
    ready = false;
    const p = opts.spawn();
    proc = p;
    let fatal: HostMessage | null = null;
    p.onMessage((m) => {
      if (p !== proc || !isHostMessage(m)) return;
      if (m.type === 'fatal') {
        fatal = m;
        return;
      }
      ready = true;
      readyAt = now();
      setState({ status: 'ready' });
      opts.onReady(p);
    });
    p.onExit((code) => {
      if (p !== proc) return;
      const upFor = ready ? now() - readyAt : 0;
      proc = null;
      ready = false;
      if (stopped) return;
      const f = fatal as HostMessage | null;
      if (f?.type === 'fatal' && PERMANENT.has(f.code)) {
        setState({ status: 'failed', message: f.message });
        return;
      }
      if (upFor >= stableMs) restarts = 0;
      const why = f?.type === 'fatal' ? f.message : `the engine stopped unexpectedly (exit code ${code})`;
      if (restarts >= maxRestarts) {
        setState({ status: 'failed', message: `${why}; gave up after ${maxRestarts} restarts` });
        return;
      }
      restarts++;
      setState({ status: 'restarting', message: why });
      timer = setTimer(
        () => {
          timer = null;
          if (!stopped) launch();
        },
        backoffDelay(restarts, base, max),
      );
    });
  }

  return {
    start() {
      if (proc || stopped) return;
      setState({ status: 'starting' });
      launch();
    },
    current: () => (ready ? proc : null),
    state: () => state,
    stop(graceMs = 5_000) {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      const p = proc;
      proc = null;
      if (!p) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const kill = setTimer(() => {
          p.kill();
          resolve();
        }, graceMs);
        p.onExit(() => {
          clearTimer(kill);
          resolve();
        });
        p.postMessage({ type: 'shutdown' });
      });
    },
  };
}
