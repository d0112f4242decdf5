/**
 * Memory extraction with the local Llama: one JSON-schema-constrained generation per message
 * (the grammar makes the reply parse), validated with zod, and then grounded: an entity or a
 * fact survives only if its words are in the message. Whatever does not hold up is dropped, and
 * the caller falls back to the deterministic extractors.
 */
import { z } from 'zod';
import type { ChatModel } from '../../models/llm/chat.ts';
import { extractEntities, normalizeName } from './entities.ts';
import {
  ENTITY_KINDS,
  factText,
  type ExtractedEntity,
  type ExtractedFact,
  type Extraction,
} from './types.ts';

/** node-llama-cpp's JSON-schema subset; bounded so a reply always fits the token budget. */
export const MEMORY_JSON_SCHEMA = {
  type: 'object',
  properties: {
    entities: {
      type: 'array',
      maxItems: 8,
      items: {
        type: 'object',
        properties: {
          kind: { enum: [...ENTITY_KINDS] },
          name: { type: 'string', maxLength: 60 },
        },
      },
    },
    facts: {
      type: 'array',
      maxItems: 6,
      items: {
        type: 'object',
        properties: {
          subject: { type: 'string', maxLength: 60 },
          attribute: { type: 'string', maxLength: 30 },
          value: { type: 'string', maxLength: 100 },
          confidence: { type: 'number' },
        },
      },
    },
  },
} as const;

const modelOutput = z.object({
  entities: z.array(z.object({ kind: z.enum(ENTITY_KINDS), name: z.string() })).max(8),
  facts: z
    .array(
      z.object({
        subject: z.string(),
        attribute: z.string(),
        value: z.string(),
        confidence: z.number(),
      }),
    )
    .max(6),
});

export const MODEL_CONFIDENCE = { min: 0.5, max: 0.9, default: 0.8 };
export const MODEL_MAX_TOKENS = 700;

const SYSTEM = `You keep the memory of a visa, tax and business consultant in Indonesia.
From the consultant's message, list:
- entities: people, companies, places, visas (KITAS, E33G…), permits, licences (NIB, NPWP, KBLI…), dates and amounts, each with its name exactly as written;
- facts: durable statements about a person or company: subject (the name as written), attribute (a short lower-case noun such as location, company, budget, needs, email, visa status), value (as written), confidence between 0 and 1.
Only what the message states. Reply with JSON only.`;

export interface ModelExtraction {
  /** The reply parsed and matched the schema. */
  valid: boolean;
  /** Why the reply was not usable (invalid JSON, schema mismatch, cut off). */
  reason?: string;
  extraction: Extraction;
  /** Items the model gave that are not in the message (dropped). */
  ungrounded: number;
  tokensIn: number;
  tokensOut: number;
}

const fold = (s: string) => s.toLowerCase().replace(/\s+/gu, ' ').trim();

/** Words of `phrase` (2+ letters) mostly present in `text`. */
export function grounded(phrase: string, text: string): boolean {
  const t = fold(text);
  const p = fold(phrase);
  if (p.length < 2) return false;
  if (t.includes(p)) return true;
  const words = p.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 2);
  if (!words.length) return false;
  return words.filter((w) => t.includes(w)).length / words.length >= 0.75;
}

/** The model's entity, normalised like the patterns' (dates to ISO, amounts to "IDR 5000000"). */
function toEntity(kind: ExtractedEntity['kind'], name: string, text: string): ExtractedEntity | null {
  const clean = name.replace(/\s+/gu, ' ').trim();
  if (!clean || !grounded(clean, text)) return null;
  const index = Math.max(0, fold(text).indexOf(fold(clean)));
  if (kind === 'date' || kind === 'amount') {
    const parsed = extractEntities(clean).find((e) => e.kind === kind);
    return parsed ? { ...parsed, surface: clean, index } : null;
  }
  const normalized =
    kind === 'visa' || kind === 'permit' || kind === 'licence' ? clean.toUpperCase() : normalizeName(clean);
  return { kind, name: clean, normalized, surface: clean, index };
}

export async function extractWithModel(
  model: ChatModel,
  text: string,
  signal?: AbortSignal,
): Promise<ModelExtraction> {
  const r = await model.generate({
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: text },
    ],
    maxTokens: MODEL_MAX_TOKENS,
    temperature: 0,
    jsonSchema: MEMORY_JSON_SCHEMA as unknown as Record<string, unknown>,
    ...(signal ? { signal } : {}),
  });
  const empty = { entities: [], facts: [] };
  const base = { tokensIn: r.tokensIn, tokensOut: r.tokensOut, ungrounded: 0 };
  let json: unknown;
  try {
    json = JSON.parse(r.text);
  } catch {
    const why = r.stopReason === 'maxTokens' ? 'the reply was cut off' : 'the reply is not JSON';
    return { ...base, valid: false, reason: why, extraction: empty };
  }
  const parsed = modelOutput.safeParse(json);
  if (!parsed.success) {
    return {
      ...base,
      valid: false,
      reason: `the reply does not match the schema (${parsed.error.issues[0]?.message})`,
      extraction: empty,
    };
  }
  const entities: ExtractedEntity[] = [];
  let ungrounded = 0;
  for (const e of parsed.data.entities) {
    const ent = toEntity(e.kind, e.name, text);
    if (ent) entities.push(ent);
    else ungrounded++;
  }
  const facts: ExtractedFact[] = [];
  for (const f of parsed.data.facts) {
    const subject = f.subject.replace(/\s+/gu, ' ').trim();
    const attribute = f.attribute
      .toLowerCase()
      .replace(/[^\p{L}\p{N} ]+/gu, ' ')
      .replace(/\s+/gu, ' ')
      .trim();
    const value = f.value.replace(/\s+/gu, ' ').trim();
    if (!attribute || !grounded(subject, text) || !grounded(value, text)) {
      ungrounded++;
      continue;
    }
    const confidence = Number.isFinite(f.confidence)
      ? Math.min(MODEL_CONFIDENCE.max, Math.max(MODEL_CONFIDENCE.min, f.confidence))
      : MODEL_CONFIDENCE.default;
    facts.push({
      subject,
      attribute,
      value,
      fact: factText(subject, attribute, value),
      confidence,
      method: 'model',
    });
  }
  return { ...base, ungrounded, valid: true, extraction: { entities, facts } };
}

/** Pattern results completed by the model's: its entities are added, and its facts win where both speak. */
export function mergeExtractions(patterns: Extraction, model: Extraction): Extraction {
  const key = (e: ExtractedEntity) => `${e.kind}\u0000${e.normalized}`;
  const have = new Set(patterns.entities.map(key));
  const covered = new Set(model.facts.map((f) => `${normalizeName(f.subject)}\u0000${f.attribute}`));
  return {
    entities: [...patterns.entities, ...model.entities.filter((e) => !have.has(key(e)))],
    facts: [
      ...model.facts,
      ...patterns.facts.filter((f) => !covered.has(`${normalizeName(f.subject)}\u0000${f.attribute}`)),
    ],
  };
}
