/**
 * When the nightly worker may run by itself: the machine idle for at least N minutes (or the
 * screen locked), on AC power (laptops), not paused, and no finished run yet today. The shell
 * reports activity (Electron's powerMonitor, through the `worker.activity` API method; the CLI
 * and tests call it too); `decide` is a pure function of that report, so the rules are testable.
 */

export {
  workerSettings as workerSettingsSchema,
  type WorkerSettings,
} from '../../contract/methods/worker.ts';
import type { WorkerSettings } from '../../contract/methods/worker.ts';

export interface Activity {
  /** Seconds since the user last touched the machine (or the app). */
  idleSeconds: number;
  /** null when the machine has no battery or cannot tell. */
  onBattery: boolean | null;
  /** Screen locked: the user is away, whatever the idle time says. */
  locked: boolean;
  /** The machine is going to sleep: stop now. */
  suspended: boolean;
}

export type Decision =
  | { action: 'start'; reason: string }
  | { action: 'continue'; reason: string }
  | { action: 'stop'; reason: string }
  | { action: 'wait'; reason: string };

export interface ScheduleState {
  running: boolean;
  /** Start of the latest finished (done or failed) run, if any. */
  lastFinishedRunAt: Date | null;
  now: Date;
}

const sameLocalDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

export function decide(activity: Activity, settings: WorkerSettings, state: ScheduleState): Decision {
  const away = activity.locked || activity.idleSeconds >= settings.idleMinutes * 60;
  if (state.running) {
    if (activity.suspended) return { action: 'stop', reason: 'the machine is going to sleep' };
    if (!away) return { action: 'stop', reason: 'the user is back' };
    if (settings.requireAc && activity.onBattery === true)
      return { action: 'stop', reason: 'on battery power' };
    return { action: 'continue', reason: 'still idle' };
  }
  if (!settings.enabled) return { action: 'wait', reason: 'the worker is paused' };
  if (activity.suspended) return { action: 'wait', reason: 'the machine is asleep' };
  if (state.lastFinishedRunAt && sameLocalDay(state.lastFinishedRunAt, state.now)) {
    return { action: 'wait', reason: 'already ran today' };
  }
  if (settings.requireAc && activity.onBattery === true)
    return { action: 'wait', reason: 'on battery power' };
  if (state.now.getHours() < settings.earliestHour) {
    return { action: 'wait', reason: `not before ${settings.earliestHour}:00` };
  }
  if (!away) {
    const left = Math.max(0, settings.idleMinutes * 60 - activity.idleSeconds);
    return { action: 'wait', reason: `waiting for ${Math.ceil(left / 60)} more idle minute(s)` };
  }
  return { action: 'start', reason: activity.locked ? 'the screen is locked' : 'the machine is idle' };
}
