import { PustakaError } from './errors.ts';

/**
 * A full disk shows up differently in each store: ENOSPC/EDQUOT/EFBIG from Node, SQLITE_FULL from
 * SQLite ("database or disk is full"), SQLSTATE 53100 from Postgres ("could not extend file …").
 * All of them become one clear `storage_error`, so the user learns what to do rather than reading
 * a stack trace.
 */
const NODE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NODE_CODES.has(code) || code === 'SQLITE_FULL' || code === '53100'))
      return true;
  }
  return false;
}

/** The clear error for a full disk, or null when `err` is something else. */
export function diskFullError(err: unknown): PustakaError | null {
  if (!isDiskFull(err) || (err instanceof PustakaError && err.code === 'storage_error')) return null;
  const reason = err instanceof Error ? err.message : String(err);
  return new PustakaError(
    'storage_error',
    `the disk is full (no space left to write: ${reason}). Free some space and try again (an import picks up where it failed); nothing saved before was lost.`,
    { reason: 'disk_full', cause: reason },
    { cause: err },
  );
}
