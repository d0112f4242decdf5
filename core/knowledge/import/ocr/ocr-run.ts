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

/**
 * A page read with a mean confidence below this holds no text worth keeping: photos and drawings
 * read at 25–33 here (a circuit board came out as "nen : 5238, ITE tp…"), a fax-quality 50 dpi
 * page of text at 44. Its text is dropped and the page said to have no readable text.
 */
export const NO_TEXT_BELOW_CONFIDENCE = 40;

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
   * The text of one page picture, or null when it was skipped (over its time budget, Tesseract
   * failed on it, or OCR cannot run at all: see `unavailable`).
   */
  read(page: GrayImage, pageNo: number, opts?: ReadOptions): Promise<string | null>;
  /** Notes a page that could not be made into a picture (the warnings name it). */
  failed(pageNo: number, err: unknown): void;
  /**
   * Notes a page that can never be read, for `reason` ("its picture is larger than …"; the
   * warnings name it). Like a failed or skipped page, it is not read again while the file is
   * unchanged.
   */
  cannotRead(pageNo: number, reason: string): void;
  /**
   * The pages left unread because OCR could not run (see `unavailable`), ascending: a later import
   * reads them. A page that failed or ran over its budget is not among them: read again under the
   * same settings it would fail again, and the file with it on every import.
   */
  unreadPages(): number[];
  /**
   * Why OCR cannot run at all ("OCR is not available: the OCR language data for "eng" is
   * missing …"), once a page found it so; null while it runs. The pages are left unread (a text
   * PDF keeps its text pages), each noted in unreadPages.
   */
  unavailable(): string | null;
  /** Pages read with a confidence below NO_TEXT_BELOW_CONFIDENCE (their text dropped), and that confidence. */
  noReadableText(): { page: number; confidence: number }[];
  summary(): OcrSummary;
  /** "page 4: OCR took longer than 60 s and was skipped", "low OCR confidence on page 2, 7 …". */
  warnings(): string[];
}

/**
 * `hold` wraps each page's reading (extract.ts stops the file's reading clock meanwhile: a page
 * is bounded by its own budget instead). `reading` is told just before a page is read (progress
 * names the page, and each such report extends the file's time by a page budget: pages never
 * read, such as tiny pictures and pages with nothing to read, must not report it).
 */
export function createOcrRun(
  settings: OcrSettings,
  hold: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  reading: (pageNo: number) => void = () => {},
): OcrRun {
  const pages: number[] = [];
  const low: number[] = [];
  const skipped: number[] = [];
  const failures: string[] = [];
  const noText: { page: number; confidence: number }[] = [];
  let unavailable: string | null = null;
  const notRun: number[] = [];
  let confidenceSum = 0;
  const cannotRead = (pageNo: number, reason: string) => {
    failures.push(`page ${pageNo}: ${reason}`);
  };
  const failed = (pageNo: number, err: unknown) => {
    cannotRead(pageNo, `OCR failed (${err instanceof Error ? err.message : String(err)})`);
  };
  return {
    failed,
    cannotRead,
    unreadPages: () => [...notRun].sort((a, b) => a - b),
    async read(page, pageNo, opts) {
      let result;
      reading(pageNo);
      try {
        result = await hold(() => readPageWithin(page, settings.pageBudgetMs, opts));
      } catch (err) {
        if (err instanceof OcrUnavailableError) {
          unavailable ??= err.message;
          notRun.push(pageNo);
          return null;
        }
        failed(pageNo, err);
        return null;
      }
      if (!result.ok) {
        skipped.push(pageNo);
        return null;
      }
      const { text, confidence } = result.reading;
      if (text.trim() === '') return '';
      if (confidence < NO_TEXT_BELOW_CONFIDENCE) {
        noText.push({ page: pageNo, confidence: Math.round(confidence) });
        return '';
      }
      pages.push(pageNo);
      confidenceSum += confidence;
      if (confidence < LOW_CONFIDENCE) low.push(pageNo);
      return text;
    },
    noReadableText: () => [...noText],
    unavailable: () => unavailable,
    summary: () => ({
      pages: [...pages],
      lowConfidencePages: [...low],
      meanConfidence: pages.length ? Math.round((confidenceSum / pages.length) * 10) / 10 : null,
    }),
    warnings() {
      const out: string[] = [...failures];
      if (unavailable) {
        out.push(`${unavailable}: ${notRun.length === 1 ? 'page' : 'pages'} ${notRun.join(', ')} not read`);
      }
      for (const { page, confidence } of noText)
        out.push(
          `page ${page}: no readable text (OCR confidence ${confidence}%, below ${NO_TEXT_BELOW_CONFIDENCE}%)`,
        );
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
