import type { Queryable } from '../pg/pg-store.ts';

export interface AuditRow {
  id: number;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  actor: string;
  createdAt: string;
}

interface Row {
  id: string | number;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown> | null;
  actor: string;
  created_at: Date;
}

/** Newest first. `action` matches exactly or as a family: 'lock' finds 'lock.enable', 'lock.disable' … */
export async function listAudit(
  db: Queryable,
  opts: { limit: number; action?: string | undefined; beforeId?: number | undefined },
): Promise<AuditRow[]> {
  const rows = await db.query<Row>(
    `SELECT id, action, target_type, target_id, details, actor, created_at FROM audit_logs
     WHERE ($1::text IS NULL OR action = $1 OR starts_with(action, $1 || '.'))
       AND ($2::bigint IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [opts.action ?? null, opts.beforeId ?? null, opts.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details: r.details ?? {},
    actor: r.actor,
    createdAt: r.created_at.toISOString(),
  }));
}
