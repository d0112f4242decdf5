import { describe, expect, it } from 'vitest';
import { workerSettingsSchema } from './schedule.ts';
import { decide, type Activity } from './schedule.ts';

const settings = workerSettingsSchema.parse({});
const now = new Date(2026, 10, 24, 23, 30);
const idle: Activity = { idleSeconds: 20 * 60, onBattery: false, locked: false, suspended: false };
const state = { running: false, lastFinishedRunAt: null, now };

describe('worker scheduling', () => {
  it('starts after N idle minutes on AC power, once a day', () => {
    expect(decide(idle, settings, state).action).toBe('start');
    expect(decide({ ...idle, idleSeconds: 14 * 60 }, settings, state)).toEqual({
      action: 'wait',
      reason: 'waiting for 1 more idle minute(s)',
    });
    expect(decide(idle, settings, { ...state, lastFinishedRunAt: new Date(2026, 10, 24, 1, 0) })).toEqual({
      action: 'wait',
      reason: 'already ran today',
    });
    expect(
      decide(idle, settings, { ...state, lastFinishedRunAt: new Date(2026, 10, 23, 23, 0) }).action,
    ).toBe('start');
  });

  it('treats a locked screen as away, waits on battery unless allowed, and honours pause and hours', () => {
    expect(decide({ ...idle, idleSeconds: 0, locked: true }, settings, state).action).toBe('start');
    expect(decide({ ...idle, onBattery: true }, settings, state)).toEqual({
      action: 'wait',
      reason: 'on battery power',
    });
    expect(decide({ ...idle, onBattery: true }, { ...settings, requireAc: false }, state).action).toBe(
      'start',
    );
    expect(decide({ ...idle, onBattery: null }, settings, state).action).toBe('start');
    expect(decide(idle, { ...settings, enabled: false }, state).reason).toBe('the worker is paused');
    expect(
      decide(idle, { ...settings, earliestHour: 23 }, { ...state, now: new Date(2026, 10, 24, 22, 59) })
        .action,
    ).toBe('wait');
    expect(decide({ ...idle, suspended: true }, settings, state).action).toBe('wait');
  });

  it('stops a running worker as soon as the user is back, on battery or at sleep', () => {
    const running = { ...state, running: true };
    expect(decide(idle, settings, running).action).toBe('continue');
    expect(decide({ ...idle, idleSeconds: 3 }, settings, running)).toEqual({
      action: 'stop',
      reason: 'the user is back',
    });
    expect(decide({ ...idle, onBattery: true }, settings, running).action).toBe('stop');
    expect(decide({ ...idle, suspended: true }, settings, running).action).toBe('stop');
  });
});
