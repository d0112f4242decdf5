import { useState } from 'react';
import type { ModelProgressEvent } from '../../../../core/contract/methods/models.ts';
import { useApi } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { formatBytes } from '../../format.ts';

/** Import a GGUF file from disk: validated first, then copied (or linked in place). */
export function ModelImport({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const [path, setPath] = useState('');
  const [link, setLink] = useState(false);
  const [progress, setProgress] = useState<ModelProgressEvent | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await api.call('models.import', { path: path.trim(), link }, { onEvent: setProgress });
      setDone(r.alreadyPresent ? `${r.model.name} was already installed.` : `${r.model.name} is installed.`);
      setPath('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  return (
    <form
      className="card stack"
      aria-label="Import a model"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) void run();
      }}
    >
      <h2>Import a GGUF file</h2>
      <p className="muted small">
        From a download or a USB stick. The file is checked before it is ever loaded; a broken file is refused
        with the reason.
      </p>
      <div className="row-form">
        <label className="grow">
          Path of the .gguf file
          <input
            value={path}
            placeholder="/home/me/Downloads/Llama-3.2-1B-Instruct-Q4_K_M.gguf"
            onChange={(e) => setPath(e.target.value)}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={link} onChange={(e) => setLink(e.target.checked)} /> Use in place
          (no copy)
        </label>
        <button type="submit" className="primary" disabled={busy || !path.trim()}>
          Import
        </button>
      </div>
      {progress ? (
        <div>
          <ProgressBar label="Model import progress" done={progress.bytesDone} total={progress.bytesTotal} />
          <span className="muted small">
            {progress.phase}: {formatBytes(progress.bytesDone)} of {formatBytes(progress.bytesTotal)}
          </span>
        </div>
      ) : null}
      <ErrorNote error={error} />
      {done ? <p role="status">{done}</p> : null}
    </form>
  );
}
