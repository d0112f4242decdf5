import type { WorkerRunInfo } from '../../../../core/contract/methods/worker.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatDate, formatMs } from '../../format.ts';

export function WorkerRuns({ runs }: { runs: WorkerRunInfo[] }) {
  return (
    <table className="table" aria-label="Last runs">
      <thead>
        <tr>
          <th>Started</th>
          <th>Trigger</th>
          <th>Status</th>
          <th className="num">Golden</th>
          <th className="num">Notes</th>
          <th className="num">Facts</th>
          <th className="num">Tokens</th>
          <th className="num">Duration</th>
          <th>Steps</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td>{formatDate(r.startedAt)}</td>
            <td>{r.trigger}</td>
            <td>
              <StatusBadge status={r.status} />
              {r.error ? <div className="error-text small">{r.error}</div> : null}
            </td>
            <td className="num">{r.goldenGenerated}</td>
            <td className="num">{r.culturalGenerated}</td>
            <td className="num">{r.factsExtracted}</td>
            <td className="num">{(r.tokensIn + r.tokensOut).toLocaleString()}</td>
            <td className="num">{formatMs(r.durationMs)}</td>
            <td className="small">
              {Object.entries(r.steps)
                .map(([name, st]) => `${name} ${st.status}`)
                .join(' · ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
