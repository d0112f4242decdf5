/**
 * How a page lies, from its ink alone, before any recognition: whether its lines run across or
 * down (a page scanned sideways) and by how much they slant (skew). Both come from projection
 * profiles of a small copy of the page (about 75 dpi): lines of text make the ink counts of the
 * rows across them peak and drop, so the angle at which those counts are most uneven is the angle
 * of the lines. Milliseconds a page, where asking the recogniser would cost seconds.
 */
import type { GrayImage } from './gray-image.ts';

/** The steepest slant looked for, either way (a scan this crooked is rare; tesseract copes below ~1°). */
export const MAX_SKEW_DEGREES = 8;

export interface PageGeometry {
  /** True when the lines run down the page: it must be turned a quarter (which way is for OCR to tell). */
  sideways: boolean;
  /** Clockwise slant of the lines in radians (0 when there is too little ink to tell). */
  skew: number;
  /** Share of the page that is ink (0 … 1). */
  inkShare: number;
}

/** Otsu's threshold: the grey level that best splits the histogram into ink and paper. */
export function otsuThreshold(img: GrayImage): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < img.data.length; i++) hist[img.data[i]!]!++;
  const total = img.data.length;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * hist[v]!;
  let sumBack = 0;
  let weightBack = 0;
  let best = 0;
  let threshold = 128;
  for (let v = 0; v < 256; v++) {
    weightBack += hist[v]!;
    if (weightBack === 0) continue;
    const weightFore = total - weightBack;
    if (weightFore === 0) break;
    sumBack += v * hist[v]!;
    const meanBack = sumBack / weightBack;
    const meanFore = (sumAll - sumBack) / weightFore;
    const between = weightBack * weightFore * (meanBack - meanFore) ** 2;
    if (between > best) {
      best = between;
      threshold = v;
    }
  }
  return threshold;
}

/** Coordinates of the ink pixels (at most `max`, evenly sampled), centred on the page. */
function inkPoints(img: GrayImage, max = 60_000): { xs: Float32Array; ys: Float32Array; count: number } {
  const threshold = otsuThreshold(img);
  let count = 0;
  for (let i = 0; i < img.data.length; i++) if (img.data[i]! <= threshold) count++;
  const step = Math.max(1, Math.ceil(count / max));
  const n = Math.ceil(count / step);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  const cx = img.width / 2;
  const cy = img.height / 2;
  let k = 0;
  let seen = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x]! > threshold) continue;
      if (seen++ % step === 0 && k < n) {
        xs[k] = x - cx;
        ys[k] = y - cy;
        k++;
      }
    }
  }
  return { xs, ys, count: k };
}

/**
 * How uneven the profile across lines tilted by `angle` is: the squared coefficient of variation
 * of the ink counts per one-pixel band (0 for ink spread evenly; large for lines with gaps).
 */
function profileScore(
  xs: Float32Array,
  ys: Float32Array,
  count: number,
  angle: number,
  size: number,
): number {
  const sin = Math.sin(angle);
  const cos = Math.cos(angle);
  const bins = new Float64Array(size * 2 + 1);
  let lo = bins.length;
  let hi = -1;
  for (let i = 0; i < count; i++) {
    // The band of a point on a line slanting by `angle` (clockwise) from the horizontal.
    const b = Math.round(ys[i]! * cos - xs[i]! * sin) + size;
    if (b < 0 || b >= bins.length) continue;
    bins[b]!++;
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  if (hi < lo) return 0;
  let sum = 0;
  let squares = 0;
  for (let b = lo; b <= hi; b++) {
    sum += bins[b]!;
    squares += bins[b]! * bins[b]!;
  }
  const span = hi - lo + 1;
  return (span * squares) / (sum * sum) - 1;
}

/** The slant in [-max, max] radians whose profile is most uneven, coarse then fine; and its score. */
function bestAngle(xs: Float32Array, ys: Float32Array, count: number, size: number) {
  const max = (MAX_SKEW_DEGREES * Math.PI) / 180;
  let best = { angle: 0, score: profileScore(xs, ys, count, 0, size) };
  const search = (from: number, to: number, step: number) => {
    for (let a = from; a <= to + 1e-9; a += step) {
      const score = profileScore(xs, ys, count, a, size);
      if (score > best.score) best = { angle: a, score };
    }
  };
  const coarse = (0.5 * Math.PI) / 180;
  search(-max, max, coarse);
  const around = best.angle;
  search(around - coarse, around + coarse, coarse / 5);
  return best;
}

/** Too little ink to judge a page by (a blank or nearly blank page): left as it is. */
const MIN_INK_POINTS = 500;
/** Lines running down must beat lines running across by this much before a page is turned. */
const SIDEWAYS_MARGIN = 1.5;

/** Orientation (across or down) and skew of `img`, best a copy of the page at about 75 dpi. */
export function pageGeometry(img: GrayImage): PageGeometry {
  const { xs, ys, count } = inkPoints(img);
  const inkShare = count / Math.max(1, img.data.length);
  if (count < MIN_INK_POINTS) return { sideways: false, skew: 0, inkShare };
  const size = Math.ceil(Math.hypot(img.width, img.height) / 2) + 1;
  const across = bestAngle(xs, ys, count, size);
  // The same page turned a quarter: x becomes y.
  const down = bestAngle(ys, xs, count, size);
  const sideways = down.score > across.score * SIDEWAYS_MARGIN;
  const skew = sideways ? -down.angle : across.angle;
  return { sideways, skew: Math.abs(skew) < 0.1 * (Math.PI / 180) ? 0 : skew, inkShare };
}
