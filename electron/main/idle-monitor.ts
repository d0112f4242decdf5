/** The params of the engine's `worker.activity` method: what the nightly worker schedules by. */
export interface ActivitySignal {
  idleSeconds: number;
  onBattery: boolean | null;
  locked: boolean;
  suspended: boolean;
}

/** The parts of Electron's powerMonitor used here. */
export interface PowerMonitorLike {
  getSystemIdleTime(): number;
  isOnBatteryPower(): boolean;
  on(event: PowerEvent, listener: () => void): unknown;
  removeListener(event: PowerEvent, listener: () => void): unknown;
}

export type PowerEvent = 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume' | 'on-ac' | 'on-battery';
const EVENTS: PowerEvent[] = ['lock-screen', 'unlock-screen', 'suspend', 'resume', 'on-ac', 'on-battery'];

export interface IdleMonitorOptions {
  powerMonitor: PowerMonitorLike;
  send(signal: ActivitySignal): void;
  now?: () => number;
  intervalMs?: number;
  /**
   * Readings of exactly 0 for this long mean the OS cannot tell us (Wayland, some Windows
   * set-ups): from then on the app's own input counts instead.
   */
  stuckAfterMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (timer: unknown) => void;
}

export interface IdleMonitor {
  /** Input in one of the app's windows (keyboard, mouse): the fallback's clock. */
  noteActivity(): void;
  /** The signal now (also what was last sent). */
  sample(): ActivitySignal;
  stop(): void;
}

/**
 * Samples idleness once a minute and on every power event, and sends it to the engine. The
 * system idle time is trusted once it has been seen above 0; while it has only ever read 0 for
 * `stuckAfterMs`, the time since the last input in the app's windows stands in for it.
 */
export function createIdleMonitor(opts: IdleMonitorOptions): IdleMonitor {
  const now = opts.now ?? Date.now;
  const pm = opts.powerMonitor;
  const stuckAfterMs = opts.stuckAfterMs ?? 3 * 60_000;
  const startedAt = now();
  let lastActivity = startedAt;
  let systemWorks = false;
  let locked = false;
  let suspended = false;

  const onBattery = (): boolean | null => {
    try {
      return pm.isOnBatteryPower();
    } catch {
      return null; // unknown on this platform
    }
  };

  function idleSeconds(): number {
    const system = pm.getSystemIdleTime();
    if (system > 0) systemWorks = true;
    if (systemWorks) return system;
    const appIdle = Math.floor((now() - lastActivity) / 1000);
    // Before the window has passed, a 0 may be real (the user is typing elsewhere).
    return now() - startedAt >= stuckAfterMs ? appIdle : system;
  }

  function sample(): ActivitySignal {
    return { idleSeconds: idleSeconds(), onBattery: onBattery(), locked, suspended };
  }

  const emit = () => {
    try {
      opts.send(sample());
    } catch {
      // The engine may be restarting; the next sample goes through.
    }
  };

  const handlers: Record<PowerEvent, () => void> = {
    'lock-screen': () => ((locked = true), emit()),
    'unlock-screen': () => ((locked = false), (lastActivity = now()), emit()),
    suspend: () => ((suspended = true), emit()),
    resume: () => ((suspended = false), emit()),
    'on-ac': emit,
    'on-battery': emit,
  };
  for (const e of EVENTS) pm.on(e, handlers[e]);
  const timer = (opts.setInterval ?? ((fn, ms) => setInterval(fn, ms)))(emit, opts.intervalMs ?? 60_000);

  return {
    noteActivity: () => void (lastActivity = now()),
    sample,
    stop() {
      (opts.clearInterval ?? ((t) => clearInterval(t as NodeJS.Timeout)))(timer);
      for (const e of EVENTS) pm.removeListener(e, handlers[e]);
    },
  };
}
