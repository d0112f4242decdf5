/**
 * An 8-bit grey image (0 black … 255 white), row by row: what OCR works on. Pages and pictures
 * become one of these whatever they came from (a rendered PDF page, a PNG, a TIFF strip), so
 * orientation, deskew and recognition have one input. Plain loops: a 300 dpi A4 page is 8.7
 * million pixels, and each step here takes tens of milliseconds on it.
 */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** RGBA pixels (canvas ImageData, a decoded TIFF) to grey; transparency shows white paper behind. */
export function grayFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GrayImage {
  const n = width * height;
  const data = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    // ITU-R BT.601 luma in integers (weights sum to 1024).
    const luma = (rgba[j]! * 306 + rgba[j + 1]! * 601 + rgba[j + 2]! * 117) >> 10;
    const alpha = rgba[j + 3]!;
    data[i] = alpha === 255 ? luma : (luma * alpha + 255 * (255 - alpha)) / 255;
  }
  return { width, height, data };
}

/**
 * Binary PGM (P5): a header and the pixels as they are. Tesseract reads it without decoding
 * anything, where a PNG would first cost a compression pass here and a decompression there.
 */
export function toPgm(img: GrayImage): Buffer {
  const header = Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, 'latin1');
  const out = Buffer.allocUnsafe(header.length + img.data.length);
  header.copy(out, 0);
  out.set(img.data, header.length);
  return out;
}

/**
 * Smaller by a whole `factor` each way, each pixel the mean of the block it covers (the blocks at
 * the right and bottom edges may be cut short by the picture's end: their mean is of what is there).
 */
export function downscale(img: GrayImage, factor: number): GrayImage {
  if (factor <= 1) return img;
  const width = Math.max(1, Math.floor(img.width / factor));
  const height = Math.max(1, Math.floor(img.height / factor));
  const blockW = Math.min(factor, img.width);
  const blockH = Math.min(factor, img.height);
  const sums = new Uint32Array(width);
  const data = new Uint8Array(width * height);
  const area = blockW * blockH;
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    for (let dy = 0; dy < blockH; dy++) {
      const row = (y * factor + dy) * img.width;
      for (let x = 0; x < width; x++) {
        let s = 0;
        const start = row + x * factor;
        for (let dx = 0; dx < blockW; dx++) s += img.data[start + dx]!;
        sums[x]! += s;
      }
    }
    for (let x = 0; x < width; x++) data[y * width + x] = Math.round(sums[x]! / area);
  }
  return { width, height, data };
}

/** Turned clockwise by `quarters` quarter turns (1: 90°, 2: 180°, 3: 270°). */
export function rotateQuarters(img: GrayImage, quarters: number): GrayImage {
  const q = ((quarters % 4) + 4) % 4;
  if (q === 0) return img;
  const { width: w, height: h, data: src } = img;
  const width = q === 2 ? w : h;
  const height = q === 2 ? h : w;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const v = src[row + x]!;
      if (q === 1) data[x * width + (h - 1 - y)] = v;
      else if (q === 2) data[(h - 1 - y) * width + (w - 1 - x)] = v;
      else data[(w - 1 - x) * width + y] = v;
    }
  }
  return { width, height, data };
}

/**
 * Turned clockwise by a small angle (deskew), bilinear, on a canvas grown to hold all of it;
 * what was outside the picture is white.
 */
export function rotateBy(img: GrayImage, radians: number): GrayImage {
  if (radians === 0) return img;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const { width: w, height: h, data: src } = img;
  const width = Math.ceil(Math.abs(w * cos) + Math.abs(h * sin));
  const height = Math.ceil(Math.abs(w * sin) + Math.abs(h * cos));
  const data = new Uint8Array(width * height);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const ox = (width - 1) / 2;
  const oy = (height - 1) / 2;
  for (let y = 0; y < height; y++) {
    const dy = y - oy;
    // Inverse mapping: where in the source each output pixel comes from.
    let sx = cos * -ox + sin * dy + cx;
    let sy = -sin * -ox + cos * dy + cy;
    for (let x = 0; x < width; x++, sx += cos, sy -= sin) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= w - 1 || y0 >= h - 1) {
        data[y * width + x] = 255;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * w + x0;
      const top = src[i]! + (src[i + 1]! - src[i]!) * fx;
      const bottom = src[i + w]! + (src[i + w + 1]! - src[i + w]!) * fx;
      data[y * width + x] = top + (bottom - top) * fy;
    }
  }
  return { width, height, data };
}

/** The rectangle given (clamped to the image). */
export function crop(img: GrayImage, x: number, y: number, width: number, height: number): GrayImage {
  const x0 = Math.max(0, Math.min(img.width, Math.round(x)));
  const y0 = Math.max(0, Math.min(img.height, Math.round(y)));
  const w = Math.max(0, Math.min(img.width - x0, Math.round(width)));
  const h = Math.max(0, Math.min(img.height - y0, Math.round(height)));
  const data = new Uint8Array(w * h);
  for (let row = 0; row < h; row++) {
    const start = (y0 + row) * img.width + x0;
    data.set(img.data.subarray(start, start + w), row * w);
  }
  return { width: w, height: h, data };
}
