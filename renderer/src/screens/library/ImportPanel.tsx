import { useState } from 'react';
import {
  filesProgress,
  type ImportEvent,
  type ImportSummary,
  type PageProgress,
} from '../../../../core/contract/methods/imports.ts';
import { useApi } from '../../api/api-context.tsx';
import { canDropFiles, droppedPaths } from '../../api/dropped-paths.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { baseName, formatMs, plural } from '../../format.ts';

interface FileRow {
  path: string;
  outcome: string;
  chunks: number;
  message?: string;
}

interface Progress {
  /** Files done, plus the read share of files being read page by page. */
  done: number;
  total: number;
  filesDone: number;
  pages: PageProgress[];
}

/** Import files and folders into one collection, with progress per file (and per page of large PDFs). */
export function ImportPanel({ collectionId, onImported }: { collectionId: number; onImported: () => void }) {
  const api = useApi();
  const [paths, setPaths] = useState('');
  const [tags, setTags] = useState('');
  const [running, setRunning] = useState<AbortController | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [files, setFiles] = useState<FileRow[]>([]);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);

  const run = async (list: string[]) => {
    if (list.length === 0 || running) return;
    const ac = new AbortController();
    setRunning(ac);
    setFiles([]);
    setSummary(null);
    setError(null);
    setProgress({ done: 0, total: 0, filesDone: 0, pages: [] });
    const onEvent = (e: ImportEvent) => {
      if (e.type === 'scanned') setProgress({ done: 0, total: e.filesTotal, filesDone: 0, pages: [] });
      else if (e.type === 'progress')
        setProgress({
          done: filesProgress(e),
          total: e.filesTotal,
          filesDone: e.filesDone,
          pages: e.pages ?? [],
        });
      else if (e.type === 'file')
        setFiles((f) => [
          ...f,
          { path: e.path, outcome: e.outcome, chunks: e.chunks, message: e.message ?? e.reason },
        ]);
    };
    try {
      const tagList = tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const result = await api.call(
        'import.run',
        { collection: collectionId, paths: list, ...(tagList.length ? { tags: tagList } : {}) },
        { signal: ac.signal, onEvent },
      );
      setSummary(result);
      setPaths('');
    } catch (err) {
      setError(err);
    } finally {
      setRunning(null);
      setProgress(null);
      onImported();
    }
  };

  const typed = paths
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <section
      className={`import-panel ${dragging ? 'dragging' : ''}`}
      aria-label="Import"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const dropped = droppedPaths(e.dataTransfer.files);
        if (dropped.length) void run(dropped);
        else
          setError(
            new Error('This browser cannot see where dropped files live: paste their path below instead.'),
          );
      }}
    >
      <form
        className="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(typed);
        }}
      >
        <label className="grow">
          {canDropFiles()
            ? 'Drop files or folders here, or type their paths'
            : 'Files or folders to import (one path per line)'}
          <textarea
            rows={2}
            value={paths}
            placeholder="/home/me/Documents/visa"
            onChange={(e) => setPaths(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void run(typed);
            }}
          />
        </label>
        <label>
          Tags
          <input value={tags} placeholder="kitas, 2026" onChange={(e) => setTags(e.target.value)} />
        </label>
        {running ? (
          <button type="button" className="danger" onClick={() => running.abort()}>
            Cancel import
          </button>
        ) : (
          <button type="submit" className="primary" disabled={typed.length === 0}>
            Import
          </button>
        )}
      </form>
      {progress ? (
        <div className="import-progress">
          <ProgressBar label="Import progress" done={progress.done} total={progress.total} />
          <span className="muted small">
            {progress.total
              ? `${progress.filesDone} of ${plural(progress.total, 'file')}`
              : 'Looking for files…'}
            {progress.pages.map((p) => (
              <span key={p.path} title={p.path}>
                {' '}
                · {baseName(p.path)}:{' '}
                {p.ocrPage
                  ? `OCR page ${p.ocrPage.toLocaleString()} of ${p.total.toLocaleString()}`
                  : `page ${p.done.toLocaleString()} of ${p.total.toLocaleString()}`}
              </span>
            ))}
          </span>
        </div>
      ) : null}
      <ErrorNote error={error} />
      {summary ? (
        <p className="import-summary" role="status">
          Import {summary.status}: {summary.imported} new, {summary.updated} updated, {summary.unchanged}{' '}
          unchanged
          {summary.duplicates ? `, ${summary.duplicates} duplicates` : ''}
          {summary.failed.length ? `, ${summary.failed.length} failed` : ''} —{' '}
          {plural(summary.chunks, 'passage')} in {formatMs(summary.durationMs)}.
        </p>
      ) : null}
      {files.length ? (
        <ul className="file-outcomes" aria-label="Imported files">
          {files.map((f, i) => (
            <li key={i} className={`outcome-${f.outcome}`}>
              <span className="badge">{f.outcome}</span> <span title={f.path}>{baseName(f.path)}</span>
              {f.chunks ? <span className="muted small"> · {plural(f.chunks, 'passage')}</span> : null}
              {f.message ? <span className="muted small"> — {f.message}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
