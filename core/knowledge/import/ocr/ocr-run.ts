/**
 * OCR for one document: reads the pages an extractor hands it (each within its time budget),
 * and keeps what the document must say about them: which pages are OCR text (citations mark
 * them), which read with low confidence (flagged), and the warnings for pages skipped.
 */
import { formatDuration } from '../../../base/format-duration.ts';
import type { GrayImage } from './gray-image.ts';
import { OcrUnavailableError, readPageWithin } from './ocr-engine.ts';
import type { ReadOptions } from './recognize-page.ts';

/**
 * A page read with a mean confidence below this is flagged. Tesseract's word confidences run
 * 90–96 on clean 150–300 dpi prints here (error rates of 0.5–3 %), and 30–40 on pages it cannot
 * really read (upside down, sideways, photos of text at a slant); between the two, below 60, most
 * lines carry misread words (Tesseract's own default for "suspect" words is also 60's region).
 */
export const LOW_CONFIDENCE = 60;

/** A generous multiple of what a dense 300 dpi page takes here (5–10 s on a busy 2-core machine). */
export const DEFAULT_OCR_PAGE_BUDGET_MS = 60_000;

export interface OcrSettings {
  /** The collection's switch (collections.ocr): off, pictures and scanned pages are not read. */
  enabled: boolean;
  /** Per page; a page that takes longer is skipped with a warning naming it. */
  pageBudgetMs: number;
}

export const DEFAULT_OCR_SETTINGS: OcrSettings = { enabled: true, pageBudgetMs: DEFAULT_OCR_PAGE_BUDGET_MS };

/** What a document records about its OCR pages (documents.ocr_* columns). */
export interface OcrSummary {
  /** 1-based pages whose text came from OCR. */
  pages: number[];
  /** The OCR pages read with a mean confidence below LOW_CONFIDENCE. */
  lowConfidencePages: number[];
  /** Mean of the OCR pages' confidences (0–100), null when none was read. */
  meanConfidence: number | null;
}

export interface OcrRun {
  /**
   * The text of one page picture, or null when it was skipped (over its time budget, or Tesseract
   * failed on it). Throws OcrUnavailableError when OCR cannot run at all.
   */
  read(page: GrayImage, pageNo: number, opts?: ReadOptions): Promise<string | null>;
  /** Notes a page that could not be made into a picture (the warnings name it). */
  failed(pageNo: number, err: unknown): void;
  summary(): OcrSummary;
  /** "page 4: OCR took longer than 60 s and was skipped", "low OCR confidence on page 2, 7 …". */
  warnings(): string[];
}

/**
 * `hold` wraps each page's reading (extract.ts stops the file's reading clock meanwhile: a page
 * is bounded by its own budget instead).
 */
export function createOcrRun(
  settings: OcrSettings,
  hold: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
): OcrRun {
  const pages: number[] = [];
  const low: number[] = [];
  const skipped: number[] = [];
  const failures: string[] = [];
  let confidenceSum = 0;
  const failed = (pageNo: number, err: unknown) => {
    failures.push(`page ${pageNo}: OCR failed (${err instanceof Error ? err.message : String(err)})`);
  };
  return {
    failed,
    async read(page, pageNo, opts) {
      let result;
      try {
        result = await hold(() => readPageWithin(page, settings.pageBudgetMs, opts));
      } catch (err) {
        if (err instanceof OcrUnavailableError) throw err;
        failed(pageNo, err);
        return null;
      }
      if (!result.ok) {
        skipped.push(pageNo);
        return null;
      }
      const { text, confidence } = result.reading;
      if (text.trim() === '') return '';
      pages.push(pageNo);
      confidenceSum += confidence;
      if (confidence < LOW_CONFIDENCE) low.push(pageNo);
      return text;
    },
    summary: () => ({
      pages: [...pages],
      lowConfidencePages: [...low],
      meanConfidence: pages.length ? Math.round((confidenceSum / pages.length) * 10) / 10 : null,
    }),
    warnings() {
      const out: string[] = [...failures];
      if (skipped.length) {
        const which = skipped.length === 1 ? 'page' : 'pages';
        out.push(
          `${which} ${skipped.join(', ')}: OCR took longer than ${formatDuration(settings.pageBudgetMs)} and was skipped`,
        );
      }
      if (low.length) {
        out.push(
          `low OCR confidence (below ${LOW_CONFIDENCE}%) on ${low.length === 1 ? 'page' : 'pages'} ${low.join(', ')}: check the text against the original`,
        );
      }
      return out;
    },
  };
}
