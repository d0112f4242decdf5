/**
 * A TIFF's chain of pages (IFDs) walked before UTIF decodes it: UTIF follows each page's link to
 * the next without remembering where it has been, so a file whose link points back (a 38-byte file
 * pointing at itself) has it allocate pages until the heap runs out. Here every link must point
 * inside the file, to a page not seen before, each page's entries and tag values must fit in the
 * file, and at most MAX_TIFF_PAGES pages are taken.
 */
export const MAX_TIFF_PAGES = 1000;

/**
 * Byte size of one value of the TIFF field types (1–13) that UTIF reads value by value (a count of
 * billions would have it build an array of billions); bytes and text (1, 2, 6, 7) it cuts short
 * at the file's end by itself.
 */
const TYPE_SIZE = [0, 0, 0, 2, 4, 8, 0, 0, 2, 4, 8, 4, 8, 4];

/** Thrown for a chain that loops or points outside the file; `message` says which. */
export class TiffChainError extends Error {
  override name = 'TiffChainError';
  constructor(
    message: string,
    readonly tooMany = false,
  ) {
    super(message);
  }
}

/** Checks the chain of pages; returns how many there are. */
export function checkTiffChain(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new TiffChainError('it is too short to be a TIFF');
  const little = bytes[0] === 0x49 && bytes[1] === 0x49;
  if (!little && !(bytes[0] === 0x4d && bytes[1] === 0x4d)) throw new TiffChainError('it has no TIFF header');
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  if (u16(2) !== 42) throw new TiffChainError('it is not a classic TIFF (BigTIFF is not read)');
  const seen = new Set<number>();
  let at = u32(4);
  while (at !== 0) {
    if (seen.has(at)) throw new TiffChainError(`its page ${seen.size + 1} points back to an earlier page`);
    if (seen.size >= MAX_TIFF_PAGES)
      throw new TiffChainError(`it holds more than ${MAX_TIFF_PAGES} pages`, true);
    if (at + 2 > bytes.length)
      throw new TiffChainError(`its page ${seen.size + 1} lies past the end of the file`);
    seen.add(at);
    const entries = u16(at);
    const end = at + 2 + entries * 12;
    if (end + 4 > bytes.length)
      throw new TiffChainError(`its page ${seen.size} runs past the end of the file`);
    for (let e = at + 2; e < end; e += 12) {
      const size = (TYPE_SIZE[u16(e + 2)] ?? 0) * u32(e + 4);
      if (size > 4 && u32(e + 8) + size > bytes.length)
        throw new TiffChainError(`a field of its page ${seen.size} runs past the end of the file`);
    }
    at = u32(end);
  }
  return seen.size;
}
