import { useState } from 'react';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { WorkerCharts } from './WorkerCharts.tsx';
import { WorkerRuns } from './WorkerRuns.tsx';

/** The nightly worker: what it does now, running it on demand, pausing it, and its past runs. */
export function WorkerScreen() {
  const api = useApi();
  const status = useQuery('worker.status', {});
  const history = useQuery('worker.history', { limit: 60 });
  const [step, setStep] = useState<{ step: string; message: string; done?: number; total?: number } | null>(
    null,
  );
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const s = status.data;

  const reload = () => {
    status.reload();
    history.reload();
  };
  const runNow = async () => {
    setRunning(true);
    setError(null);
    setStep({ step: 'starting', message: 'Starting…' });
    try {
      await api.call(
        'worker.run',
        {},
        {
          onEvent: (e) =>
            setStep(
              e.type === 'progress'
                ? { step: e.step, message: e.message, done: e.done, total: e.total }
                : { step: e.step, message: `${e.step}: ${e.status}${e.note ? ` — ${e.note}` : ''}` },
            ),
        },
      );
    } catch (err) {
      setError(err);
    } finally {
      setRunning(false);
      setStep(null);
      reload();
    }
  };
  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      reload();
    } catch (err) {
      setError(err);
    }
  };

  const busy = running || Boolean(s?.running);
  return (
    <section className="content" aria-label="Worker">
      <header className="content-head">
        <div>
          <h1>Nightly worker</h1>
          <p className="muted small">
            While the computer is idle it groups your frequent questions, drafts golden answers and context
            notes, learns from conversations, and tidies the stores.
          </p>
        </div>
        <div className="actions">
          {busy ? (
            <button
              type="button"
              className="danger"
              onClick={() => void act(() => api.call('worker.stop', {}))}
            >
              Stop
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void runNow()}>
              Run now
            </button>
          )}
          {s ? (
            <button
              type="button"
              onClick={() => void act(() => api.call('worker.settings', { enabled: !s.settings.enabled }))}
            >
              {s.settings.enabled ? 'Pause' : 'Resume'}
            </button>
          ) : null}
        </div>
      </header>
      <ErrorNote error={error ?? status.error} onRetry={status.reload} />
      {step ? (
        <div className="card" role="status" aria-label="Worker progress">
          <ProgressBar label="Worker progress" done={step.done} total={step.total} />
          <p className="small">{step.message}</p>
        </div>
      ) : null}
      {!s ? (
        <Spinner label="Loading worker status" />
      ) : (
        <div className="card">
          <dl className="facts">
            <dt>State</dt>
            <dd>
              {s.running
                ? 'running now'
                : s.settings.enabled
                  ? 'waiting for an idle moment'
                  : 'paused — it runs only when you press Run now'}
            </dd>
            {s.decision ? (
              <>
                <dt>Next</dt>
                <dd>{s.decision.reason}</dd>
              </>
            ) : null}
            <dt>Runs when</dt>
            <dd>
              idle ≥ {s.settings.idleMinutes} min{s.settings.requireAc ? ', on mains power' : ''}, from{' '}
              {String(s.settings.earliestHour).padStart(2, '0')}:00, at most {s.settings.budgetMinutes} min
              and {s.settings.budgetTokens.toLocaleString()} tokens
            </dd>
          </dl>
        </div>
      )}
      <ErrorNote error={history.error} onRetry={history.reload} />
      {history.data && history.data.length ? (
        <>
          <WorkerCharts runs={history.data} />
          <WorkerRuns runs={history.data.slice(0, 15)} />
        </>
      ) : history.data ? (
        <p className="muted">
          No run yet. Press “Run now” to see what it does — it takes a minute or two without a chat model.
        </p>
      ) : null}
    </section>
  );
}
