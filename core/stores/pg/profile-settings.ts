/**
 * Sections of profile.settings (the one user's settings, JSONB): read with defaults filled in by
 * the section's schema — a missing or invalid section reads as the defaults, never as an error —
 * and written back whole.
 */
import type { z } from 'zod';
import type { Queryable } from './pg-store.ts';

export async function readProfileSettings<S extends z.ZodType>(
  db: Queryable,
  section: string,
  schema: S,
): Promise<z.output<S>> {
  const [row] = await db.query<{ value: unknown }>(
    `SELECT settings -> $1 AS value FROM profile WHERE id = 1`,
    [section],
  );
  const parsed = schema.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

export async function writeProfileSettings(db: Queryable, section: string, value: unknown): Promise<void> {
  await db.query(`UPDATE profile SET settings = jsonb_set(settings, ARRAY[$1], $2::jsonb) WHERE id = 1`, [
    section,
    JSON.stringify(value),
  ]);
}
