import type { BackupKind } from '../../contract/methods/backup.ts';

/**
 * Which backups a retention policy keeps — a pure function of dates and kinds, tested without files.
 *
 * Like borg/restic `--keep-daily N`: walking from the newest backup back, the newest backup of
 * each of the N most recent days that have one is kept; weekly (ISO weeks) and monthly likewise.
 * A backup kept by any rule stays. The newest verified backup always stays, whatever its age or
 * kind: pruning must never leave the user without a backup known to restore.
 * Days, weeks and months are local calendar periods (what the user means by "daily").
 *
 * The policy applies to the worker's `scheduled` backups. `manual` and `pre-restore` ones are
 * restore points someone chose to make: they take no part (and so never displace a scheduled one
 * from its day, nor are displaced by it) unless `includeManual` — only an explicit
 * `backup prune --include-manual` sets it, never the worker.
 */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4, monthly: 6 };

export interface RetentionCandidate {
  id: number;
  kind: BackupKind;
  createdAt: Date;
  verified: boolean;
}

export interface RetentionPlan {
  /** id → why it is kept ("daily 2026-04-12", "newest verified", …). */
  keep: Map<number, string[]>;
  /** Oldest first. */
  remove: number[];
}

const pad = (n: number) => String(n).padStart(2, '0');

export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function monthKey(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

/** ISO-8601 week, e.g. "2026-W15" (weeks start on Monday; week 1 holds the first Thursday). */
export function weekKey(d: Date): string {
  // Calendar arithmetic in UTC on the local date's fields: no daylight-saving hour can shift a day.
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const isoWeekday = t.getUTCDay() || 7; // Monday = 1 … Sunday = 7
  t.setUTCDate(t.getUTCDate() + 4 - isoWeekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${pad(week)}`;
}

export interface RetentionOptions {
  /** Let the policy prune `manual` and `pre-restore` backups too (an explicit prune only). */
  includeManual?: boolean | undefined;
}

/** Why a backup of this kind was left out of the policy. */
export function neverPrunedReason(kind: Exclude<BackupKind, 'scheduled'>): string {
  return `${kind} backup: never pruned automatically`;
}

export function planRetention(
  items: RetentionCandidate[],
  policy: RetentionPolicy = DEFAULT_RETENTION,
  opts: RetentionOptions = {},
): RetentionPlan {
  const newestFirst = [...items].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
  const keep = new Map<number, string[]>();
  const mark = (id: number, reason: string) => keep.set(id, [...(keep.get(id) ?? []), reason]);
  const candidates = opts.includeManual ? newestFirst : newestFirst.filter((i) => i.kind === 'scheduled');
  for (const item of newestFirst)
    if (item.kind !== 'scheduled' && !opts.includeManual) mark(item.id, neverPrunedReason(item.kind));

  const rules: [string, number, (d: Date) => string][] = [
    ['daily', policy.daily, dayKey],
    ['weekly', policy.weekly, weekKey],
    ['monthly', policy.monthly, monthKey],
  ];
  for (const [name, count, key] of rules) {
    const seen = new Set<string>();
    for (const item of candidates) {
      if (seen.size >= count) break;
      const k = key(item.createdAt);
      if (seen.has(k)) continue;
      seen.add(k);
      mark(item.id, `${name} ${k}`);
    }
  }
  const newestVerified = newestFirst.find((i) => i.verified);
  if (newestVerified) mark(newestVerified.id, 'newest verified');

  const remove = newestFirst
    .filter((i) => !keep.has(i.id))
    .reverse()
    .map((i) => i.id);
  return { keep, remove };
}
