import { useMemo, useState } from 'react';
import type { StatsResult } from '../../../../core/contract/methods/stats.ts';
import { useQuery } from '../../api/api-context.tsx';
import { Chart, type ChartSeries } from '../../components/Chart.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { formatDate, formatMs } from '../../format.ts';

const STAGE_LABELS: Record<string, string> = {
  cacheMs: 'cache',
  goldenMs: 'golden lookup',
  retrieveMs: 'retrieval',
  promptMs: 'prompt',
  firstTokenMs: 'first token',
  generateMs: 'generation',
  loadMs: 'model load',
  totalMs: 'total',
};

function perDaySeries(s: StatsResult) {
  const x = s.perDay.map((d) => Math.floor(Date.parse(`${d.day}T12:00:00Z`) / 1000));
  const paths: ChartSeries[] = [
    { label: 'generated', values: s.perDay.map((d) => d.rag), color: '--warn' },
    { label: 'golden', values: s.perDay.map((d) => d.golden), color: '--accent' },
    { label: 'cache', values: s.perDay.map((d) => d.cache), color: '--text' },
    { label: 'extractive', values: s.perDay.map((d) => d.extractive), color: '--muted' },
  ];
  const tokens: ChartSeries[] = [
    { label: 'tokens in', values: s.perDay.map((d) => d.tokensIn), color: '--accent' },
    { label: 'tokens out', values: s.perDay.map((d) => d.tokensOut), color: '--warn' },
  ];
  return { x, paths, tokens };
}

/** How the assistant is doing: questions, answer paths, latencies, tokens, and knowledge gaps. */
export function AnalyticsScreen() {
  const [days, setDays] = useState(30);
  const stats = useQuery('stats', { days });
  const s = stats.data;
  const charts = useMemo(() => (s ? perDaySeries(s) : null), [s]);
  return (
    <section className="content" aria-label="Analytics">
      <header className="content-head">
        <h1>Analytics</h1>
        <select aria-label="Period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
          <option value={365}>Last year</option>
        </select>
      </header>
      <ErrorNote error={stats.error} onRetry={stats.reload} />
      {!s || !charts ? (
        <Spinner label="Loading statistics" />
      ) : (
        <>
          <div className="tiles">
            <Tile label="Questions" value={s.totals.questions.toLocaleString()} />
            <Tile label="Conversations" value={s.totals.conversations.toLocaleString()} />
            <Tile label="Tokens" value={(s.totals.tokensIn + s.totals.tokensOut).toLocaleString()} />
            <Tile label="Errors" value={s.totals.errors.toLocaleString()} />
            {s.pathMix.map((p) => (
              <Tile
                key={p.path}
                label={p.path === 'rag' ? 'generated' : p.path}
                value={`${Math.round(p.share * 100)}%`}
              />
            ))}
          </div>
          <div className="charts">
            <Chart
              title="Questions per day, by answer path"
              time
              x={charts.x}
              xLabel="day"
              series={charts.paths}
            />
            <Chart title="Tokens per day" time x={charts.x} xLabel="day" series={charts.tokens} />
          </div>
          <div className="card">
            <h2>Where the time goes</h2>
            <table className="table" aria-label="Latency">
              <thead>
                <tr>
                  <th>Stage</th>
                  <th className="num">Questions</th>
                  <th className="num">Median</th>
                  <th className="num">95th percentile</th>
                </tr>
              </thead>
              <tbody>
                {s.latency
                  .filter((l) => l.count > 0)
                  .map((l) => (
                    <tr key={l.stage}>
                      <td>{STAGE_LABELS[l.stage] ?? l.stage}</td>
                      <td className="num">{l.count}</td>
                      <td className="num">{formatMs(l.p50)}</td>
                      <td className="num">{formatMs(l.p95)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          <div className="card">
            <h2>Questions your documents could not answer</h2>
            {s.gaps.length ? (
              <ul className="plain">
                {s.gaps.map((g) => (
                  <li key={g.normalizedQuestion}>
                    {g.question}{' '}
                    <span className="muted small">
                      — asked {g.count}×, last {formatDate(g.lastAskedAt)}
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted small">None in this period: every question found relevant passages.</p>
            )}
            <p className="muted small">Import documents that cover these topics and ask again.</p>
          </div>
        </>
      )}
    </section>
  );
}

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div className="tile">
      <span className="tile-value">{value}</span>
      <span className="muted small">{label}</span>
    </div>
  );
}
