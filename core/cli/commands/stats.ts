import type { Command } from 'commander';
import type { StatsResult } from '../../contract/methods/stats.ts';
import { positiveInt, type CliContext } from '../context.ts';
import { plural, table } from '../format.ts';
import { withClient } from '../with-client.ts';
import { formatDuration } from './clients.ts';

const PATH_LABEL: Record<string, string> = {
  cache: 'cache',
  golden: 'golden',
  rag: 'generated',
  extractive: 'extractive',
};
const PATH_MARK: Record<string, string> = { cache: '░', golden: '▒', rag: '█', extractive: '▓' };

/** A horizontal bar of `width` cells for value / max. */
export function bar(value: number, max: number, width = 30, mark = '█'): string {
  if (max <= 0 || value <= 0) return '';
  return mark.repeat(Math.max(1, Math.round((value / max) * width)));
}

const fmtMs = (v: number | null) =>
  v === null ? '—' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;

export function renderStats(s: StatsResult): string {
  const out: string[] = [];
  out.push(
    `${s.from.slice(0, 10)} → ${s.to.slice(0, 10)} (${plural(s.days, 'day')}): ${plural(s.totals.questions, 'question')} in ` +
      `${plural(s.totals.conversations, 'conversation')}, ${s.totals.tokensIn.toLocaleString('en-US')} → ` +
      `${s.totals.tokensOut.toLocaleString('en-US')} tokens` +
      (s.totals.errors ? `, ${plural(s.totals.errors, 'error')}` : ''),
  );

  out.push('', 'Questions per day  (█ generated  ▓ extractive  ▒ golden  ░ cache)');
  const shown = s.perDay.length > 31 ? s.perDay.slice(-31) : s.perDay;
  const max = Math.max(1, ...shown.map((d) => d.questions));
  for (const d of shown) {
    const stacked = (['rag', 'extractive', 'golden', 'cache'] as const)
      .map((p) => PATH_MARK[p]!.repeat(Math.round((d[p] / max) * 40)))
      .join('');
    out.push(`${d.day}  ${String(d.questions).padStart(4)}  ${stacked}`);
  }
  if (s.perDay.length > shown.length) out.push(`(last 31 of ${s.perDay.length} days; --json for all)`);

  out.push('', 'Answer paths');
  const maxPath = Math.max(1, ...s.pathMix.map((p) => p.count));
  for (const p of s.pathMix) {
    out.push(
      `${PATH_LABEL[p.path]!.padEnd(11)} ${String(p.count).padStart(5)}  ${(p.share * 100).toFixed(1).padStart(5)}%  ${bar(p.count, maxPath, 30, PATH_MARK[p.path])}`,
    );
  }

  const stages = s.latency.filter((l) => l.count > 0);
  out.push('', 'Latency per stage');
  out.push(
    stages.length
      ? table(
          ['STAGE', 'N', 'P50', 'P95', 'P99'],
          stages.map((l) => [l.stage.replace(/Ms$/u, ''), l.count, fmtMs(l.p50), fmtMs(l.p95), fmtMs(l.p99)]),
        )
      : '(no questions in the period)',
  );

  out.push('', 'Knowledge gaps (questions the documents could not answer)');
  out.push(
    s.gaps.length
      ? table(
          ['ASKED', 'QUESTION', 'NOTHING FOUND', 'BEST SCORE', 'LAST'],
          s.gaps.map((g) => [
            g.count,
            g.question.length > 60 ? `${g.question.slice(0, 59)}…` : g.question,
            g.nothingFound,
            g.bestScore === null ? '—' : g.bestScore.toFixed(3),
            g.lastAskedAt.slice(0, 10),
          ]),
        )
      : '(none)',
  );

  out.push(
    '',
    `Clients: ${s.crm.clients} active, ${s.crm.proposedClients} proposed · projects: ${s.crm.projects} (${s.crm.activeProjects} active) · ` +
      `tracked in the period: ${formatDuration(s.crm.trackedSeconds)} in ${plural(s.crm.sessions, 'session')}`,
    `Memory: ${plural(s.memory.facts, 'active fact')}, ${s.memory.superseded} superseded, ${plural(s.memory.entities, 'entity', 'entities')}`,
  );
  if (s.metrics.length) {
    out.push(
      '',
      'Measurements',
      table(
        ['NAME', 'N', 'AVG', 'P50', 'P95', 'LAST', 'UNIT'],
        s.metrics.map((m) => [
          m.name,
          m.count,
          +m.avg.toFixed(2),
          +m.p50.toFixed(2),
          +m.p95.toFixed(2),
          +m.last.toFixed(2),
          m.unit ?? '',
        ]),
      ),
    );
  }
  return out.join('\n');
}

export function registerStats(program: Command, ctx: CliContext): void {
  program
    .command('stats')
    .option('--days <n>', 'the period: this many days up to today (default 30)', positiveInt, 30)
    .option('--top <n>', 'knowledge gaps to list (default 10)', positiveInt, 10)
    .option('--low-score <x>', 'also count answers whose best passage scored below x as gaps', Number)
    .description(
      'how the assistant is doing: questions per day, answer paths, latencies, tokens, knowledge gaps',
    )
    .action(async (o: { days: number; top: number; lowScore?: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, ctx.signal, async (client) => {
        const s = await client.call('stats', {
          days: o.days,
          top: o.top,
          ...(o.lowScore !== undefined ? { lowScore: o.lowScore } : {}),
        });
        ctx.print(opts, renderStats(s), s);
      });
    });
}
