import { getDocumentProxy } from 'unpdf';
import type { ExtractedSection, Extractor } from '../types.ts';
import type { OcrRun } from '../ocr/ocr-run.ts';
import { ExtractError, displayName } from '../extract-error.ts';
import { dropPdfJsStrays } from './pdfjs-strays.ts';
import { filterPdfJsWarnings, oversizePicturesLeftOut } from './pdfjs-warnings.ts';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/**
 * pdf.js keeps every page it has loaded (its objects, fonts, the page dictionaries) until told to
 * clean up: over thousands of pages that grows by tens of MB. Cleaning up this often keeps it flat
 * at no measurable cost in speed.
 */
const CLEANUP_EVERY_PAGES = 100;

/**
 * Even cleaned up, pdf.js keeps a page object for every page it has loaded until the document is
 * closed (about 2 KB a page, measured: 36 MB more live heap over 20,000 pages, and a heap some
 * four times that between collections). A long document is therefore closed and opened again
 * this often: that keeps the heap flat, at about a quarter of a second per reopening of a 15 MB
 * file (some 5% of the time to read these pages).
 */
const REOPEN_EVERY_PAGES = 2000;

/**
 * A text layer with fewer visible characters than this is no text layer: a scanner's page number
 * or stamp on a scanned page. Such a page that paints a picture is read by OCR.
 */
export const MIN_TEXT_LAYER_CHARS = 20;

/**
 * Pictures larger than this are not decoded by pdf.js (it would decode them at full size, outside
 * the worker's heap cap: a 12,000² picture in a 0.6 MB PDF took 1.3 GB): a page painting one is
 * not read by OCR, and its warning says why.
 */
export const MAX_PDF_PICTURE_PIXELS = 100_000_000;
/** pdf.js's VerbosityLevel.WARNINGS. */
const PDFJS_WARNINGS = 1;

/** Opens the PDF; a password → 'encrypted', an unreadable file → 'corrupt'. */
async function openPdf(file: string, bytes: Buffer): Promise<PdfDocument> {
  const name = displayName(file);
  try {
    // pdf.js may take over the buffer it is given, so it gets its own copy.
    return await getDocumentProxy(new Uint8Array(bytes), {
      // Warnings on: the one about a picture over maxImageSize is how OCR learns of it (they are
      // kept off the console by pdfjs-warnings.ts).
      verbosity: PDFJS_WARNINGS,
      isEvalSupported: false,
      maxImageSize: MAX_PDF_PICTURE_PIXELS,
    });
  } catch (err) {
    const errName = err instanceof Error ? err.name : '';
    if (errName === 'PasswordException') {
      throw new ExtractError(
        'encrypted',
        file,
        `${name} is password-protected; open it and save an unprotected copy`,
        {
          cause: err,
        },
      );
    }
    const detail = err instanceof Error ? err.message : String(err);
    throw new ExtractError('corrupt', file, `${name} is not a readable PDF (${detail})`, { cause: err });
  }
}

/**
 * PDF (pdf.js through unpdf): one section per page with its 1-based page number; the heading path
 * of a page comes from the PDF's outline (bookmarks) when it has one. Pages are read one at a
 * time, each reported to `onPage` (and handed to `onSection`, when given, rather than kept), and
 * pdf.js's caches are emptied, and a long document reopened, as it goes so memory does not grow
 * with the page count. Pages without a text layer are counted into a warning; a password →
 * 'encrypted', an unreadable file → 'corrupt'.
 */
export const extractPdf: Extractor = async ({ path: file, bytes, signal, onPage, onSection, ocr }) => {
  dropPdfJsStrays();
  filterPdfJsWarnings();
  let pdf = await openPdf(file, bytes);
  try {
    const headings = await outlineByPage(pdf).catch(() => new Map<number, string[]>());
    const sections: ExtractedSection[] = [];
    const warnings: string[] = [];
    const unreadable: number[] = [];
    let textless = 0;
    /** Text-less pages OCR (off) did not look at: a later import with OCR on reads them. */
    const unreadWithOcrOff: number[] = [];
    const pages = pdf.numPages;
    for (let pageNo = 1; pageNo <= pages; pageNo++) {
      signal.throwIfAborted();
      let text = await pageText(pdf, pageNo);
      if (text !== null && isNegligible(text) && ocr) {
        onPage?.(pageNo - 1, pages); // the OCR run names the page if it reads it
        const read = await ocrPage(pdf, pageNo, ocr);
        signal.throwIfAborted();
        if (read) text = read;
      }
      if (text === null) unreadable.push(pageNo);
      else {
        if (text.trim() === '') textless++;
        if (!ocr && isNegligible(text)) unreadWithOcrOff.push(pageNo);
        const section = { headingPath: headings.get(pageNo) ?? [], text, page: pageNo };
        if (onSection) await onSection(section);
        else sections.push(section);
      }
      if (pageNo % REOPEN_EVERY_PAGES === 0 && pageNo < pages) {
        const old = pdf;
        pdf = await openPdf(file, bytes);
        await old.destroy();
      } else if (pageNo % CLEANUP_EVERY_PAGES === 0 && pageNo < pages) {
        await pdf.cleanup().catch(() => undefined);
      }
      onPage?.(pageNo, pages);
    }
    if (textless > 0) {
      const hint = ocr ? '' : '; OCR is off for this collection';
      warnings.push(`${textless} ${textless === 1 ? 'page has' : 'pages have'} no text (scanned?)${hint}`);
    }
    if (unreadable.length > 0) warnings.push(`could not read page ${unreadable.join(', ')}`);
    return {
      title: await pdfTitle(pdf),
      fileType: 'pdf',
      mime: 'application/pdf',
      sections,
      pageCount: pdf.numPages,
      warnings,
      ...(unreadWithOcrOff.length ? { ocrUnread: unreadWithOcrOff } : {}),
    };
  } finally {
    await pdf.destroy();
  }
};

function isNegligible(text: string): boolean {
  return text.replace(/\s+/g, '').length < MIN_TEXT_LAYER_CHARS;
}

/**
 * A page without a real text layer, read by OCR when it paints a picture: the recognised text,
 * or null (no picture, nothing recognised, or skipped over its time budget). A page whose picture
 * pdf.js left out for its size is noted as unread, saying so.
 */
async function ocrPage(pdf: PdfDocument, pageNo: number, ocr: OcrRun): Promise<string | null> {
  const { pagePaintsImage, renderPdfPage } = await import('../ocr/render-pdf-page.ts');
  let page: Awaited<ReturnType<PdfDocument['getPage']>> | undefined;
  try {
    page = await pdf.getPage(pageNo);
    let picture: Awaited<ReturnType<typeof renderPdfPage>>;
    try {
      const leftOutBefore = oversizePicturesLeftOut();
      const paints = await pagePaintsImage(page);
      if (oversizePicturesLeftOut() > leftOutBefore) {
        ocr.cannotRead(pageNo, `its picture is larger than ${MAX_PDF_PICTURE_PIXELS / 1e6} megapixels`);
        return null;
      }
      if (!paints) return null;
      picture = await renderPdfPage(page);
    } catch (err) {
      ocr.failed(pageNo, err);
      return null;
    }
    const text = await ocr.read(picture.image, pageNo, { dpi: picture.dpi });
    return text?.trim() ? text : null;
  } finally {
    page?.cleanup();
  }
}

/** One page's text (lines ended by newlines), or null when pdf.js cannot read the page. */
async function pageText(pdf: PdfDocument, pageNo: number): Promise<string | null> {
  let page: Awaited<ReturnType<PdfDocument['getPage']>> | undefined;
  try {
    page = await pdf.getPage(pageNo);
    const content = await page.getTextContent();
    let text = '';
    for (const item of content.items) {
      if ('str' in item) text += item.hasEOL ? `${item.str}\n` : item.str;
    }
    return text;
  } catch {
    return null;
  } finally {
    page?.cleanup();
  }
}

async function pdfTitle(pdf: PdfDocument): Promise<string | null> {
  try {
    const { info } = await pdf.getMetadata();
    const title = (info as { Title?: unknown }).Title;
    if (typeof title !== 'string') return null;
    const cleaned = title
      .replace(/^Microsoft (Word|PowerPoint|Excel) - /i, '')
      .replace(/\.(docx?|pptx?|xlsx?|odt|pdf)$/i, '')
      .trim();
    return cleaned && !/^untitled$/i.test(cleaned) ? cleaned : null;
  } catch {
    return null;
  }
}

const MAX_OUTLINE_ENTRIES = 5000;

/**
 * Page number → heading path, from the outline (bookmarks); pages before the first bookmark have none.
 */
async function outlineByPage(pdf: PdfDocument): Promise<Map<number, string[]>> {
  const byPage = new Map<number, string[]>();
  const outline = await pdf.getOutline();
  if (!outline) return byPage;
  let seen = 0;
  const marks: { page: number; path: string[] }[] = [];
  const visit = async (items: typeof outline, parents: string[]): Promise<void> => {
    for (const item of items) {
      if (++seen > MAX_OUTLINE_ENTRIES) return;
      const title = item.title.replace(/\s+/g, ' ').trim();
      const path = title ? [...parents, title] : parents;
      const page = await destinationPage(pdf, item.dest);
      if (page !== null) marks.push({ page, path });
      if (item.items.length > 0) await visit(item.items, path);
    }
  };
  await visit(outline, []);
  // Bookmarks are in reading order (the sort is stable): a page takes the first one pointing at
  // it, and a page with none inherits the last one before it.
  marks.sort((a, b) => a.page - b.page);
  let next = 0;
  let inForce: string[] | undefined;
  for (let pageNo = 1; pageNo <= pdf.numPages; pageNo++) {
    let first: string[] | undefined;
    const before = inForce;
    for (; next < marks.length && marks[next]!.page <= pageNo; next++) {
      if (marks[next]!.page === pageNo) first ??= marks[next]!.path;
      inForce = marks[next]!.path;
    }
    const path = first ?? before;
    if (path) byPage.set(pageNo, path);
  }
  return byPage;
}

async function destinationPage(pdf: PdfDocument, dest: unknown): Promise<number | null> {
  try {
    const resolved = typeof dest === 'string' ? await pdf.getDestination(dest) : dest;
    if (!Array.isArray(resolved) || resolved.length === 0) return null;
    const ref: unknown = resolved[0];
    if (typeof ref === 'number') return ref + 1;
    if (ref && typeof ref === 'object' && 'num' in ref && 'gen' in ref) {
      return (await pdf.getPageIndex(ref as { num: number; gen: number })) + 1;
    }
    return null;
  } catch {
    return null;
  }
}
