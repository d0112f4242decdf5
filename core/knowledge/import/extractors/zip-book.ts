import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { decodeText } from '../text-decode.ts';
import { ExtractError, displayName, formatBytes } from '../extract-error.ts';
import { DEFAULT_ZIP_LIMITS } from '../zip-guard.ts';

/** Named entries of a ZIP container (EPUB, OOXML, OpenDocument), read on demand. */
export interface ZipBook {
  has(name: string): boolean;
  bytes(name: string): Promise<Buffer | null>;
  /** The entry as text (UTF-8 unless its bytes say otherwise), or null when there is no such entry. */
  text(name: string): Promise<string | null>;
  close(): void;
}

/**
 * Opens a ZIP that has already passed the zip guard (see zip-guard.ts), so its sizes are honest.
 * Every read is charged against `maxReadBytes` (by default the guard's total): the guard bounds
 * each entry once, but a part list that names the same part again and again would re-inflate it
 * without end. Past the budget a read throws ExtractError 'zip_bomb'.
 */
export async function openZip(
  bytes: Buffer,
  file = '',
  maxReadBytes = DEFAULT_ZIP_LIMITS.maxTotalBytes,
): Promise<ZipBook> {
  const zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true });
  const entries = new Map<string, yauzl.Entry>();
  for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
  // The bytes are in memory and the guard has checked every entry's size: inflating a slice in one
  // call is several times faster than a stream per entry (a deck has hundreds of small parts).
  let spent = 0;
  const read = async (name: string): Promise<Buffer | null> => {
    const entry = entries.get(name);
    if (!entry) return null;
    spent += entry.uncompressedSize;
    if (spent > maxReadBytes) {
      throw new ExtractError(
        'zip_bomb',
        file,
        `${displayName(file)} was refused as a possible zip bomb: reading its parts inflates more than ${formatBytes(maxReadBytes)}`,
      );
    }
    if (!entry.isEncrypted() && (entry.compressionMethod === 0 || entry.compressionMethod === 8)) {
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const data = bytes.subarray(fileDataStart, fileDataStart + entry.compressedSize);
      if (entry.compressionMethod === 0) return data;
      return zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    has: (name) => entries.has(name),
    bytes: read,
    text: async (name) => {
      const data = await read(name);
      return data ? decodeText(data).text : null;
    },
    close: () => zip.close(),
  };
}
