import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { decodeText } from '../text-decode.ts';

/** Named entries of a ZIP container (EPUB, OOXML, OpenDocument), read on demand. */
export interface ZipBook {
  has(name: string): boolean;
  bytes(name: string): Promise<Buffer | null>;
  /** The entry as text (UTF-8 unless its bytes say otherwise), or null when there is no such entry. */
  text(name: string): Promise<string | null>;
  close(): void;
}

/** Opens a ZIP that has already passed the zip guard (see zip-guard.ts), so its sizes are honest. */
export async function openZip(bytes: Buffer): Promise<ZipBook> {
  const zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true });
  const entries = new Map<string, yauzl.Entry>();
  for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
  // The bytes are in memory and the guard has checked every entry's size: inflating a slice in one
  // call is several times faster than a stream per entry (a deck has hundreds of small parts).
  const read = async (name: string): Promise<Buffer | null> => {
    const entry = entries.get(name);
    if (!entry) return null;
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
