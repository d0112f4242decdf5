import type { Command } from 'commander';
import type { WorkerRunInfo } from '../../contract/methods/worker.ts';
import { positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import type { ApiClient } from '../../contract/client.ts';
import { addCommands, command, required } from '../command.ts';

const STEPS = ['cluster', 'golden', 'cultural', 'memory', 'maintenance'] as const;

const secs = (ms: number | null | undefined) => (ms == null ? '' : `${(ms / 1000).toFixed(1)} s`);

export function renderRun(r: WorkerRunInfo): string {
  const lines = [
    `Run ${r.id} (${r.trigger}) — ${r.status}, ${secs(r.durationMs)}, started ${r.startedAt}`,
    `  ${plural(r.clustersFound, 'cluster')} updated, ${plural(r.goldenGenerated, 'golden answer')}, ${plural(
      r.culturalGenerated,
      'context note',
    )}, ${plural(r.factsExtracted, 'fact')}; tokens ${r.tokensIn} in / ${r.tokensOut} out`,
  ];
  for (const name of STEPS) {
    const s = r.steps[name];
    if (!s) continue;
    lines.push(
      `  ${name.padEnd(12)} ${s.status.padEnd(8)} ${secs(s.ms).padStart(8)}  ${s.error ?? s.note ?? ''}`,
    );
  }
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines.join('\n');
}

interface RunOptions {
  steps?: string[];
  budgetTokens?: number;
  maxMinutes?: number;
  maxGolden?: number;
  minAsks?: number;
  backup: boolean;
}

const runNow = command({
  name: 'run',
  options: [
    [
      '--steps <list>',
      `only these steps (${STEPS.join(',')})`,
      (v: string) => v.split(',').map((s) => s.trim()),
    ],
    ['--budget-tokens <n>', 'tokens the run may spend generating', Number],
    ['--max-minutes <n>', 'stop generating after this many minutes', positiveInt],
    ['--max-golden <n>', 'golden answers drafted at most', Number],
    ['--min-asks <n>', 'questions asked at least this often get an answer (default 2)', positiveInt],
    ['--no-backup', 'skip the scheduled backup'],
  ],
  description: 'run the worker now (continues a run stopped earlier today); Ctrl-C stops it',
  method: 'worker.run',
  params: (_a, o: RunOptions) => ({
    backup: o.backup,
    ...(o.steps ? { steps: o.steps as (typeof STEPS)[number][] } : {}),
    ...(o.budgetTokens !== undefined ? { budgetTokens: o.budgetTokens } : {}),
    ...(o.maxMinutes !== undefined ? { maxMinutes: o.maxMinutes } : {}),
    ...(o.maxGolden !== undefined ? { maxGolden: o.maxGolden } : {}),
    ...(o.minAsks !== undefined ? { minAsks: o.minAsks } : {}),
  }),
  events: (io) => ({
    onEvent: (e) => {
      if (!io.isTTY) return;
      if (e.type === 'step') io.stderr(`${e.step}: ${e.status}${e.note ? ` — ${e.note}` : ''}\n`);
    },
  }),
  human: renderRun,
});

const status = command({
  name: 'status',
  description: 'whether the worker runs now, its last run and its settings',
  method: 'worker.status',
  params: () => ({}),
  human: (s) => {
    const st = s.settings;
    return [
      s.running ? `Running: run ${s.running.id}` : 'Not running.',
      s.lastRun ? `Last run:\n${renderRun(s.lastRun)}` : 'No run yet.',
      `Settings: ${st.enabled ? 'runs by itself' : 'paused'} after ${st.idleMinutes} idle minutes${
        st.requireAc ? ' on AC power' : ''
      }${st.earliestHour ? ` from ${st.earliestHour}:00` : ''}, once a day; budget ${st.budgetTokens} tokens / ${
        st.budgetMinutes
      } min; backup ${st.backup ? 'on' : 'off'}.`,
      s.decision ? `Now: ${s.decision.action} (${s.decision.reason}).` : '',
    ]
      .filter(Boolean)
      .join('\n');
  },
});

const history = command({
  name: 'history',
  options: [['-n, --limit <n>', 'how many runs', positiveInt, 10]],
  description: 'past runs',
  method: 'worker.history',
  params: (_a, o: { limit: number }) => ({ limit: o.limit }),
  human: (runs) =>
    runs.length
      ? table(
          ['id', 'trigger', 'status', 'started', 'took', 'clusters', 'golden', 'notes', 'facts', 'tokens'],
          runs.map((r) => [
            r.id,
            r.trigger,
            r.status,
            r.startedAt.slice(0, 16).replace('T', ' '),
            secs(r.durationMs),
            r.clustersFound,
            r.goldenGenerated,
            r.culturalGenerated,
            r.factsExtracted,
            r.tokensIn + r.tokensOut,
          ]),
        )
      : 'No runs yet. `pustaka worker run` runs it now.',
});

interface SettingsOptions {
  pause?: boolean;
  resume?: boolean;
  idleMinutes?: number;
  requireAc?: string;
  earliestHour?: number;
  budgetTokens?: number;
  budgetMinutes?: number;
  backup?: string;
}

function yes(v: string): boolean {
  if (!/^(yes|no|true|false|on|off)$/i.test(v)) throw new Error(`"${v}" is not yes or no`);
  return /^(yes|true|on)$/i.test(v);
}

const settings = command({
  name: 'settings',
  options: [
    ['--pause', 'never start by itself'],
    ['--resume', 'start by itself again when idle'],
    ['--idle-minutes <n>', 'idle minutes before it starts', positiveInt],
    ['--require-ac <yes|no>', 'on laptops, wait for AC power'],
    ['--earliest-hour <h>', 'local hour from which it may start (0-23)', Number],
    ['--budget-tokens <n>', 'tokens a run may spend', Number],
    ['--budget-minutes <n>', 'minutes a run may take', positiveInt],
    ['--backup <yes|no>', 'take a daily backup in the maintenance step'],
  ],
  description: 'show or change when the worker runs by itself',
  method: 'worker.settings',
  params: (_a, o: SettingsOptions) => ({
    ...(o.pause ? { enabled: false } : {}),
    ...(o.resume ? { enabled: true } : {}),
    ...(o.idleMinutes !== undefined ? { idleMinutes: o.idleMinutes } : {}),
    ...(o.requireAc !== undefined ? { requireAc: yes(o.requireAc) } : {}),
    ...(o.earliestHour !== undefined ? { earliestHour: o.earliestHour } : {}),
    ...(o.budgetTokens !== undefined ? { budgetTokens: o.budgetTokens } : {}),
    ...(o.budgetMinutes !== undefined ? { budgetMinutes: o.budgetMinutes } : {}),
    ...(o.backup !== undefined ? { backup: yes(o.backup) } : {}),
  }),
  human: (s) =>
    Object.entries(s)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
});

const idle = command({
  name: 'idle',
  options: [
    required('--idle-seconds <n>', 'seconds since the user last touched the machine', Number),
    ['--on-battery', 'the machine runs on battery'],
    ['--locked', 'the screen is locked'],
  ],
  description: 'report idleness (what the desktop app does every minute); runs the worker now if it is due',
  method: 'worker.activity',
  params: (_a, o: { idleSeconds: number; onBattery?: boolean; locked?: boolean }) => ({
    idleSeconds: o.idleSeconds,
    onBattery: o.onBattery === true,
    locked: o.locked === true,
    suspended: false,
  }),
  // A one-shot CLI process waits for the run it started (a long-lived engine would not).
  after: async (client, d, _a, _o, { signal }) =>
    d.action !== 'start' ? d : { ...d, run: await waitForRun(client, signal) },
  human: (d) =>
    'run' in d ? `start: ${d.reason}\n${d.run ? renderRun(d.run) : ''}` : `${d.action}: ${d.reason}`,
});

export function registerWorker(program: Command, ctx: CliContext): void {
  const worker = program
    .command('worker')
    .description('the nightly worker: clusters questions, drafts golden answers, upkeep');
  addCommands(worker, ctx, [runNow, status, history, settings, idle]);
}

async function waitForRun(client: ApiClient, signal: AbortSignal): Promise<WorkerRunInfo | null> {
  for (;;) {
    const s = await client.call('worker.status', {});
    if (!s.running) return s.lastRun;
    if (signal.aborted) {
      await client.call('worker.stop', {});
      return null;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
