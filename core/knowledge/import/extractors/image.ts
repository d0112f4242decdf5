/**
 * Pictures of text: PNG, JPEG and TIFF (every page of a multi-page TIFF, each its own page for
 * citations), read by OCR. Decoded to grey one page at a time (PNG and JPEG by @napi-rs/canvas,
 * TIFF by UTIF), after their size was checked from the header, so a picture claiming a billion
 * pixels is refused before anything is allocated. With OCR off for the collection a picture has
 * no text to give: it fails saying so.
 */
import UTIF from 'utif2';
import type { ExtractedSection, Extractor } from '../types.ts';
import { ExtractError, displayName } from '../extract-error.ts';
import { downscale, grayFromRgba, type GrayImage } from '../ocr/gray-image.ts';
import { NO_TEXT_BELOW_CONFIDENCE, type OcrRun } from '../ocr/ocr-run.ts';
import { aspectProblem, sideProblem } from '../ocr/picture-limits.ts';
import { isTinyPicture, pictureSize } from '../ocr/picture-size.ts';
import { checkTiffChain, TiffChainError } from '../ocr/tiff-pages.ts';
import type * as Canvas from '@napi-rs/canvas';

/** Larger pictures are refused: 100 megapixels is a 300 dpi A0 poster, or 400 MB as RGBA. */
export const MAX_IMAGE_PIXELS = 100_000_000;
/** Larger pages are shrunk before OCR: 25 Mpx is an A3 page at 300 dpi, more than text needs. */
const MAX_OCR_PIXELS = 25_000_000;

interface PagePicture {
  width: number;
  height: number;
  /** Decodes the page (only when it is read). */
  decode(): Promise<GrayImage>;
}

type CanvasModule = typeof Canvas;
let canvasModule: Promise<CanvasModule> | null = null;

function canvas(): Promise<CanvasModule> {
  canvasModule ??= import('@napi-rs/canvas').then((mod) => {
    const m = mod as Partial<CanvasModule> & { default?: CanvasModule };
    return typeof m.createCanvas === 'function' ? (m as CanvasModule) : m.default!;
  });
  return canvasModule;
}

/** The factor that brings a page under MAX_OCR_PIXELS. */
function shrinkFactor(width: number, height: number): number {
  return Math.max(1, Math.ceil(Math.sqrt((width * height) / MAX_OCR_PIXELS)));
}

function canvasPicture(bytes: Buffer, width: number, height: number): PagePicture {
  return {
    width,
    height,
    async decode() {
      const { createCanvas, loadImage } = await canvas();
      const picture = await loadImage(bytes);
      const factor = shrinkFactor(picture.width, picture.height);
      const w = Math.max(1, Math.floor(picture.width / factor));
      const h = Math.max(1, Math.floor(picture.height / factor));
      const surface = createCanvas(w, h);
      try {
        const context = surface.getContext('2d');
        context.fillStyle = '#ffffff';
        context.fillRect(0, 0, w, h);
        context.drawImage(picture, 0, 0, w, h);
        return grayFromRgba(context.getImageData(0, 0, w, h).data, w, h);
      } finally {
        surface.width = 0;
        surface.height = 0;
      }
    },
  };
}

function tiffPictures(file: string, bytes: Buffer): PagePicture[] {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const tagNumber = (ifd: UTIF.IFD, tag: string) => {
    const v = ifd[tag];
    return typeof v === 'number' ? v : Array.isArray(v) ? Number(v[0]) : 0;
  };
  try {
    checkTiffChain(bytes);
  } catch (err) {
    if (!(err instanceof TiffChainError)) throw err;
    const reason = err.tooMany ? 'too_large' : 'corrupt';
    const what = err.tooMany ? 'too many pages' : 'damaged';
    throw new ExtractError(reason, file, `${displayName(file)} is ${what}: ${err.message}`);
  }
  return (
    UTIF.decode(buffer)
      // NewSubfileType bit 0: a reduced-resolution copy (a thumbnail) of another page.
      .filter((ifd) => (tagNumber(ifd, 't254') & 1) === 0)
      .map((ifd) => ({
        width: tagNumber(ifd, 't256'),
        height: tagNumber(ifd, 't257'),
        decode: async () => {
          UTIF.decodeImage(buffer, ifd);
          const gray = grayFromRgba(UTIF.toRGBA8(ifd), ifd.width, ifd.height);
          ifd.data = new Uint8Array(0); // the decoded page is the grey copy now
          return downscale(gray, shrinkFactor(gray.width, gray.height));
        },
      }))
  );
}

function pagesOf(file: string, bytes: Buffer): PagePicture[] {
  const isTiff = bytes[0] === 0x49 || bytes[0] === 0x4d;
  if (isTiff) return tiffPictures(file, bytes);
  const size = pictureSize(bytes);
  if (!size)
    throw new ExtractError(
      'corrupt',
      file,
      `${displayName(file)} is damaged: its picture size cannot be read`,
    );
  return [canvasPicture(bytes, size.width, size.height)];
}

/** Refuses, before decoding, a picture too large or too oddly shaped to read (libpng crashes on a side over 1e6). */
function checkSize(file: string, page: PagePicture, pageNo: number, pages: number): void {
  const where = pages > 1 ? ` (page ${pageNo})` : '';
  const name = displayName(file);
  const size = `${page.width} × ${page.height}`;
  if (page.width * page.height > MAX_IMAGE_PIXELS) {
    throw new ExtractError(
      'too_large',
      file,
      `${name}${where} is a ${size} picture; pictures up to ${MAX_IMAGE_PIXELS / 1e6} megapixels are read: scale it down`,
    );
  }
  const side = sideProblem(page.width, page.height);
  if (side)
    throw new ExtractError(
      'too_large',
      file,
      `${name}${where} is a ${size} picture with ${side}: scale it down`,
    );
  // Tiny pictures are passed over unread whatever their shape.
  const shape = isTinyPicture(page) ? null : aspectProblem(page.width, page.height);
  if (shape)
    throw new ExtractError(
      'too_large',
      file,
      `${name}${where} is a ${size} picture, ${shape}: crop it into pages`,
    );
}

function offMessage(file: string): ExtractError {
  return new ExtractError(
    'empty',
    file,
    `${displayName(file)} is a picture, and OCR is off for this collection: turn OCR on in the collection's settings to read the text in it`,
  );
}

/**
 * One page's text ('' for a tiny page). A page that cannot be decoded fails the file when it is the
 * only one; one bad page of a multi-page TIFF is noted (the warnings name it) and the rest read.
 */
async function readPicture(file: string, ocr: OcrRun, page: PagePicture, pageNo: number, pages: number) {
  if (isTinyPicture(page)) return '';
  let gray: GrayImage;
  try {
    gray = await page.decode();
  } catch (err) {
    if (pages > 1) {
      ocr.failed(pageNo, err);
      return '';
    }
    const detail = err instanceof Error ? err.message : String(err);
    throw new ExtractError('corrupt', file, `${displayName(file)} is not a readable picture (${detail})`, {
      cause: err,
    });
  }
  return (await ocr.read(gray, pageNo)) ?? '';
}

/**
 * A picture none of whose pages held text OCR could read because each is too small or read below
 * OCR's confidence floor (a photo, a drawing, a logo) fails 'no_readable_text', saying which: a
 * folder import counts such pictures as ignored, not failed. Other cases (a page that failed, a
 * blank page) fall through to the usual "contains no text".
 */
function noReadableText(file: string, pages: PagePicture[], ocr: OcrRun): void {
  const low = new Map(ocr.noReadableText().map((r) => [r.page, r.confidence]));
  const tiny = pages.filter((p) => isTinyPicture(p)).length;
  if (tiny + low.size < pages.length) return;
  const name = displayName(file);
  const message =
    low.size === 0
      ? `${name} is too small to hold readable text (${pages[0]!.width} × ${pages[0]!.height} pixels)`
      : `${name} has no readable text: OCR read it with a confidence of ${Math.max(...low.values())}% (text below ${NO_TEXT_BELOW_CONFIDENCE}% is not kept; a photo or a drawing reads so)`;
  throw new ExtractError('no_readable_text', file, message);
}

export const extractImage: Extractor = async ({ path: file, bytes, signal, onPage, onSection, ocr }) => {
  if (!ocr) throw offMessage(file);
  let pages: PagePicture[];
  try {
    pages = pagesOf(file, bytes);
  } catch (err) {
    if (err instanceof ExtractError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new ExtractError('corrupt', file, `${displayName(file)} is not a readable picture (${detail})`, {
      cause: err,
    });
  }
  if (pages.length === 0) throw new ExtractError('corrupt', file, `${displayName(file)} holds no picture`);
  pages.forEach((p, i) => checkSize(file, p, i + 1, pages.length));
  const sections: ExtractedSection[] = [];
  let anyText = false;
  for (let i = 0; i < pages.length; i++) {
    signal.throwIfAborted();
    const pageNo = i + 1;
    onPage?.(i, pages.length); // the OCR run names the page if it reads it
    const text = await readPicture(file, ocr, pages[i]!, pageNo, pages.length);
    signal.throwIfAborted();
    if (text.trim() !== '') anyText = true;
    const section = { headingPath: [], text, page: pageNo };
    if (onSection) await onSection(section);
    else sections.push(section);
    onPage?.(pageNo, pages.length);
  }
  const unavailable = ocr.unavailable();
  if (unavailable && !anyText)
    throw new ExtractError('ocr_unavailable', file, `${displayName(file)} is a picture, and ${unavailable}`);
  if (!anyText) noReadableText(file, pages, ocr);
  return {
    title: null,
    fileType: 'image',
    mime: 'image/png',
    sections,
    pageCount: pages.length,
    warnings: [],
  };
};
