import { useState } from 'react';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { InlinePrompt } from '../../components/InlinePrompt.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { plural } from '../../format.ts';
import { CollectionList } from './CollectionList.tsx';
import { DocumentList } from './DocumentList.tsx';
import { ImportPanel } from './ImportPanel.tsx';

/** Collections, importing into them, and their documents. */
export function LibraryScreen() {
  const api = useApi();
  const collections = useQuery('collections.list', {});
  const [chosen, setChosen] = useState<number | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [renaming, setRenaming] = useState(false);
  const list = collections.data ?? [];
  const current = list.find((c) => c.id === chosen) ?? list[0] ?? null;

  const refresh = () => {
    collections.reload();
    setVersion((v) => v + 1);
  };
  const remove = async () => {
    if (!current) return;
    if (
      !window.confirm(
        `Delete the collection "${current.name}" with its ${plural(current.documentCount, 'document')}? Your files stay on disk.`,
      )
    )
      return;
    try {
      await api.call('collections.delete', { collection: current.id });
      setChosen(null);
      refresh();
    } catch (err) {
      setError(err);
    }
  };
  const setOcr = async (ocr: boolean) => {
    if (!current) return;
    try {
      await api.call('collections.setOcr', { collection: current.id, ocr });
      refresh();
    } catch (err) {
      setError(err);
    }
  };
  const rename = async (name: string) => {
    if (!current) return;
    setRenaming(false);
    if (name === current.name) return;
    try {
      await api.call('collections.rename', { collection: current.id, name });
      refresh();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="split">
      <CollectionList
        collections={list}
        selected={current?.id ?? null}
        onSelect={setChosen}
        onCreated={(c) => {
          setChosen(c.id);
          refresh();
        }}
      />
      <section className="content" aria-label="Library">
        <ErrorNote error={collections.error ?? error} onRetry={collections.reload} />
        {!collections.data ? (
          <Spinner label="Loading collections" />
        ) : !current ? (
          <EmptyState title="Your library is empty">
            <p>
              A <strong>collection</strong> groups documents on one subject — “Visa rules”, “Tax”, “Client X”.
              Create one on the left, then import PDFs, Word files, web pages, notes or whole folders into it.
            </p>
          </EmptyState>
        ) : (
          <>
            <header className="content-head">
              <div>
                <h1>{current.name}</h1>
                <p className="muted small">
                  {plural(current.documentCount, 'document')} · {plural(current.chunkCount, 'passage')} ·
                  embedder {current.embedderModel ?? 'built-in'} · chunks of {current.chunkSize} tokens
                </p>
              </div>
              <div className="actions">
                <label
                  className="check"
                  title="Read the text of scanned PDF pages and of pictures (PNG, JPEG, TIFF) when importing. Off: they are skipped; documents already imported keep their text until imported again."
                >
                  <input
                    type="checkbox"
                    checked={current.ocr}
                    onChange={(e) => void setOcr(e.currentTarget.checked)}
                  />{' '}
                  Read scans (OCR)
                </label>
                <button type="button" onClick={() => setRenaming(true)}>
                  Rename
                </button>
                <button type="button" className="danger-text" onClick={() => void remove()}>
                  Delete collection
                </button>
              </div>
            </header>
            {renaming ? (
              <InlinePrompt
                label="New name for the collection"
                initial={current.name}
                confirm="Rename"
                onCancel={() => setRenaming(false)}
                onConfirm={(name) => void rename(name)}
              />
            ) : null}
            <ImportPanel key={current.id} collectionId={current.id} onImported={refresh} />
            <DocumentList
              key={`d${current.id}`}
              collectionId={current.id}
              version={version}
              onChanged={refresh}
            />
          </>
        )}
      </section>
    </div>
  );
}
