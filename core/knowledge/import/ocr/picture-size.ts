/**
 * A picture's size from its header alone (PNG's IHDR, a JPEG's start-of-frame): enough to refuse
 * a picture claiming a billion pixels before decoding it, and to pass over icons and bullets.
 */
import fs from 'node:fs';
import { toFsPath } from '../../../base/raw-path.ts';

/**
 * Smaller pictures hold no text worth reading (icons, bullets, buttons: 16–110 px in the handbook's
 * web pages): OCR gives them no time, and folder imports pass them over.
 */
export const MIN_PICTURE_SIDE = 64;
export const MIN_PICTURE_PIXELS = 20_000;

export function isTinyPicture(size: { width: number; height: number }): boolean {
  return (
    size.width < MIN_PICTURE_SIDE ||
    size.height < MIN_PICTURE_SIDE ||
    size.width * size.height < MIN_PICTURE_PIXELS
  );
}

/** Width and height from a PNG's IHDR or a JPEG's start-of-frame, without decoding; null if absent. */
export function pictureSize(bytes: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] === 0x89 && bytes.length >= 24)
    return { width: view.getUint32(16), height: view.getUint32(20) };
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    // SOF0–SOF15 carry the frame size; C4 (Huffman tables), C8 and CC (arithmetic coding) do not.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

/** The size of the picture in `file` from its first 64 KB (null: not a PNG/JPEG, or unreadable). */
export async function pictureFileSize(file: string): Promise<{ width: number; height: number } | null> {
  try {
    const handle = await fs.promises.open(toFsPath(file), 'r');
    try {
      const head = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return pictureSize(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}
