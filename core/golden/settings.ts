/**
 * Golden-answer settings, kept in profile.settings.golden: whether semantic matching is on,
 * per-embedder threshold overrides, and the confidence from which generated answers are approved
 * without review.
 */
import { z } from 'zod';
import type { Engine } from '../engine.ts';

export const goldenSettingsSchema = z.object({
  semantic: z.boolean().default(true),
  thresholds: z.record(z.string(), z.number().gt(0).max(1)).default({}),
  /** Generated answers at or above this confidence (and citing sources) are approved at once. */
  autoApproveConfidence: z.number().min(0).max(1).default(0.9),
});
export type GoldenSettings = z.output<typeof goldenSettingsSchema>;

const cacheKey = 'settings';

export async function goldenSettings(engine: Engine): Promise<GoldenSettings> {
  const cache = engine.caches.get<GoldenSettings>('golden');
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const [row] = await engine.db.query<{ golden: unknown }>(
    `SELECT settings->'golden' AS golden FROM profile`,
  );
  const parsed = goldenSettingsSchema.safeParse(row?.golden ?? {});
  const settings = parsed.success ? parsed.data : goldenSettingsSchema.parse({});
  cache.set(cacheKey, settings);
  return settings;
}
