-- 0008_ocr.sql
-- OCR (issue 17): scanned PDF pages and pictures are read by OCR at import. A collection can turn
-- it off; a document records which of its pages are OCR text (citations mark them) and which
-- were read with low confidence (flagged in the Library).
-- Runs inside one transaction (the migrator wraps it); no BEGIN/COMMIT here.

ALTER TABLE collections
  ADD COLUMN ocr boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN collections.ocr IS 'Read scanned pages and pictures by OCR when importing (on by default).';

ALTER TABLE documents
  ADD COLUMN ocr_pages integer[] NOT NULL DEFAULT '{}'
    CHECK (array_position(ocr_pages, NULL) IS NULL AND 1 <= ALL (ocr_pages)),
  ADD COLUMN ocr_low_confidence_pages integer[] NOT NULL DEFAULT '{}'
    CHECK (ocr_low_confidence_pages <@ ocr_pages),
  ADD COLUMN ocr_confidence real CHECK (ocr_confidence BETWEEN 0 AND 100);
COMMENT ON COLUMN documents.ocr_pages IS '1-based pages whose text was recognised by OCR (empty: none).';
COMMENT ON COLUMN documents.ocr_low_confidence_pages IS 'The OCR pages read with a mean confidence below 60 (check them against the original).';
COMMENT ON COLUMN documents.ocr_confidence IS 'Mean OCR confidence (0-100) over ocr_pages; NULL when no page was OCR text.';
