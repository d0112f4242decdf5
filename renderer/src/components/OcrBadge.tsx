import type { DocumentOcr } from '../../../core/contract/methods/documents.ts';

const pagesText = (pages: number[]) => `${pages.length === 1 ? 'page' : 'pages'} ${pages.join(', ')}`;

/**
 * "OCR" on a document whose text was (partly) recognised from scanned pages or pictures, and
 * "low confidence" when some of those pages read poorly: check them against the original.
 */
export function OcrBadge({ ocr }: { ocr: DocumentOcr | null }) {
  if (!ocr) return null;
  const confidence = ocr.confidence === null ? '' : ` (confidence ${Math.round(ocr.confidence)} of 100)`;
  return (
    <>
      {' '}
      <span className="badge" title={`Text recognised by OCR on ${pagesText(ocr.pages)}${confidence}`}>
        OCR
      </span>
      {ocr.lowConfidencePages.length ? (
        <>
          {' '}
          <span
            className="badge tone-bad"
            title={`OCR read ${pagesText(ocr.lowConfidencePages)} with low confidence: check the text against the original`}
          >
            low confidence
          </span>
        </>
      ) : null}
    </>
  );
}

/** "OCR" beside a passage or citation recognised from a scanned page or a picture. */
export function OcrMark({ ocr }: { ocr?: boolean | undefined }) {
  if (!ocr) return null;
  return (
    <>
      {' '}
      <span className="badge" title="This text was recognised by OCR from a scanned page or a picture">
        OCR
      </span>
    </>
  );
}
