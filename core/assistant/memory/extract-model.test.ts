import { describe, expect, it } from 'vitest';
import type { ChatModel, GenerateOptions } from '../../models/llm/chat.ts';
import { extractWithModel, grounded, mergeExtractions } from './extract-model.ts';
import { extractWithPatterns } from './analyze.ts';

const TEXT = 'Pak Budi Santoso of PT Maju Jaya moved to Surabaya on 3 Mei 2026.';

/** A stand-in for the model process that replies with a fixed text (the real one is in test/memory-model). */
function replying(text: string, stopReason = 'eogToken'): ChatModel & { seen: GenerateOptions[] } {
  const seen: GenerateOptions[] = [];
  return {
    seen,
    generate: async (g: GenerateOptions) => {
      seen.push(g);
      return {
        text,
        tokensIn: 90,
        tokensOut: 40,
        stopReason,
        timings: { loadMs: 0, firstTokenMs: 1, tokensPerSecond: 1, totalMs: 1 },
      };
    },
  } as unknown as ChatModel & { seen: GenerateOptions[] };
}

describe('model extraction: validation and grounding', () => {
  it('asks under the JSON schema and reports unusable replies with the reason', async () => {
    const cut = replying('{"entities": [{"kind": "person", "name": "Bu', 'maxTokens');
    expect(await extractWithModel(cut, TEXT)).toMatchObject({
      valid: false,
      reason: 'the reply was cut off',
      tokensIn: 90,
    });
    expect(cut.seen[0]!.jsonSchema).toMatchObject({ type: 'object' });
    expect(cut.seen[0]!.temperature).toBe(0);
    expect(await extractWithModel(replying('not json'), TEXT)).toMatchObject({
      valid: false,
      reason: 'the reply is not JSON',
    });
    const wrong = await extractWithModel(
      replying('{"entities": [{"kind": "planet", "name": "Mars"}], "facts": []}'),
      TEXT,
    );
    expect(wrong).toMatchObject({ valid: false });
    expect(wrong.reason).toMatch(/does not match the schema/u);
  });

  it('keeps what is in the message, normalised, and drops what is not', async () => {
    const reply = JSON.stringify({
      entities: [
        { kind: 'person', name: 'Budi  Santoso' },
        { kind: 'date', name: '3 Mei 2026' },
        { kind: 'company', name: 'Zyx Holdings' },
        { kind: 'amount', name: 'Surabaya' },
      ],
      facts: [
        { subject: 'Budi Santoso', attribute: 'City!', value: 'Surabaya', confidence: 1.7 },
        { subject: 'Budi Santoso', attribute: 'salary', value: 'USD 9,000', confidence: 0.7 },
        { subject: 'Someone Else', attribute: 'location', value: 'Surabaya', confidence: 0.7 },
      ],
    });
    const r = await extractWithModel(replying(reply), TEXT);
    expect(r.valid).toBe(true);
    expect(r.ungrounded).toBe(4);
    expect(r.extraction.entities.map((e) => `${e.kind}:${e.normalized}`)).toEqual([
      'person:budi santoso',
      'date:2026-05-03',
    ]);
    expect(r.extraction.facts).toEqual([
      {
        subject: 'Budi Santoso',
        attribute: 'city',
        value: 'Surabaya',
        fact: 'Budi Santoso — city: Surabaya',
        confidence: 0.9,
        method: 'model',
      },
    ]);
  });

  it('merges: the model adds entities and wins for the same subject and attribute', () => {
    const patterns = extractWithPatterns(TEXT);
    expect(patterns.facts.map((f) => f.attribute)).toEqual(['company', 'location']);
    const merged = mergeExtractions(patterns, {
      entities: [
        { kind: 'place', name: 'Jawa Timur', normalized: 'jawa timur', surface: 'Jawa Timur', index: 0 },
      ],
      facts: [
        {
          subject: 'Budi Santoso',
          attribute: 'location',
          value: 'Surabaya, Jawa Timur',
          fact: 'x',
          confidence: 0.8,
          method: 'model',
        },
      ],
    });
    expect(merged.facts.map((f) => `${f.attribute}:${f.value}:${f.method ?? 'patterns'}`)).toEqual([
      'location:Surabaya, Jawa Timur:model',
      'company:PT Maju Jaya:patterns',
    ]);
    expect(merged.entities.at(-1)!.name).toBe('Jawa Timur');
    expect(grounded('budi   SANTOSO', TEXT)).toBe(true);
    expect(grounded('Jakarta', TEXT)).toBe(false);
  });
});
