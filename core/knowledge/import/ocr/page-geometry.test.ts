// How a page lies, told from its ink before any recognition: on the scans of a handbook page that
// scripts/make-scan-fixtures.sh turned a quarter and slanted by 3°, and on plain pictures.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import {
  crop,
  downscale,
  grayFromRgba,
  rotateBy,
  rotateQuarters,
  toPgm,
  type GrayImage,
} from './gray-image.ts';
import { pageGeometry } from './page-geometry.ts';

const SCANS = path.resolve(import.meta.dirname, '../../../../.fixtures/scans');
const FILES = ['en-300-p1.png', 'en-300-rotated.png', 'en-300-skewed.png'];
const present = FILES.every((f) => fs.existsSync(path.join(SCANS, f)));
const ci = !!process.env.CI && process.env.CI !== 'false';

async function grayPng(file: string): Promise<GrayImage> {
  const picture = await loadImage(fs.readFileSync(path.join(SCANS, file)));
  const canvas = createCanvas(picture.width, picture.height);
  const context = canvas.getContext('2d');
  context.drawImage(picture, 0, 0);
  return grayFromRgba(
    context.getImageData(0, 0, picture.width, picture.height).data,
    picture.width,
    picture.height,
  );
}
const degrees = (radians: number) => (radians * 180) / Math.PI;

describe('grey pictures', () => {
  const img: GrayImage = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };

  it('quarter turns go clockwise and four of them come back', () => {
    expect(rotateQuarters(img, 1)).toEqual({
      width: 2,
      height: 3,
      data: Uint8Array.from([4, 1, 5, 2, 6, 3]),
    });
    expect(rotateQuarters(img, 2).data).toEqual(Uint8Array.from([6, 5, 4, 3, 2, 1]));
    expect(rotateQuarters(rotateQuarters(rotateQuarters(rotateQuarters(img, 1), 1), 1), 1)).toEqual(img);
  });

  it('crops, downscales by block means, writes PGM, treats transparency as white paper', () => {
    expect(crop(img, 1, 0, 2, 2)).toEqual({ width: 2, height: 2, data: Uint8Array.from([2, 3, 5, 6]) });
    expect(downscale({ width: 2, height: 2, data: Uint8Array.from([0, 100, 200, 100]) }, 2).data).toEqual(
      Uint8Array.from([100]),
    );
    expect(toPgm(img).toString('latin1', 0, 11)).toBe('P5\n3 2\n255\n');
    expect(grayFromRgba(Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 0]), 2, 1).data).toEqual(
      Uint8Array.from([0, 255]),
    );
  });

  it('a small turn grows the picture to hold all of it, the corners white', () => {
    const turned = rotateBy({ width: 100, height: 50, data: new Uint8Array(5000) }, Math.PI / 36);
    expect(turned.width).toBeGreaterThan(100);
    expect(turned.height).toBeGreaterThan(50);
    expect(turned.data[0]).toBe(255);
  });
});

describe.skipIf(!present && !ci)('page geometry of real scans', () => {
  if (!present && ci)
    throw new Error(`CI: scan fixtures missing under ${SCANS}; run scripts/fetch-real-docs.sh --scans first`);

  it('an upright page: lines across, no slant', async () => {
    const g = pageGeometry(downscale(await grayPng('en-300-p1.png'), 4));
    expect(g.sideways).toBe(false);
    expect(Math.abs(degrees(g.skew))).toBeLessThan(0.2);
  });

  it('a page turned a quarter: lines down the page; turned back it is upright', async () => {
    const small = downscale(await grayPng('en-300-rotated.png'), 4);
    expect(pageGeometry(small).sideways).toBe(true);
    expect(pageGeometry(rotateQuarters(small, 1)).sideways).toBe(false);
  });

  it('a page slanted 3° counter-clockwise: found to within 0.2°, and straight once turned back', async () => {
    const page = await grayPng('en-300-skewed.png');
    const g = pageGeometry(downscale(page, 4));
    expect(g.sideways).toBe(false);
    expect(degrees(g.skew)).toBeCloseTo(-3, 0);
    expect(Math.abs(degrees(g.skew) + 3)).toBeLessThan(0.2);
    const straight = pageGeometry(downscale(rotateBy(page, -g.skew), 4));
    expect(Math.abs(degrees(straight.skew))).toBeLessThan(0.2);
  });

  it('a blank page has too little ink to judge', () => {
    const blank: GrayImage = { width: 600, height: 800, data: new Uint8Array(600 * 800).fill(255) };
    expect(pageGeometry(blank)).toEqual({ sideways: false, skew: 0, inkShare: 0 });
  });
});
