import { useState } from 'react';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';

/** When the nightly worker may run by itself. */
export function IdleRulesCard() {
  const api = useApi();
  const settings = useQuery('worker.settings', {});
  const [error, setError] = useState<unknown>(null);
  const save = async (patch: Record<string, number | boolean>) => {
    setError(null);
    try {
      await api.call('worker.settings', patch);
      settings.reload();
    } catch (err) {
      setError(err);
    }
  };
  const s = settings.data;
  return (
    <div className="card stack" aria-label="Idle rules">
      <h2>Idle rules</h2>
      <p className="muted small">
        The nightly worker runs only while you are away, so it never slows you down.
      </p>
      <ErrorNote error={error ?? settings.error} />
      {s ? (
        <div className="row-form wrap">
          <label className="check">
            <input
              type="checkbox"
              checked={s.enabled}
              onChange={(e) => void save({ enabled: e.target.checked })}
            />{' '}
            Run by itself
          </label>
          <label>
            After idle minutes
            <input
              type="number"
              min={1}
              max={1440}
              defaultValue={s.idleMinutes}
              onBlur={(e) => void save({ idleMinutes: Number(e.target.value) })}
            />
          </label>
          <label>
            Not before (hour)
            <input
              type="number"
              min={0}
              max={23}
              defaultValue={s.earliestHour}
              onBlur={(e) => void save({ earliestHour: Number(e.target.value) })}
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={s.requireAc}
              onChange={(e) => void save({ requireAc: e.target.checked })}
            />{' '}
            Only on mains power
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={s.backup}
              onChange={(e) => void save({ backup: e.target.checked })}
            />{' '}
            Back up after each run
          </label>
        </div>
      ) : null}
    </div>
  );
}
