/**
 * One page picture to text: turned upright, straightened, recognised.
 *
 * Orientation and skew come from the ink (page-geometry.ts): a page whose lines run down is turned
 * a quarter, a slanted one is straightened before Tesseract sees it. Upside down cannot be told
 * from the ink, so when Tesseract is unsure of the page as it lies (mean confidence below
 * RETRY_BELOW_CONFIDENCE), the page is recognised once more turned half round and the better
 * reading is kept: upright pages (nearly all) are recognised once.
 */
import { downscale, rotateBy, rotateQuarters, toPgm, type GrayImage } from './gray-image.ts';
import { pageGeometry } from './page-geometry.ts';
import type { TesseractWorker } from './tesseract-worker.ts';

/**
 * Clean prints read at 90–96 here; the same page upside down or sideways at 30–40 (measured on
 * the handbook pages of the OCR tests). Below this a second reading, turned, is worth its time.
 */
export const RETRY_BELOW_CONFIDENCE = 70;
/** Less ink than this share of the page is a blank page (a speck of dust, a punched hole). */
const BLANK_INK_SHARE = 0.0005;
/** Tesseract copes with a slant this small by itself; straightening it would only blur the page. */
const MIN_DESKEW_RADIANS = (0.3 * Math.PI) / 180;
/** The ink is judged on a copy about this long (≈ 75 dpi for an A4 page). */
const GEOMETRY_LONGER_SIDE = 800;

export interface PageReading {
  text: string;
  /** Tesseract's mean word confidence, 0–100 (0 for a blank page). */
  confidence: number;
  /** Clockwise quarter turns applied before reading (0–3). */
  quarters: number;
  /** Degrees the page was straightened by (clockwise). */
  deskewDegrees: number;
}

export interface ReadOptions {
  /** The picture's resolution when known (a rendered PDF page): Tesseract need not guess it. */
  dpi?: number | undefined;
}

/** Reads one page picture with `tesseract`. */
export async function readPage(
  tesseract: TesseractWorker,
  page: GrayImage,
  opts: ReadOptions = {},
): Promise<PageReading> {
  // From the longer side (a page turned a quarter is taller than wide), never past the shorter.
  const longer = Math.max(page.width, page.height);
  const factor = Math.max(1, Math.min(Math.round(longer / GEOMETRY_LONGER_SIDE), page.width, page.height));
  let small = downscale(page, factor);
  let geometry = pageGeometry(small);
  if (geometry.inkShare < BLANK_INK_SHARE) return { text: '', confidence: 0, quarters: 0, deskewDegrees: 0 };
  let quarters = 0;
  let upright = page;
  if (geometry.sideways) {
    quarters = 1;
    upright = rotateQuarters(page, 1);
    small = rotateQuarters(small, 1);
    geometry = pageGeometry(small);
  }
  const skew = Math.abs(geometry.skew) >= MIN_DESKEW_RADIANS ? geometry.skew : 0;
  const straight = rotateBy(upright, -skew);
  const params: Record<string, string> = opts.dpi ? { user_defined_dpi: String(Math.round(opts.dpi)) } : {};
  const read = (img: GrayImage) => tesseract.recognize(toPgm(img), { params });
  let best = { ...(await read(straight)), quarters };
  if (best.confidence < RETRY_BELOW_CONFIDENCE) {
    const turned = await read(rotateQuarters(straight, 2));
    if (turned.confidence > best.confidence) best = { ...turned, quarters: (quarters + 2) % 4 };
  }
  return {
    text: best.text,
    confidence: best.confidence,
    quarters: best.quarters,
    deskewDegrees: Math.round(((-skew * 180) / Math.PI) * 10) / 10,
  };
}
