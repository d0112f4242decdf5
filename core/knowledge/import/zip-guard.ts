import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { ExtractError, displayName, formatBytes } from './extract-error.ts';

export interface ZipLimits {
  /** Refuse when all entries together inflate to more than this. */
  maxTotalBytes: number;
  /** Refuse an entry that inflates to more than `ratioMinBytes` at more than this ratio. */
  maxRatio: number;
  ratioMinBytes: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxTotalBytes: 512 * 1024 ** 2,
  maxRatio: 200,
  ratioMinBytes: 10 * 1024 ** 2,
  maxEntries: 10_000,
};

/**
 * Runs before a DOCX/XLSX/EPUB reaches a parsing library (which would inflate everything in
 * memory). Checks the central directory against the limits, then inflates each deflated entry
 * once as a stream, counting and discarding the bytes, so a directory that lies about sizes is
 * caught too. Throws ExtractError 'zip_bomb' or 'corrupt'.
 */
export async function assertSafeZip(
  file: string,
  bytes: Buffer,
  signal?: AbortSignal,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<void> {
  const name = displayName(file);
  const bomb = (detail: string) =>
    new ExtractError('zip_bomb', file, `${name} was refused as a possible zip bomb: ${detail}`);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true });
  } catch (err) {
    throw new ExtractError('corrupt', file, `${name} is damaged: its ZIP structure cannot be read`, {
      cause: err,
    });
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw bomb(`${zip.entryCount} entries (the limit is ${limits.maxEntries})`);
    }
    const entries: yauzl.Entry[] = [];
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        throw bomb(`it inflates to more than ${formatBytes(limits.maxTotalBytes)}`);
      }
      const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
      if (entry.uncompressedSize > limits.ratioMinBytes && ratio > limits.maxRatio) {
        throw bomb(
          `${entry.fileName} inflates ${Math.round(ratio)}:1 to ${formatBytes(entry.uncompressedSize)}`,
        );
      }
      entries.push(entry);
    }
    for (const entry of entries) {
      signal?.throwIfAborted();
      if (entry.compressionMethod !== 8 || entry.isEncrypted()) continue; // stored entries cannot grow
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const data = bytes.subarray(fileDataStart, fileDataStart + entry.compressedSize);
      if (data.length !== entry.compressedSize) throw new Error(`${entry.fileName} is cut short`);
      if ((await inflatedSize(data, entry.uncompressedSize)) > entry.uncompressedSize) {
        throw bomb(`${entry.fileName} inflates to more than its declared size`);
      }
    }
  } catch (err) {
    if (err instanceof ExtractError || signal?.aborted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ExtractError('corrupt', file, `${name} is damaged: ${message}`, { cause: err });
  } finally {
    zip.close();
  }
}

/** Inflates `data` and counts the bytes, giving up as soon as there are more than `limit`. */
function inflatedSize(data: Buffer, limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflate = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
    let size = 0;
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        inflate.destroy();
        resolve(size);
      }
    });
    inflate.on('end', () => resolve(size));
    inflate.on('error', reject);
    inflate.end(data);
  });
}
