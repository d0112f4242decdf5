import type { CitationInfo } from '../../../core/contract/methods/ask.ts';
import { baseName } from '../format.ts';
import { useOpenPassage } from './passage-context.tsx';

/** `[n] Title › heading, p. 4 · OCR` — opens the passage in its document. */
export function CitationChip({ citation }: { citation: CitationInfo }) {
  const open = useOpenPassage();
  const title = citation.title ?? baseName(citation.sourcePath);
  const heading = citation.headingPath.at(-1);
  const where = heading && heading !== title ? `${title} › ${heading}` : title;
  const page = citation.page !== null ? `, p. ${citation.page}` : '';
  const label = `[${citation.n}] ${where}${page}${citation.ocr ? ' · OCR' : ''}`;
  const canOpen = citation.documentId !== null;
  return (
    <button
      type="button"
      className="chip"
      title={citation.quote}
      disabled={!canOpen}
      onClick={() => canOpen && open({ documentId: citation.documentId!, chunkId: citation.chunkId })}
    >
      {label}
    </button>
  );
}
