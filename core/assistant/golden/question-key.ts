/**
 * The keys a question is captured and looked up by (on top of core/base/normalize.ts):
 * - `normalized` / `hash`: case, spacing, punctuation and Unicode form do not matter;
 * - `looseKey`: also filler words do not ("what is the fee for a KITAS" = "what's the KITAS fee"),
 *   but negations, numbers, prepositions and question words do: removing those changes meaning.
 */
import { normalizeQuestion, queryHash } from '../../base/normalize.ts';

/**
 * Words that carry no meaning in a question, English and Indonesian. Deliberately short: each
 * word here makes two different questions share a key, so only articles, auxiliaries, politeness
 * and particles are listed (never "not"/"tidak", "to"/"from", "before"/"after", what/how/when).
 */
const FILLER = new Set(
  (
    'a an the is are am was were be been being do does did please kindly tell me us i we you ' +
    'can could would will should may might hi hello hey thanks thank there s just actually ' +
    'apakah apa kah tolong mohon dong sih deh ya yah kak min halo hai terima kasih itu ini yang nya'
  ).split(' '),
);

export interface QuestionKey {
  normalized: string;
  hash: string;
  /** Normalised words without fillers, in their order ('' when nothing but fillers). */
  looseKey: string;
}

export function looseKeyOf(normalized: string): string {
  // "what's" became "what s" in normalisation; apostrophe-s is a filler too.
  return normalized
    .split(' ')
    .filter((w) => w && !FILLER.has(w))
    .join(' ');
}

export function questionKeys(question: string): QuestionKey {
  const normalized = normalizeQuestion(question);
  return { normalized, hash: queryHash(normalized), looseKey: looseKeyOf(normalized) };
}
