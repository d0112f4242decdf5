import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { EngineState } from '../../core/contract/bridge.ts';
import { backoffDelay, createEngineSupervisor, type EngineProcess } from './engine-supervisor.ts';

/** A stand-in for Electron's utilityProcess: the test decides when it is ready or dies. */
class FakeEngine extends EventEmitter implements EngineProcess {
  posted: unknown[] = [];
  killed = false;
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  onMessage(l: (m: unknown) => void) {
    this.on('message', l);
  }
  onExit(l: (code: number) => void) {
    this.on('exit', l);
  }
  kill() {
    this.killed = true;
    this.emit('exit', 15);
  }
  ready() {
    this.emit('message', { type: 'ready' });
  }
  die(code = 1) {
    this.emit('exit', code);
  }
}

function setup(maxRestarts = 3) {
  let clock = 0;
  const timers: { fn: () => void; ms: number }[] = [];
  const spawned: FakeEngine[] = [];
  const states: EngineState[] = [];
  const readies: EngineProcess[] = [];
  const sup = createEngineSupervisor({
    spawn: () => {
      const e = new FakeEngine();
      spawned.push(e);
      return e;
    },
    onState: (s) => states.push(s),
    onReady: (e) => readies.push(e),
    maxRestarts,
    backoffBaseMs: 100,
    backoffMaxMs: 1_000,
    stableMs: 60_000,
    now: () => clock,
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => timers.splice(timers.indexOf(t as (typeof timers)[number]), 1),
  });
  const fire = () => timers.shift()!.fn();
  return { sup, spawned, states, readies, timers, fire, advance: (ms: number) => (clock += ms) };
}

describe('engine supervisor', () => {
  it('starts, reports ready and hands the ready engine out', () => {
    const t = setup();
    t.sup.start();
    expect(t.sup.current()).toBeNull(); // not ready yet: no ports for it
    t.spawned[0]!.ready();
    expect(t.states.map((s) => s.status)).toEqual(['starting', 'ready']);
    expect(t.readies).toEqual([t.spawned[0]]);
    expect(t.sup.current()).toBe(t.spawned[0]);
  });

  it('restarts a crashed engine with exponential back-off, then gives up with the reason', () => {
    const t = setup(3);
    t.sup.start();
    t.spawned[0]!.ready();
    for (let i = 0; i < 3; i++) {
      t.spawned.at(-1)!.die(139);
      expect(t.sup.state()).toMatchObject({
        status: 'restarting',
        message: expect.stringContaining('exit code 139'),
      });
      expect(t.sup.current()).toBeNull();
      expect(t.timers.map((x) => x.ms)).toEqual([100 * 2 ** i]);
      t.fire();
    }
    expect(t.spawned).toHaveLength(4);
    t.spawned.at(-1)!.die(139);
    expect(t.sup.state()).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('gave up after 3'),
    });
    expect(t.timers).toHaveLength(0);
    expect(backoffDelay(10, 100, 1_000)).toBe(1_000);
  });

  it('an engine that stayed up long enough earns a fresh restart budget', () => {
    const t = setup(1);
    t.sup.start();
    t.spawned[0]!.ready();
    t.spawned[0]!.die();
    t.fire();
    t.spawned[1]!.ready();
    t.advance(61_000);
    t.spawned[1]!.die();
    expect(t.sup.state().status).toBe('restarting');
    t.fire();
    t.spawned[2]!.die(); // died at once: budget spent
    expect(t.sup.state().status).toBe('failed');
  });

  it('does not retry errors a restart cannot fix (data dir in use)', () => {
    const t = setup();
    t.sup.start();
    const msg = 'the data folder is in use by another Pustaka (pid 42)';
    t.spawned[0]!.emit('message', { type: 'fatal', code: 'data_dir_in_use', message: msg });
    t.spawned[0]!.die(1);
    expect(t.sup.state()).toEqual({ status: 'failed', message: msg });
    expect(t.timers).toHaveLength(0);
    expect(t.spawned).toHaveLength(1);
  });

  it('stop asks the engine to shut down, kills it after the grace time, and never restarts', async () => {
    const t = setup();
    t.sup.start();
    t.spawned[0]!.ready();
    const stopped = t.sup.stop(2_000);
    expect(t.spawned[0]!.posted).toEqual([{ type: 'shutdown' }]);
    expect(t.timers.map((x) => x.ms)).toEqual([2_000]);
    t.fire(); // the grace time runs out
    await stopped;
    expect(t.spawned[0]!.killed).toBe(true);
    expect(t.spawned).toHaveLength(1);
    expect(t.sup.state().status).toBe('ready'); // no 'restarting' after a deliberate stop
  });
});
