/**
 * Pictures not worth reading, by the rule folder imports follow (import-plan.ts passOverPictures):
 * none while OCR is off for the collection, and none that are icons or bullets (isTinyPicture).
 * Mail attachments follow it too: a signature's logo, or every picture with OCR off, is listed on
 * its message as not imported rather than failing as a document of its own.
 */
import path from 'node:path';
import { FORMATS } from '../formats.ts';
import { isTinyPicture, pictureSize } from './picture-size.ts';

/** Why the picture `name` (its bytes given) is not read, or null when it is not a picture or is read. */
export function pictureNotRead(name: string, bytes: Uint8Array, ocrOn: boolean): string | null {
  if (FORMATS.get(path.extname(name).toLowerCase())?.fileType !== 'image') return null;
  if (!ocrOn) return 'a picture, and OCR is off for this collection';
  const size = pictureSize(bytes);
  return size && isTinyPicture(size)
    ? `a ${size.width} × ${size.height} picture, too small to hold text`
    : null;
}
