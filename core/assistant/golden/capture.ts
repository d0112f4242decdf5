/**
 * Question capture: every asked question counts towards its normalised form in question_stats
 * (frequency, first/last asked, latest wording and scope). The nightly worker clusters these and
 * answers the most frequent clusters ahead of time.
 */
import type { Queryable } from '../../stores/pg/pg-store.ts';
import type { QuestionKey } from './question-key.ts';

export async function recordQuestion(
  db: Queryable,
  question: string,
  key: QuestionKey,
  collectionIds: readonly number[] | null,
): Promise<void> {
  if (!key.normalized) return;
  await db.query(
    `INSERT INTO question_stats (query_hash, normalized_question, loose_key, question, collection_ids)
     VALUES ($1, $2, $3, $4, $5::bigint[])
     ON CONFLICT (query_hash) DO UPDATE
       SET ask_count = question_stats.ask_count + 1,
           last_asked_at = greatest(question_stats.last_asked_at, now()),
           question = EXCLUDED.question,
           collection_ids = EXCLUDED.collection_ids`,
    [key.hash, key.normalized, key.looseKey, question.trim(), collectionIds],
  );
}
