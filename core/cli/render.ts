import type { Collection } from '../contract/methods/collections.ts';
import type { Status } from '../operations/status/status.ts';
import { formatBytes, plural, table } from './format.ts';
import { rebuildProgress } from './render-rebuild.ts';

export function renderStatus(s: Status): string {
  const c = s.counts;
  const rows: [string, string][] = [
    ['Data dir', s.dataDir],
    ['Schema', `Postgres ${s.schema.pg} · vectors ${s.schema.vectors}`],
    [
      'Engine',
      `opened in ${s.engine.startupMs} ms (${s.engine.clusterOrigin === 'existing' ? 'existing data' : `new data dir from ${s.engine.clusterOrigin}`}) · RSS ${formatBytes(s.engine.rssBytes)}`,
    ],
    [
      'Stores',
      `Postgres ${formatBytes(s.stores.pgBytes)} · collections.db ${formatBytes(s.stores.collectionsDbBytes)} (WAL ${formatBytes(s.stores.collectionsWalBytes)}) · models ${formatBytes(s.stores.modelsBytes)}`,
    ],
    [
      'Knowledge',
      `${plural(c.collections, 'collection')} · ${plural(c.documents, 'document')} · ${plural(c.chunks, 'chunk')}`,
    ],
    [
      'Assistant',
      `${plural(c.conversations, 'conversation')} · ${plural(c.messages, 'message')} · ${plural(c.goldenAnswers, 'golden answer')} · ${plural(c.memoryFacts, 'memory fact')} · ${plural(c.clients, 'client')}`,
    ],
    [
      'Versions',
      `Node ${s.versions.node} · PGlite ${s.versions.pglite} (PostgreSQL ${s.versions.postgres}) · SQLite ${s.versions.sqlite} · sqlite-vec ${s.versions.sqliteVec}`,
    ],
    ['Caches', s.caches.map((k) => `${k.name} ${k.size}/${k.max}`).join(' · ')],
  ];
  if (s.rebuilding)
    rows.splice(5, 0, [
      'Index',
      `being rebuilt from the source files: ${rebuildProgress(s.rebuilding)}${s.rebuilding.running ? '' : ' (waiting: run `pustaka import --resume`)'}; searches are incomplete`,
    ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${s.app.name} ${s.app.version}`, ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)].join('\n');
}

export function renderCollections(list: Collection[]): string {
  if (list.length === 0) return 'No collections yet. Create one with: pustaka collections create NAME';
  return table(
    ['ID', 'Name', 'Documents', 'Chunks', 'Embedder', 'Created'],
    list.map((c) => [c.id, c.name, c.documentCount, c.chunkCount, c.embedderId, c.createdAt.slice(0, 10)]),
  );
}

export function renderCollection(c: Collection): string {
  return [
    `${c.name} (id ${c.id})`,
    c.description ? `  ${c.description}` : null,
    `  ${plural(c.documentCount, 'document')} · ${plural(c.chunkCount, 'chunk')}`,
    `  embedder ${c.embedderId} (${c.embeddingDim}-d) · chunks of ${c.chunkSize} tokens, overlap ${c.chunkOverlap}`,
    `  OCR ${c.ocr ? 'on: scanned pages and pictures are read' : 'off: scanned pages and pictures are not read'}`,
  ]
    .filter((l) => l !== null)
    .join('\n');
}
