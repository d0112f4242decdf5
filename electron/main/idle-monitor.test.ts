import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createIdleMonitor, type ActivitySignal, type PowerEvent } from './idle-monitor.ts';

class FakePowerMonitor extends EventEmitter {
  idle = 0;
  battery: boolean | Error = false;
  getSystemIdleTime() {
    return this.idle;
  }
  isOnBatteryPower() {
    if (this.battery instanceof Error) throw this.battery;
    return this.battery;
  }
  fire(e: PowerEvent) {
    this.emit(e);
  }
}

function setup() {
  let clock = 1_000_000;
  const pm = new FakePowerMonitor();
  const sent: ActivitySignal[] = [];
  let tick: () => void = () => {};
  const monitor = createIdleMonitor({
    powerMonitor: pm,
    send: (s) => sent.push(s),
    now: () => clock,
    intervalMs: 60_000,
    stuckAfterMs: 180_000,
    setInterval: (fn) => ((tick = fn), 1),
    clearInterval: () => (tick = () => {}),
  });
  return { pm, sent, monitor, tick: () => tick(), advance: (ms: number) => (clock += ms) };
}

describe('idle monitor', () => {
  it('trusts the system idle time once it has moved', () => {
    const t = setup();
    t.pm.idle = 42;
    t.tick();
    expect(t.sent.at(-1)).toEqual({ idleSeconds: 42, onBattery: false, locked: false, suspended: false });
    t.pm.idle = 0; // the user came back: a real 0
    t.advance(600_000);
    t.tick();
    expect(t.sent.at(-1)!.idleSeconds).toBe(0);
  });

  it('falls back to the app’s own activity when the system idle time is stuck at 0', () => {
    const t = setup();
    t.advance(60_000);
    t.tick();
    expect(t.sent.at(-1)!.idleSeconds).toBe(0); // too early to call it stuck
    t.monitor.noteActivity();
    t.advance(300_000);
    t.tick();
    expect(t.sent.at(-1)!.idleSeconds).toBe(300);
    t.monitor.noteActivity();
    t.advance(5_000);
    expect(t.monitor.sample().idleSeconds).toBe(5);
  });

  it('reports lock, suspend and power changes at once, and unknown battery state as null', () => {
    const t = setup();
    t.pm.fire('lock-screen');
    expect(t.sent.at(-1)).toMatchObject({ locked: true });
    t.pm.fire('suspend');
    expect(t.sent.at(-1)).toMatchObject({ locked: true, suspended: true });
    t.pm.fire('resume');
    t.pm.fire('unlock-screen');
    expect(t.sent.at(-1)).toMatchObject({ locked: false, suspended: false });
    t.pm.battery = true;
    t.pm.fire('on-battery');
    expect(t.sent.at(-1)!.onBattery).toBe(true);
    t.pm.battery = new Error('not supported');
    t.pm.fire('on-ac');
    expect(t.sent.at(-1)!.onBattery).toBeNull();
    expect(t.sent).toHaveLength(6);
  });

  it('stop removes every listener and the timer', () => {
    const t = setup();
    t.monitor.stop();
    t.pm.fire('lock-screen');
    t.tick();
    expect(t.sent).toEqual([]);
    expect(t.pm.eventNames()).toEqual([]);
  });

  it('a failing send (engine restarting) does not break the monitor', () => {
    const pm = new FakePowerMonitor();
    const m = createIdleMonitor({
      powerMonitor: pm,
      send: () => {
        throw new Error('port closed');
      },
      setInterval: () => 1,
      clearInterval: () => {},
    });
    expect(() => pm.fire('suspend')).not.toThrow();
    m.stop();
  });
});
