/**
 * Golden-answer settings, kept in profile.settings.golden: whether semantic matching is on,
 * per-embedder threshold overrides, and the confidence from which generated answers are approved
 * without review.
 */
import { z } from 'zod';
import { readProfileSettings } from '../../stores/pg/profile-settings.ts';
import type { Engine } from '../../engine/engine.ts';

export const goldenSettingsSchema = z.object({
  semantic: z.boolean().default(true),
  thresholds: z.record(z.string(), z.number().gt(0).max(1)).default({}),
  /** Generated answers at or above this confidence (and citing sources) are approved at once. */
  autoApproveConfidence: z.number().min(0).max(1).default(0.9),
});
export type GoldenSettings = z.output<typeof goldenSettingsSchema>;

/** Read on each call; the lookup keeps the result until a golden answer or setting changes. */
export function goldenSettings(engine: Engine): Promise<GoldenSettings> {
  return readProfileSettings(engine.db, 'golden', goldenSettingsSchema);
}
