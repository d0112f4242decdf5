/**
 * Question normalisation shared by the answer cache, golden answers and query logs: two questions
 * that differ only in Unicode form, case, spacing or punctuation are the same question.
 */
import crypto from 'node:crypto';

/** NFKC, lower case, punctuation and symbols as spaces, single spaces, trimmed. */
export function normalizeQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** SHA-256 (hex) of the normalised question: golden_answers.query_hash and query_logs.query_hash. */
export function queryHash(normalized: string): string {
  return crypto.createHash('sha256').update(normalized, 'utf8').digest('hex');
}

/** Normalised text and hash of a question in one call. */
export function questionKey(question: string): { normalized: string; hash: string } {
  const normalized = normalizeQuestion(question);
  return { normalized, hash: queryHash(normalized) };
}
