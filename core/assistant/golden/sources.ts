/**
 * golden_answers.sources is JSONB in snake_case ([{n, chunk_id, document_id, title, source_path,
 * heading_path, page, quote}]); the API speaks citations. One place converts both ways.
 */
import type { CitationInfo } from '../../contract/methods/ask.ts';

export type GoldenSource = Record<string, unknown>;

export function citationsToSources(citations: readonly CitationInfo[]): GoldenSource[] {
  return citations.map((c) => ({
    n: c.n,
    chunk_id: c.chunkId,
    document_id: c.documentId,
    title: c.title,
    source_path: c.sourcePath,
    heading_path: c.headingPath,
    page: c.page,
    quote: c.quote,
  }));
}

export function sourcesToCitations(sources: readonly GoldenSource[]): CitationInfo[] {
  const int = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? Number(v) || null : null);
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return sources.map((s, i) => {
    const headings = s.heading_path ?? s.headingPath;
    return {
      n: int(s.n) ?? i + 1,
      chunkId: int(s.chunk_id ?? s.chunkId),
      documentId: int(s.document_id ?? s.documentId),
      title: str(s.title),
      sourcePath: str(s.source_path ?? s.sourcePath) ?? '',
      headingPath: Array.isArray(headings) ? headings.map(String) : [],
      page: int(s.page),
      quote: str(s.quote) ?? '',
    };
  });
}
