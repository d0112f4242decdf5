/**
 * Step 3: cultural/context notes from the collections — etiquette, customs, tone — for the ask
 * prompt. Passages about those topics are found by keyword search; the local Llama turns each
 * into a note under a JSON schema, or, without a model, the passage's best sentences become an
 * extractive note. Notes are drafts until the consultant approves them; a passage is used once.
 */
import path from 'node:path';
import { z } from 'zod';
import { searchParams, type SearchItem } from '../../../contract/methods/search.ts';
import { splitSentences } from '../../../assistant/ask/extractive.ts';
import { formatPassage } from '../../../assistant/ask/prompt.ts';
import { search } from '../../../knowledge/retrieval/search.ts';
import { throwIfAborted, type StepContext, type StepResult } from '../context.ts';
import { generateJson, workerChatModel } from '../generate-json.ts';

/** What a cultural note is about, English and Indonesian. */
export const CULTURE_QUERY =
  'etiquette culture customs tradition greeting polite respect tone formal religious holiday ' +
  'budaya adat sopan santun salam hormat tradisi upacara';
const CUES = new RegExp(
  `\\b(${CULTURE_QUERY.split(' ').join('|')}|custom|courtesy|bapak|ibu|ramadan|lebaran|hari raya)\\w*`,
  'iu',
);

export const CULTURAL_SYSTEM_PROMPT = [
  'You write short context notes for a consultant from one passage of their documents:',
  'the cultural or practical point it makes, when to use it in an answer, and the tone.',
  'Reply with JSON: "topic" (a few words), "content" (one to three sentences, only from the passage),',
  '"when_to_use" (the kind of question it helps with), "tone" (formal, respectful, friendly or neutral),',
  '"language" (the passage\'s language code, e.g. en or id).',
].join(' ');

export const culturalJsonSchema = {
  type: 'object',
  properties: {
    topic: { type: 'string', maxLength: 80 },
    content: { type: 'string', maxLength: 600 },
    when_to_use: { type: 'string', maxLength: 200 },
    tone: { enum: ['formal', 'respectful', 'friendly', 'neutral'] },
    language: { type: 'string', maxLength: 8 },
  },
  required: ['topic', 'content', 'when_to_use', 'tone', 'language'],
} as const;

const reply = z.object({
  topic: z.string().trim().min(1),
  content: z.string().trim().min(1),
  when_to_use: z.string().trim(),
  tone: z.string(),
  language: z.string().trim().max(8),
});

interface Note {
  topic: string;
  content: string;
  whenToUse: string | null;
  tone: string | null;
  language: string | null;
  generatedBy: string;
}

/** Without a model: the passage's sentences that carry a cultural cue, under its heading. */
export function extractiveNote(item: SearchItem): Note | null {
  const sentences = splitSentences(item.text)
    .map((s) => s.text.trim())
    .filter((s) => CUES.test(s) && s.length >= 30);
  if (sentences.length === 0) return null;
  const topic = item.headingPath.at(-1) ?? item.title ?? path.basename(item.sourcePath);
  return {
    topic: topic.slice(0, 80),
    content: sentences.slice(0, 3).join(' ').slice(0, 600),
    whenToUse: `questions about ${topic.toLowerCase().slice(0, 120)}`,
    tone: null,
    language: null,
    generatedBy: 'extractive',
  };
}

export async function culturalStep(ctx: StepContext): Promise<StepResult> {
  const { engine, signal } = ctx;
  const { db } = engine;
  const found = await search(engine, searchParams.parse({ query: CULTURE_QUERY, k: 30 }), signal);
  const used = new Set(
    (
      await db.query<{ chunk: string | null }>(
        `SELECT source->>'chunk_id' AS chunk FROM cultural_knowledge WHERE source ? 'chunk_id'`,
      )
    ).map((r) => Number(r.chunk)),
  );
  const fresh = found.items.filter((i) => !used.has(i.chunkId)).slice(0, ctx.options.maxCultural * 2);
  const model = await workerChatModel(engine);
  let generated = 0;
  for (const [i, item] of fresh.entries()) {
    if (generated >= ctx.options.maxCultural) break;
    throwIfAborted(signal);
    ctx.progress(i, fresh.length, `context note from ${path.basename(item.sourcePath)}`);
    let note: Note | null = null;
    if (model && !ctx.overBudget()) {
      const r = await generateJson(engine, model, {
        messages: [
          { role: 'system', content: CULTURAL_SYSTEM_PROMPT },
          { role: 'user', content: formatPassage(1, item) },
        ],
        jsonSchema: culturalJsonSchema,
        schema: reply,
        maxTokens: 400,
        signal,
      });
      ctx.spend(r.tokensIn, r.tokensOut);
      if (r.value) {
        note = {
          topic: r.value.topic,
          content: r.value.content,
          whenToUse: r.value.when_to_use || null,
          tone: r.value.tone,
          language: /^[a-z]{2,3}$/u.test(r.value.language) ? r.value.language : null,
          generatedBy: `llm:${model.name}`,
        };
      }
    }
    note ??= extractiveNote(item);
    if (!note) continue;
    await db.query(
      `INSERT INTO cultural_knowledge (topic, content, when_to_use, tone, language, source, generated_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
      [
        note.topic,
        note.content,
        note.whenToUse,
        note.tone,
        note.language,
        JSON.stringify({
          chunk_id: item.chunkId,
          document_id: item.documentId,
          source_path: item.sourcePath,
          title: item.title,
        }),
        note.generatedBy,
      ],
    );
    generated++;
  }
  return {
    culturalGenerated: generated,
    note: model ? `model ${model.name}` : 'no chat model: extractive notes for review',
  };
}
