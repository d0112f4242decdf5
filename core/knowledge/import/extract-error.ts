import path from 'node:path';

export const EXTRACT_REASONS = [
  'unsupported',
  'too_large',
  'empty',
  /** A picture with nothing OCR can read: too small, or read with a confidence below OCR's floor (a photo). */
  'no_readable_text',
  /** OCR cannot run at all (its language data is missing: a broken install); read again once mended. */
  'ocr_unavailable',
  'corrupt',
  'encrypted',
  'timeout',
  'zip_bomb',
  'unreadable',
  'cancelled',
] as const;

export type ExtractReason = (typeof EXTRACT_REASONS)[number];

/** Why a file could not be extracted; `message` is a sentence for the user that names the file. */
export class ExtractError extends Error {
  readonly reason: ExtractReason;
  readonly file: string;

  constructor(reason: ExtractReason, file: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExtractError';
    this.reason = reason;
    this.file = file;
  }
}

export function isExtractError(err: unknown): err is ExtractError {
  return err instanceof ExtractError;
}

/** The file's name as messages show it. */
export function displayName(file: string): string {
  return path.basename(file);
}

/** "2.1 GB", "200 MB", "512 KB", "12 bytes". */
export function formatBytes(n: number): string {
  const units: [number, string][] = [
    [1024 ** 3, 'GB'],
    [1024 ** 2, 'MB'],
    [1024, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) {
      const value = n / size;
      return `${value >= 10 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1)} ${unit}`;
    }
  }
  return `${n} bytes`;
}
