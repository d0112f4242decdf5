// Pictures and pages too large or too oddly shaped to read are refused by their size alone,
// before a decoder sees them: each of these once crashed the import process, ran it out of memory
// or hung it. Each file is extracted in a child process, so a crash shows as a failure here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grayPng, loopingTiff, picturePdf } from '../../../../test/support/raw-pictures.ts';
import { extractFile } from '../extract.ts';
import { downscale } from './gray-image.ts';
import { stopOcrEngine } from './ocr-engine.ts';

const CHILD = path.resolve(import.meta.dirname, '../../../../test/support/extract-child.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-picture-guards-'));
afterAll(async () => {
  await stopOcrEngine();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What extracting `bytes` (saved as `name`) came to in a child process; its exit status if it died. */
function extractInChild(name: string, bytes: Buffer): Record<string, unknown> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--max-old-space-size=512', CHILD, file], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{'))
    return { died: run.status ?? run.signal, stderr: run.stderr.slice(-500) };
  return JSON.parse(line) as Record<string, unknown>;
}

describe('pictures refused by their size before decoding', () => {
  it('a PNG 1,000,001 pixels wide is too large (libpng crashed the process on it)', () => {
    const result = extractInChild('wide.png', grayPng(1_000_001, 66));
    expect(result).toMatchObject({
      ok: false,
      reason: 'too_large',
      message:
        'wide.png is a 1000001 × 66 picture with a side of 1,000,001 pixels; sides up to 32,767 pixels are read: scale it down',
    });
  }, 180_000);

  it('a TIFF whose page chain loops is damaged (UTIF ran the heap out on 38 bytes)', () => {
    const result = extractInChild('loop.tif', loopingTiff());
    expect(result).toMatchObject({
      ok: false,
      reason: 'corrupt',
      message: 'loop.tif is damaged: its page 2 points back to an earlier page',
    });
  }, 180_000);

  it('a PDF page five million points long is not drawn: its page says why (it hung the import)', () => {
    const result = extractInChild('long.pdf', picturePdf(400, 1, 5_000_000, 3));
    expect(result).toMatchObject({ ok: false, reason: 'empty' });
    expect(String(result.message)).toContain(
      'page 1: OCR failed (the page is 5000000 × 3 points, 1,666,667 times longer than it is wide; up to 100 times is read)',
    );
  }, 180_000);

  it('a PDF page painting a 12,000² picture says the picture is too large, without decoding it', () => {
    const result = extractInChild('big.pdf', picturePdf(12_000, 12_000, 612, 792));
    expect(result).toMatchObject({ ok: false, reason: 'empty' });
    expect(String(result.message)).toContain('page 1: its picture is larger than 100 megapixels');
    // Decoded, the picture alone is 144 MB of grey (576 MB as RGBA): it took 1.3 GB.
    expect(result.maxRssMb).toBeLessThan(700);
  }, 180_000);
});

describe('downscale', () => {
  it('a picture lower than the factor keeps its pixels (it read past the end, giving black)', () => {
    const white = { width: 38_400, height: 5, data: new Uint8Array(38_400 * 5).fill(255) };
    const small = downscale(white, 60);
    expect(small).toMatchObject({ width: 640, height: 1 });
    expect([...small.data].every((v) => v === 255)).toBe(true);
  });
});

describe('OCR progress', () => {
  it('names only pages OCR reads: a tiny picture is passed over without it (each report extends the time limit)', async () => {
    const tiny = path.join(dir, 'logo.png');
    fs.writeFileSync(tiny, grayPng(48, 24));
    const reports: [number, number, number | undefined][] = [];
    await expect(
      extractFile(tiny, { onPage: (done, total, ocrPage) => reports.push([done, total, ocrPage]) }),
    ).rejects.toMatchObject({ reason: 'no_readable_text' });
    expect(reports.filter((r) => r[2] !== undefined)).toEqual([]);
  });

  it('a page OCR reads is named just before it is read', async () => {
    const scan = path.resolve(import.meta.dirname, '../../../../.fixtures/scans/en-150-p1.png');
    if (!fs.existsSync(scan)) return;
    const reports: [number, number, number | undefined][] = [];
    const doc = await extractFile(scan, {
      onPage: (done, total, ocrPage) => reports.push([done, total, ocrPage]),
    });
    expect(doc.ocr?.pages).toEqual([1]);
    expect(reports.filter((r) => r[2] !== undefined)).toEqual([[0, 1, 1]]);
  }, 120_000);
});
