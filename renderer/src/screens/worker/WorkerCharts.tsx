import { useMemo } from 'react';
import type { WorkerRunInfo } from '../../../../core/contract/methods/worker.ts';
import { Chart, type ChartSeries } from '../../components/Chart.tsx';

/** Answers generated, tokens and durations per run, oldest to newest. */
export function WorkerCharts({ runs }: { runs: WorkerRunInfo[] }) {
  const charts = useMemo(() => {
    const ordered = [...runs].reverse();
    const x = ordered.map((r) => r.id);
    const made: ChartSeries[] = [
      { label: 'golden answers', values: ordered.map((r) => r.goldenGenerated), color: '--accent' },
      { label: 'context notes', values: ordered.map((r) => r.culturalGenerated), color: '--warn' },
      { label: 'facts', values: ordered.map((r) => r.factsExtracted), color: '--muted' },
    ];
    const tokens: ChartSeries[] = [
      { label: 'tokens in', values: ordered.map((r) => r.tokensIn), color: '--accent' },
      { label: 'tokens out', values: ordered.map((r) => r.tokensOut), color: '--warn' },
    ];
    const durations: ChartSeries[] = [
      {
        label: 'minutes',
        values: ordered.map((r) => (r.durationMs === null ? null : Math.round(r.durationMs / 600) / 100)),
        color: '--accent',
      },
    ];
    return { x, made, tokens, durations };
  }, [runs]);
  return (
    <div className="charts">
      <Chart title="Generated per run" x={charts.x} xLabel="run" series={charts.made} />
      <Chart title="Tokens per run" x={charts.x} xLabel="run" series={charts.tokens} />
      <Chart title="Duration per run" x={charts.x} xLabel="run" series={charts.durations} />
    </div>
  );
}
