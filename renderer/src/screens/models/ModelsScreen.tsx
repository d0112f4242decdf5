import { useState } from 'react';
import type { ModelInfo, ModelRole } from '../../../../core/contract/methods/models.ts';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { formatBytes } from '../../format.ts';
import { ModelImport } from './ModelImport.tsx';

/** Installed models and their roles, importing one, the recommended catalog and this machine. */
export function ModelsScreen() {
  const api = useApi();
  const models = useQuery('models.list', {});
  const catalog = useQuery('models.catalog', {});
  const hardware = useQuery('models.hardware', {});
  const [error, setError] = useState<unknown>(null);
  const [downloading, setDownloading] = useState<{ name: string; done: number; total: number } | null>(null);

  const reloadAll = () => {
    models.reload();
    catalog.reload();
    hardware.reload();
  };
  const use = async (m: ModelInfo, role: ModelRole) => {
    setError(null);
    try {
      await api.call('models.use', { model: m.id, role });
      reloadAll();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (m: ModelInfo) => {
    if (!window.confirm(`Remove ${m.name}?${m.linked ? '' : ' Its copied file is deleted.'}`)) return;
    try {
      await api.call('models.remove', { model: m.id });
      reloadAll();
    } catch (err) {
      setError(err);
    }
  };
  const download = async (name: string, verified: boolean) => {
    setError(null);
    setDownloading({ name, done: 0, total: 0 });
    try {
      await api.call(
        'models.download',
        { name, allowUnverified: !verified },
        {
          onEvent: (e) => setDownloading({ name, done: e.bytesDone, total: e.bytesTotal }),
        },
      );
      reloadAll();
    } catch (err) {
      setError(err);
    } finally {
      setDownloading(null);
    }
  };

  const plans = new Map((hardware.data?.plans ?? []).map((p) => [p.model, p]));
  const active = models.data?.active;
  return (
    <section className="content" aria-label="Models">
      <header className="content-head">
        <div>
          <h1>Models</h1>
          <p className="muted small">
            Chat: <strong>{active?.chat ?? 'none — answers are extractive'}</strong> · Embeddings for new
            collections: <strong>{active?.embedding ?? 'built-in'}</strong>
          </p>
        </div>
      </header>
      <ErrorNote error={error ?? models.error} onRetry={models.reload} />
      {!models.data ? (
        <Spinner label="Loading models" />
      ) : models.data.models.length === 0 ? (
        <div className="card">
          <h2>No model installed</h2>
          <p>
            Pustaka works without one: search is complete and answers quote the best passages. A local chat
            model (a GGUF file, 1–8 GB) writes answers in your words, offline. Import one below, or download
            one from the catalog.
          </p>
        </div>
      ) : (
        <table className="table" aria-label="Installed models">
          <thead>
            <tr>
              <th>Model</th>
              <th>Kind</th>
              <th>Size</th>
              <th>Quantization</th>
              <th>Load plan</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {models.data.models.map((m) => {
              const plan = plans.get(m.name);
              return (
                <tr key={m.id}>
                  <td>
                    <strong>{m.name}</strong>{' '}
                    {m.activeFor.map((r) => (
                      <span key={r} className="badge tone-ok">
                        {r}
                      </span>
                    ))}
                    {!m.fileExists ? (
                      <div className="error-text small">The file is missing: import it again.</div>
                    ) : null}
                  </td>
                  <td>{m.kind}</td>
                  <td>{formatBytes(m.sizeBytes)}</td>
                  <td>{m.quantization ?? '—'}</td>
                  <td className="small">{plan ? `${plan.fits ? '' : '⚠ '}${plan.reason}` : '—'}</td>
                  <td className="actions">
                    {m.kind === 'chat' && !m.activeFor.includes('chat') ? (
                      <button type="button" onClick={() => void use(m, 'chat')}>
                        Use for chat
                      </button>
                    ) : null}
                    {m.kind === 'embedding' && !m.activeFor.includes('embedding') ? (
                      <button type="button" onClick={() => void use(m, 'embedding')}>
                        Use for embeddings
                      </button>
                    ) : null}
                    <button type="button" className="danger-text" onClick={() => void remove(m)}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <ModelImport onDone={reloadAll} />
      <div className="card">
        <h2>Recommended models</h2>
        {downloading ? (
          <div>
            <ProgressBar label="Download progress" done={downloading.done} total={downloading.total} />
            <span className="muted small">
              {downloading.name}: {formatBytes(downloading.done)} of {formatBytes(downloading.total)}
            </span>
          </div>
        ) : null}
        <ErrorNote error={catalog.error} onRetry={catalog.reload} />
        <ul className="catalog">
          {(catalog.data ?? []).map((c) => (
            <li key={c.name}>
              <div>
                <strong>{c.title}</strong> <span className="badge">{c.role}</span>{' '}
                {!c.verified ? (
                  <span
                    className="badge tone-muted"
                    title="The catalog has no confirmed SHA-256 for this file"
                  >
                    unverified
                  </span>
                ) : null}
                <div className="muted small">
                  {c.fileName} · {formatBytes(c.sizeBytes)} · {c.quantization} · {c.licence}
                </div>
              </div>
              {c.installed ? (
                <span className="badge tone-ok">installed</span>
              ) : (
                <button
                  type="button"
                  disabled={downloading !== null}
                  onClick={() => void download(c.name, c.verified)}
                >
                  Download
                </button>
              )}
            </li>
          ))}
        </ul>
        <p className="muted small">Offline? Download the file on another computer and import it above.</p>
      </div>
      <div className="card">
        <h2>This computer</h2>
        {hardware.data ? (
          <dl className="facts">
            <dt>CPU</dt>
            <dd>
              {hardware.data.hardware.cpuModel} ({hardware.data.hardware.cpuCores} cores)
            </dd>
            <dt>Memory</dt>
            <dd>
              {formatBytes(hardware.data.hardware.ramFree)} free of{' '}
              {formatBytes(hardware.data.hardware.ramTotal)}
            </dd>
            <dt>GPU</dt>
            <dd>
              {hardware.data.hardware.gpu === false
                ? 'none — models run on the CPU'
                : `${hardware.data.hardware.gpuName ?? hardware.data.hardware.gpu} (${formatBytes(hardware.data.hardware.vramFree)} free)`}
            </dd>
            <dt>System</dt>
            <dd>
              {hardware.data.hardware.platform} {hardware.data.hardware.arch}
            </dd>
          </dl>
        ) : hardware.error ? (
          <ErrorNote error={hardware.error} onRetry={hardware.reload} />
        ) : (
          <Spinner label="Probing hardware" />
        )}
      </div>
    </section>
  );
}
