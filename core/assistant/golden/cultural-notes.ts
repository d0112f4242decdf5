/**
 * Cultural/context notes in the prompt (DESIGN.md "Ask"): approved notes whose topic, content or
 * "when to use" share words with the question, at most two, so the model answers with the local
 * etiquette and tone the consultant approved.
 */
import type { Engine } from '../../engine/engine.ts';

interface NoteRow {
  id: number | bigint;
  topic: string;
  content: string;
  when_to_use: string | null;
  tone: string | null;
}

export function formatNote(n: Pick<NoteRow, 'topic' | 'content' | 'when_to_use' | 'tone'>): string {
  const extra = [n.when_to_use && `use when: ${n.when_to_use}`, n.tone && `tone: ${n.tone}`].filter(Boolean);
  return `Context note — ${n.topic}: ${n.content.trim()}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

/** Words too common in questions to tie a note to one (and, or, what, office hours aside). */
const COMMON = new Set(
  (
    'what when where which who why how does did can could should would will the and for with from about ' +
    'this that there their have has need know tell please apa apakah bagaimana kapan dimana siapa yang untuk ' +
    'dengan dari tentang saya kami harus bisa'
  ).split(' '),
);

/**
 * Approved notes sharing at least two of the question's words (one when the question has only
 * one that counts), best ranked first.
 */
export async function notesForPrompt(engine: Engine, question: string, limit = 2): Promise<string[]> {
  const words = [
    ...new Set(
      (
        question
          .normalize('NFKC')
          .toLowerCase()
          .match(/[\p{L}\p{N}]{3,}/gu) ?? []
      ).filter((w) => !COMMON.has(w)),
    ),
  ].slice(0, 30);
  if (words.length === 0) return [];
  const rows = await engine.db.query<NoteRow>(
    `SELECT id, topic, content, when_to_use, tone FROM cultural_knowledge
      WHERE review_status = 'approved' AND search @@ to_tsquery('simple', $1)
      ORDER BY ts_rank(search, to_tsquery('simple', $1)) DESC, usage_count DESC, id
      LIMIT 10`,
    [words.join(' | ')],
  );
  const needed = Math.min(2, words.length);
  const chosen = rows
    .filter((r) => {
      const text = `${r.topic} ${r.content} ${r.when_to_use ?? ''}`.normalize('NFKC').toLowerCase();
      const have = new Set(text.match(/[\p{L}\p{N}]{3,}/gu) ?? []);
      return words.filter((w) => have.has(w)).length >= needed;
    })
    .slice(0, limit);
  if (chosen.length === 0) return [];
  await engine.db.query(
    'UPDATE cultural_knowledge SET usage_count = usage_count + 1, last_used_at = now() WHERE id = ANY($1::bigint[])',
    [chosen.map((r) => r.id)],
  );
  return chosen.map(formatNote);
}
