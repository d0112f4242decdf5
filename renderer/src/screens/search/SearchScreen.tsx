import { useEffect, useRef, useState } from 'react';
import type { SearchMode } from '../../../../core/contract/methods/search.ts';
import { useQuery } from '../../api/api-context.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Highlighted } from '../../components/Highlighted.tsx';
import { RebuildBanner } from '../../components/RebuildBanner.tsx';
import { useOpenPassage } from '../../components/passage-context.tsx';
import { baseName, formatMs } from '../../format.ts';
import { OcrMark } from '../../components/OcrBadge.tsx';

const TYPES = [
  'pdf',
  'docx',
  'pptx',
  'xlsx',
  'odt',
  'ods',
  'odp',
  'rtf',
  'email',
  'image',
  'html',
  'markdown',
  'text',
  'csv',
  'epub',
  'json',
  'code',
];

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** The heading path without a first heading that only repeats the document's title. */
function headings(title: string | null, path: string[]): string {
  return (path[0] === title ? path.slice(1) : path).join(' › ');
}

/** Instant hybrid search with highlights and filters; Ctrl/Cmd+K lands here from anywhere. */
export function SearchScreen() {
  const open = useOpenPassage();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [collection, setCollection] = useState('');
  const [type, setType] = useState('');
  const [tags, setTags] = useState('');
  const [mode, setMode] = useState<SearchMode>('hybrid');
  const query = useDebounced(text.trim(), 120);
  const collections = useQuery('collections.list', {});
  const tagList = tags
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const results = useQuery(
    'search',
    query
      ? {
          query,
          k: 20,
          mode,
          ...(collection ? { collections: [Number(collection)] } : {}),
          ...(type ? { types: [type] } : {}),
          ...(tagList.length ? { tags: tagList } : {}),
        }
      : null,
  );

  useEffect(() => {
    input.current?.focus();
  }, []);

  return (
    <section className="content search" aria-label="Search">
      <div className="search-bar">
        <input
          ref={input}
          type="search"
          aria-label="Search documents"
          placeholder="Search every passage…  (Ctrl+K)"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <div className="filters" aria-label="Filters">
        <select aria-label="Collection" value={collection} onChange={(e) => setCollection(e.target.value)}>
          <option value="">All collections</option>
          {(collections.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <select aria-label="File type" value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">Any type</option>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <input
          aria-label="Tags"
          placeholder="tags, comma-separated"
          value={tags}
          onChange={(e) => setTags(e.target.value)}
        />
        <select aria-label="Mode" value={mode} onChange={(e) => setMode(e.target.value as SearchMode)}>
          <option value="hybrid">Hybrid</option>
          <option value="keyword">Keywords only</option>
          <option value="vector">Meaning only</option>
        </select>
        {results.data && query ? (
          <span className="muted small" role="status">
            {results.data.items.length} results in {formatMs(results.data.tookMs)}
            {results.data.cached ? ' (cached)' : ''}
          </span>
        ) : null}
      </div>
      <ErrorNote error={results.error} onRetry={results.reload} />
      <RebuildBanner rebuilding={query ? results.data?.rebuilding : null} />
      {!query ? (
        <EmptyState title="Search your documents">
          <p>
            Type a few words — results appear as you type, best first, with the matching words marked. Narrow
            them by collection, file type or tag. Click a result to read it in its document.
          </p>
        </EmptyState>
      ) : results.data && results.data.items.length === 0 && !results.loading ? (
        <EmptyState title="No passage matches">
          <p>Try other words, fewer filters, or “Meaning only” to find passages that say it differently.</p>
        </EmptyState>
      ) : (
        <ol className="results" aria-label="Results" aria-busy={results.loading}>
          {(results.data?.items ?? []).map((item) => (
            <li key={item.chunkId}>
              <button
                type="button"
                className="result"
                onClick={() => open({ documentId: item.documentId, chunkId: item.chunkId })}
              >
                <span className="result-title">
                  {item.title ?? baseName(item.sourcePath)}
                  {headings(item.title, item.headingPath) ? (
                    <span className="muted"> › {headings(item.title, item.headingPath)}</span>
                  ) : null}
                  {item.page !== null ? <span className="muted"> · p. {item.page}</span> : null}
                  <OcrMark ocr={item.ocr} />
                </span>
                <span className="result-text">
                  <Highlighted text={item.text} highlights={item.highlights} />
                </span>
                <span className="muted small">{baseName(item.sourcePath)}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
