/**
 * The import thread's one Tesseract: started on the first page that needs it (about half a second,
 * language data included), kept for the next, ended after a quiet spell so an idle import thread
 * does not hold its memory (some 100–250 MB of WASM heap while it reads a 300 dpi page). Each page
 * gets a time budget: past it, Tesseract is stopped mid-page (a WASM loop cannot be interrupted
 * any other way) and a new one starts for the next page.
 */
import type { GrayImage } from './gray-image.ts';
import { loadLanguageData } from './ocr-data.ts';
import { readPage, type PageReading, type ReadOptions } from './recognize-page.ts';
import { startTesseract, type TesseractWorker } from './tesseract-worker.ts';

/** Tesseract is ended after this long without a page. */
const IDLE_MS = 30_000;

/**
 * OCR cannot run at all (its language data or Tesseract's script is missing: a broken install).
 * Not a problem of one page: the file fails with this message instead of a warning per page.
 */
export class OcrUnavailableError extends Error {
  override name = 'OcrUnavailableError';
}

let current: Promise<TesseractWorker> | null = null;
let idle: NodeJS.Timeout | undefined;

async function tesseract(): Promise<TesseractWorker> {
  if (current) {
    const running = await current.catch(() => null);
    if (running?.alive) return running;
  }
  current = (async () => {
    try {
      return await startTesseract(loadLanguageData());
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new OcrUnavailableError(`OCR is not available: ${detail}`, { cause: err });
    }
  })();
  current.catch(() => {
    current = null;
  });
  return current;
}

function stopSoon(): void {
  clearTimeout(idle);
  idle = setTimeout(() => void stopOcrEngine(), IDLE_MS);
  idle.unref();
}

/** Ends this thread's Tesseract now (tests, and the idle timer). */
export async function stopOcrEngine(): Promise<void> {
  clearTimeout(idle);
  const running = current;
  current = null;
  const worker = await running?.catch(() => null);
  await worker?.terminate();
}

export type BudgetedReading = { ok: true; reading: PageReading } | { ok: false; reason: 'timeout' };

/**
 * Reads one page within `budgetMs`, Tesseract's start-up included (a start-up that hangs is
 * bounded too, and the page's progress report, sent just before, is never followed by a longer
 * silence than the budget): the reading, or a time-out after which this Tesseract is gone (or,
 * still starting, is ended once started) and the next page starts a new one.
 */
export async function readPageWithin(
  page: GrayImage,
  budgetMs: number,
  opts: ReadOptions = {},
): Promise<BudgetedReading> {
  clearTimeout(idle);
  let timer: NodeJS.Timeout | undefined;
  const overBudget = new Promise<BudgetedReading>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: 'timeout' }), budgetMs);
  });
  const starting = tesseract();
  let started: TesseractWorker | null = null;
  try {
    const result = await Promise.race([
      starting.then((worker) => {
        started = worker;
        return readPage(worker, page, opts).then((reading): BudgetedReading => ({ ok: true, reading }));
      }),
      overBudget,
    ]);
    if (!result.ok) {
      current = null;
      const worker = started as TesseractWorker | null;
      if (worker) await worker.terminate();
      else
        void starting.then(
          (w) => w.terminate(),
          () => undefined,
        );
    }
    return result;
  } finally {
    clearTimeout(timer);
    stopSoon();
  }
}
