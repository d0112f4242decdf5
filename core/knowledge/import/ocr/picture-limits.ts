/**
 * The largest pictures OCR takes, checked from their size alone before anything is decoded or
 * drawn: libpng (inside @napi-rs/canvas) crashes the process on a side over 1,000,000 pixels, and
 * Tesseract takes no side over 32,767; a page hundreds of times longer than it is wide is no page
 * of text (drawn for OCR it would shrink to a line of grey).
 */
export const MAX_PICTURE_SIDE = 32_767;
/** Longer side over shorter side: a till receipt scanned whole is some 1:25. */
export const MAX_PICTURE_ASPECT = 100;

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** Why a picture with these sides (pixels) is too large to read, or null when it is not. */
export function sideProblem(width: number, height: number): string | null {
  const long = Math.max(width, height);
  return long > MAX_PICTURE_SIDE
    ? `a side of ${count(long)} pixels; sides up to ${count(MAX_PICTURE_SIDE)} pixels are read`
    : null;
}

/** Why a picture or page of this shape (any unit) cannot be read, or null when it can. */
export function aspectProblem(width: number, height: number): string | null {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  return short <= 0 || long / short > MAX_PICTURE_ASPECT
    ? `${short <= 0 ? 'no' : count(long / short)} times longer than it is wide; up to ${MAX_PICTURE_ASPECT} times is read`
    : null;
}
