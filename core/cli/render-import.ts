import type { DocumentInfo, DocumentRef } from '../contract/methods/documents.ts';
import type { ImportSummary } from '../contract/methods/imports.ts';
import type { ReembedResult } from '../knowledge/import/reembed-job.ts';
import { formatBytes, plural, table } from './format.ts';

export function renderImportSummary(s: ImportSummary): string {
  const secs = s.durationMs / 1000;
  const processed = s.imported + s.updated;
  const head =
    s.status === 'cancelled'
      ? `Import into "${s.collection.name}" cancelled after ${secs.toFixed(1)} s (job ${s.jobId}; run \`pustaka import --resume\` to continue).`
      : `Import into "${s.collection.name}" finished in ${secs.toFixed(1)} s (job ${s.jobId}).`;
  const lines = [
    head,
    `  ${s.imported} new · ${s.updated} updated · ${s.unchanged} unchanged · ${s.duplicates} duplicates · ${s.failed.length} failed${s.removed ? ` · ${s.removed} removed` : ''}`,
    `  ${plural(s.chunks, 'chunk')} from ${formatBytes(s.bytes)}${processed && secs > 0 ? ` · ${(processed / secs).toFixed(1)} files/s · ${(s.chunks / secs).toFixed(0)} chunks/s` : ''}`,
  ];
  if (s.ignored.total) {
    const why = Object.entries(s.ignored.byReason)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(`  ignored ${plural(s.ignored.total, 'file')} (${why})`);
  }
  if (s.failed.length) {
    lines.push('', `Failed (${s.failed.length}):`);
    for (const f of s.failed.slice(0, 50)) lines.push(`  ✗ ${f.message}`);
    if (s.failed.length > 50) lines.push(`  … and ${s.failed.length - 50} more (see --json)`);
  }
  if (s.warnings.length) {
    lines.push('', `Warnings (${s.warnings.length}):`);
    for (const w of s.warnings.slice(0, 50)) lines.push(`  ! ${w.message}`);
    if (s.warnings.length > 50) lines.push(`  … and ${s.warnings.length - 50} more (see --json)`);
  }
  return lines.join('\n');
}

export function renderDocuments(total: number, items: DocumentInfo[]): string {
  if (total === 0) return 'No documents.';
  const t = table(
    ['ID', 'Status', 'Type', 'Chunks', 'Pages', 'Size', 'Path'],
    items.map((d) => [
      d.id,
      d.status,
      d.fileType ?? '?',
      d.chunkCount,
      d.pageCount ?? '',
      d.sizeBytes === null ? '' : formatBytes(d.sizeBytes),
      d.sourcePath,
    ]),
  );
  return items.length < total ? `${t}\n(${items.length} of ${total}; use --limit/--offset)` : t;
}

/** "  OCR      pages 1–3 (confidence 94) · low confidence on page 2: check it against the original" */
function renderOcr(o: NonNullable<DocumentInfo['ocr']>): string {
  const pages = `${o.pages.length === 1 ? 'page' : 'pages'} ${o.pages.join(', ')}`;
  const confidence = o.confidence === null ? '' : ` (confidence ${Math.round(o.confidence)})`;
  const low = o.lowConfidencePages.length
    ? ` · low confidence on ${o.lowConfidencePages.length === 1 ? 'page' : 'pages'} ${o.lowConfidencePages.join(', ')}: check against the original`
    : '';
  return `  OCR      ${pages}${confidence}${low}`;
}

export function renderDocument(
  d: DocumentInfo & {
    steps: { jobId: number; step: string; status: string; durationMs: number | null; error: string | null }[];
    parent?: DocumentRef | null;
    members?: { total: number; items: DocumentRef[] };
    thread?: DocumentRef[];
  },
): string {
  const lines = [
    `${d.title ?? d.sourcePath} (document ${d.id})`,
    `  path     ${d.sourcePath}`,
    `  status   ${d.status}${d.error ? ` — ${d.error}` : ''}`,
    `  type     ${d.fileType ?? '?'} (${d.mime ?? '?'})${d.pageCount ? ` · ${d.pageCount} ${d.fileType === 'pptx' || d.fileType === 'odp' ? 'slides' : 'pages'}` : ''} · ${d.sizeBytes === null ? '?' : formatBytes(d.sizeBytes)}`,
    ...(d.author ? [`  author   ${d.author}`] : []),
    ...(d.ocr ? [renderOcr(d.ocr)] : []),
    `  chunks   ${d.chunkCount}`,
    `  tags     ${d.tags.length ? d.tags.join(', ') : '—'}`,
    `  sha256   ${d.contentHash}`,
    `  imported ${d.importedAt ?? 'never'}`,
  ];
  for (const w of d.warnings) lines.push(`  warning  ${w}`);
  lines.push(...renderMail(d));
  if (d.steps.length) {
    lines.push('  steps');
    for (const s of d.steps) {
      lines.push(
        `    job ${s.jobId} ${s.step.padEnd(8)} ${s.status.padEnd(7)} ${s.durationMs ?? '?'} ms${s.error ? ` — ${s.error}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

const address = (a: { name: string; address: string }) =>
  a.name && a.address ? `${a.name} <${a.address}>` : a.name || a.address;

/** A message's headers, the document it sits in, the documents inside it, and its thread. */
function renderMail(d: {
  email: DocumentInfo['email'];
  parent?: DocumentRef | null;
  members?: { total: number; items: DocumentRef[] };
  thread?: DocumentRef[];
}): string[] {
  const lines: string[] = [];
  const e = d.email;
  if (e) {
    if (e.from.length) lines.push(`  from     ${e.from.map(address).join(', ')}`);
    if (e.to.length) lines.push(`  to       ${e.to.map(address).join(', ')}`);
    if (e.cc.length) lines.push(`  cc       ${e.cc.map(address).join(', ')}`);
    if (e.date) lines.push(`  date     ${e.date}`);
    if (e.subject) lines.push(`  subject  ${e.subject}`);
    if (e.messageId) lines.push(`  msg-id   <${e.messageId}>`);
    for (const n of e.notImported) lines.push(`  not imported  ${n.name} (${n.why})`);
    for (const p of e.alsoIn) lines.push(`  also in  ${p} (the same message, not indexed twice)`);
  }
  if (d.parent) lines.push(`  part of  ${d.parent.title ?? d.parent.sourcePath} (document ${d.parent.id})`);
  const ref = (r: DocumentRef) =>
    `    ${String(r.id).padStart(5)}  ${(r.fileType ?? '?').padEnd(6)} ${r.status.padEnd(8)} ${r.date ? `${r.date.slice(0, 16).replace('T', ' ')}  ` : ''}${r.title ?? r.sourcePath}${r.error ? ` — ${r.error}` : ''}`;
  if (d.members?.total) {
    lines.push(`  contains ${d.members.total} document${d.members.total === 1 ? '' : 's'}`);
    lines.push(...d.members.items.map(ref));
  }
  if (e?.threadId && d.thread && d.thread.length > 1) {
    lines.push(`  thread   ${d.thread.length} messages (documents list --thread '${e.threadId}')`);
    lines.push(...d.thread.map((r) => `${ref(r)}${r.from ? ` · ${r.from}` : ''}`));
  }
  return lines;
}

export function renderReembed(
  r: Pick<ReembedResult, 'status' | 'chunks' | 'durationMs' | 'jobId'> & {
    collection: { name: string; embedderId: string; embeddingDim: number };
  },
): string {
  const c = r.collection;
  if (r.status === 'unchanged') return `"${c.name}" already uses ${c.embedderId}; nothing to do.`;
  if (r.status === 'cancelled') {
    return `Re-embedding "${c.name}" paused after ${plural(r.chunks, 'chunk')} (job ${r.jobId}); run \`pustaka import --resume\` to finish. Searches keep using the old vectors meanwhile.`;
  }
  return `"${c.name}" now uses ${c.embedderId} (${c.embeddingDim}-d): ${plural(r.chunks, 'chunk')} re-embedded in ${(r.durationMs / 1000).toFixed(1)} s (job ${r.jobId}).`;
}
