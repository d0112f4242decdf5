import crypto from 'node:crypto';
import fs from 'node:fs';

const STREAM_ABOVE = 16 * 1024 * 1024;

/** SHA-256 of a file; large files are streamed so a multi-GB file costs no memory. */
export async function sha256File(
  file: string | Buffer,
  size?: number,
  signal?: AbortSignal,
): Promise<string> {
  const hash = crypto.createHash('sha256');
  if ((size ?? (await fs.promises.stat(file)).size) < STREAM_ABOVE) {
    return hash.update(await fs.promises.readFile(file, signal ? { signal } : {})).digest('hex');
  }
  for await (const chunk of fs.createReadStream(file, {
    highWaterMark: 1 << 20,
    ...(signal ? { signal } : {}),
  })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
