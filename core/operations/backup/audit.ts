import type { Queryable } from '../../stores/pg/pg-store.ts';

export type AuditAction =
  | 'backup.restore'
  | 'backup.delete'
  /** The catalogue sync removed a second row for one archive, or a deletion was refused. */
  | 'backup.catalog'
  | 'collection.export'
  | 'collection.import';

/** One `audit_logs` row. Callers pass only what is safe to keep: never a passphrase. */
export async function writeAudit(
  db: Queryable,
  action: AuditAction,
  target: { type: string; id: string | number },
  details: Record<string, unknown>,
  actor = 'user',
): Promise<void> {
  await db.query(
    'INSERT INTO audit_logs (action, target_type, target_id, details, actor) VALUES ($1, $2, $3, $4, $5)',
    [action, target.type, String(target.id), details, actor],
  );
}
