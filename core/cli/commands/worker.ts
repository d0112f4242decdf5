import type { Command } from 'commander';
import type { WorkerRunInfo } from '../../contract/methods/worker.ts';
import { positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { withClient } from '../session.ts';

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

export function registerWorker(program: Command, ctx: CliContext): void {
  const { io, signal } = ctx;
  const worker = program
    .command('worker')
    .description('the nightly worker: clusters questions, drafts golden answers, upkeep');

  worker
    .command('run')
    .option('--steps <list>', `only these steps (${STEPS.join(',')})`, (v: string) =>
      v.split(',').map((s) => s.trim()),
    )
    .option('--budget-tokens <n>', 'tokens the run may spend generating', Number)
    .option('--max-minutes <n>', 'stop generating after this many minutes', positiveInt)
    .option('--max-golden <n>', 'golden answers drafted at most', Number)
    .option('--min-asks <n>', 'questions asked at least this often get an answer (default 2)', positiveInt)
    .option('--no-backup', 'skip the scheduled backup')
    .description('run the worker now (continues a run stopped earlier today); Ctrl-C stops it')
    .action(
      async (
        o: {
          steps?: string[];
          budgetTokens?: number;
          maxMinutes?: number;
          maxGolden?: number;
          minAsks?: number;
          backup: boolean;
        },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        await withClient(opts, signal, async (client) => {
          const r = await client.call(
            'worker.run',
            {
              backup: o.backup,
              ...(o.steps ? { steps: o.steps as (typeof STEPS)[number][] } : {}),
              ...(o.budgetTokens !== undefined ? { budgetTokens: o.budgetTokens } : {}),
              ...(o.maxMinutes !== undefined ? { maxMinutes: o.maxMinutes } : {}),
              ...(o.maxGolden !== undefined ? { maxGolden: o.maxGolden } : {}),
              ...(o.minAsks !== undefined ? { minAsks: o.minAsks } : {}),
            },
            {
              onEvent: (e) => {
                if (opts.json || !io.isTTY) return;
                if (e.type === 'step') io.stderr(`${e.step}: ${e.status}${e.note ? ` — ${e.note}` : ''}\n`);
              },
            },
          );
          ctx.print(opts, renderRun(r), r);
        });
      },
    );

  worker
    .command('status')
    .description('whether the worker runs now, its last run and its settings')
    .action(async (_o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const s = await client.call('worker.status', {});
        const st = s.settings;
        const human = [
          s.running ? `Running: run ${s.running.id}` : 'Not running.',
          s.lastRun ? `Last run:\n${renderRun(s.lastRun)}` : 'No run yet.',
          `Settings: ${st.enabled ? 'runs by itself' : 'paused'} after ${st.idleMinutes} idle minutes${
            st.requireAc ? ' on AC power' : ''
          }${st.earliestHour ? ` from ${st.earliestHour}:00` : ''}, once a day; budget ${st.budgetTokens} tokens / ${
            st.budgetMinutes
          } min; backup ${st.backup ? 'on' : 'off'}.`,
          s.decision ? `Now: ${s.decision.action} (${s.decision.reason}).` : '',
        ].filter(Boolean);
        ctx.print(opts, human.join('\n'), s);
      });
    });

  worker
    .command('history')
    .option('-n, --limit <n>', 'how many runs', positiveInt, 10)
    .description('past runs')
    .action(async (o: { limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const runs = await client.call('worker.history', { limit: o.limit });
        const human = runs.length
          ? table(
              [
                'id',
                'trigger',
                'status',
                'started',
                'took',
                'clusters',
                'golden',
                'notes',
                'facts',
                'tokens',
              ],
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
          : 'No runs yet. `pustaka worker run` runs it now.';
        ctx.print(opts, human, runs);
      });
    });

  worker
    .command('settings')
    .option('--pause', 'never start by itself')
    .option('--resume', 'start by itself again when idle')
    .option('--idle-minutes <n>', 'idle minutes before it starts', positiveInt)
    .option('--require-ac <yes|no>', 'on laptops, wait for AC power')
    .option('--earliest-hour <h>', 'local hour from which it may start (0-23)', Number)
    .option('--budget-tokens <n>', 'tokens a run may spend', Number)
    .option('--budget-minutes <n>', 'minutes a run may take', positiveInt)
    .option('--backup <yes|no>', 'take a daily backup in the maintenance step')
    .description('show or change when the worker runs by itself')
    .action(
      async (
        o: {
          pause?: boolean;
          resume?: boolean;
          idleMinutes?: number;
          requireAc?: string;
          earliestHour?: number;
          budgetTokens?: number;
          budgetMinutes?: number;
          backup?: string;
        },
        cmd: Command,
      ) => {
        const opts = ctx.globals(cmd);
        const yes = (v: string) => {
          if (!/^(yes|no|true|false|on|off)$/i.test(v)) throw new Error(`"${v}" is not yes or no`);
          return /^(yes|true|on)$/i.test(v);
        };
        const patch = {
          ...(o.pause ? { enabled: false } : {}),
          ...(o.resume ? { enabled: true } : {}),
          ...(o.idleMinutes !== undefined ? { idleMinutes: o.idleMinutes } : {}),
          ...(o.requireAc !== undefined ? { requireAc: yes(o.requireAc) } : {}),
          ...(o.earliestHour !== undefined ? { earliestHour: o.earliestHour } : {}),
          ...(o.budgetTokens !== undefined ? { budgetTokens: o.budgetTokens } : {}),
          ...(o.budgetMinutes !== undefined ? { budgetMinutes: o.budgetMinutes } : {}),
          ...(o.backup !== undefined ? { backup: yes(o.backup) } : {}),
        };
        await withClient(opts, signal, async (client) => {
          const s = await client.call('worker.settings', patch);
          ctx.print(
            opts,
            Object.entries(s)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n'),
            s,
          );
        });
      },
    );

  worker
    .command('idle')
    .requiredOption('--idle-seconds <n>', 'seconds since the user last touched the machine', Number)
    .option('--on-battery', 'the machine runs on battery')
    .option('--locked', 'the screen is locked')
    .description('report idleness (what the desktop app does every minute); runs the worker now if it is due')
    .action(async (o: { idleSeconds: number; onBattery?: boolean; locked?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const d = await client.call('worker.activity', {
          idleSeconds: o.idleSeconds,
          onBattery: o.onBattery === true,
          locked: o.locked === true,
          suspended: false,
        });
        if (d.action !== 'start') return ctx.print(opts, `${d.action}: ${d.reason}`, d);
        // A one-shot CLI process waits for the run it started (a long-lived engine would not).
        const runs = await waitForRun(client, signal);
        ctx.print(opts, `start: ${d.reason}\n${runs ? renderRun(runs) : ''}`, { ...d, run: runs });
      });
    });
}

async function waitForRun(
  client: Parameters<Parameters<typeof withClient>[2]>[0],
  signal: AbortSignal,
): Promise<WorkerRunInfo | null> {
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
