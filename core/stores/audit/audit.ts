import type { Queryable } from '../pg/pg-store.ts';

export type AuditActor = 'user' | 'worker' | 'system' | 'cli' | 'api';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string | number;
  details?: Record<string, unknown>;
  actor?: AuditActor;
}

/**
 * Keys whose values are never written to the trail, whatever they hold. Narrow on purpose:
 * 'passages', 'tokens', 'author' or 'sha256' are ordinary data and must stay readable.
 */
const SECRET_KEY =
  /passw(or)?d|passphrase|^pass$|secret|token$|api[-_]?key|private[-_]?key|^key$|^auth$|authorization|credential|cookie|salt$|bearer/i;
/** Values that look like secrets even under an innocent key (hashes we store, bearer headers, PEM keys). */
const SECRET_VALUE = /^(scrypt\$|bearer\s)|-----BEGIN [A-Z ]*PRIVATE KEY-----/i;

export const REDACTED = '[redacted]';
const MAX_DEPTH = 6;
const MAX_STRING = 2000;
const MAX_ITEMS = 100;

/** A copy of `value` with secret-looking keys and values replaced, cycles cut and sizes bounded. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value)) return REDACTED;
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return undefined; // functions, symbols, undefined: not data
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (seen.has(value) || depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (Array.isArray(value))
    return value.slice(0, MAX_ITEMS).map((v) => redactSecrets(v, depth + 1, seen) ?? null);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, MAX_ITEMS)) {
    if (k === '__proto__') continue;
    const clean = SECRET_KEY.test(k) ? REDACTED : redactSecrets(v, depth + 1, seen);
    if (clean !== undefined) out[k] = clean;
  }
  return out;
}

/**
 * Appends one row to `audit_logs`. Details are scrubbed of anything secret-looking first, so a
 * caller passing its params object through can never leak a passphrase into the trail.
 */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  const details = redactSecrets(entry.details ?? {}) as Record<string, unknown>;
  await db.query(
    `INSERT INTO audit_logs (action, target_type, target_id, details, actor) VALUES ($1, $2, $3, $4::jsonb, $5)`,
    [
      entry.action,
      entry.targetType ?? null,
      entry.targetId === undefined ? null : String(entry.targetId),
      JSON.stringify(details),
      entry.actor ?? 'user',
    ],
  );
}
