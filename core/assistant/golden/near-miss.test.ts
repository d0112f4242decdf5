import { describe, expect, it } from 'vitest';
import { HELD_OUT_GROUPS, PARAPHRASE_GROUPS } from '../../../bench/golden/paraphrases.ts';
import { scoreMatching } from '../../../bench/golden/evaluate.ts';
import { createBuiltinEmbedder } from '../../models/embed/builtin.ts';
import { BUILTIN_EMBEDDER } from '../../models/embed/builtin-spec.ts';
import { criticalTokens, nearMissReason } from './near-miss.ts';
import { looseKeyOf, questionKeys } from './question-key.ts';
import { thresholdFor } from './thresholds.ts';

describe('question keys', () => {
  it('ignores case, spacing, punctuation and Unicode form in the hash', () => {
    const a = questionKeys('What is the KITAS fee?');
    expect(questionKeys('  what   is the ｋｉｔａｓ fee ').hash).toBe(a.hash);
    expect(questionKeys('What is the KITAP fee?').hash).not.toBe(a.hash);
  });

  it('drops fillers but keeps negations, numbers, prepositions and question words in the loose key', () => {
    expect(looseKeyOf('what s the kitas fee')).toBe('what kitas fee');
    expect(questionKeys("What's the KITAS fee?").looseKey).toBe(
      questionKeys('What is the KITAS fee').looseKey,
    );
    expect(questionKeys('Can I not work here?').looseKey).toBe('not work here');
    expect(questionKeys('visa from Bali to Jakarta').looseKey).not.toBe(
      questionKeys('visa to Bali from Jakarta').looseKey,
    );
    expect(questionKeys('How long for 2 years?').looseKey).toBe('how long for 2 years');
    expect(questionKeys('Apakah saya perlu NPWP?').looseKey).toBe('saya perlu npwp');
  });
});

describe('near-miss guard', () => {
  it.each([
    ['What is the KITAS fee for 2025?', 'What is the KITAS fee for 2026?', 'different numbers'],
    ['What is the KITAS fee?', 'What is the KITAP fee?', 'different codes or acronyms'],
    ['Can I work on a B211A visa?', 'Can I work on a C312 visa?', 'different codes or acronyms'],
    ['Can I work on a B211A visa?', 'Can I not work on a B211A visa?', 'one question is negated'],
    ["Don't I need an NPWP?", 'Do I need an NPWP?', 'one question is negated'],
    ['Apakah saya tidak perlu NPWP?', 'Apakah saya perlu NPWP?', 'one question is negated'],
    ['What happens before I leave?', 'What happens after I leave?', 'opposite wording'],
    ['Can Mr Tan employ foreigners?', 'Can Mr Lee employ foreigners?', 'different names'],
    ['Deadline in March?', 'Deadline in April?', 'different dates'],
    ['Who pays the KITAS fee?', 'What is the KITAS fee?', 'asks for another kind of answer'],
    ['Can I extend my visa twice?', 'Can I extend my visa?', 'about another case (twice)'],
    ['Tax on dividends for non-residents?', 'Tax on dividends?', 'about another case (non)'],
    [
      'Can I convert my KITAS to a tourist visa?',
      'Can I convert my tourist visa to a KITAS?',
      'another direction (to touris)',
    ],
  ])('rejects %s ~ %s (%s)', (a, b, reason) => {
    expect(nearMissReason(a, b)).toBe(reason);
  });

  it.each([
    ['what is the kitas fee', 'What is the KITAS fee?'],
    ['What is the Indonesian VAT rate?', 'What is the VAT rate in Indonesia?'],
    ['Berapa biaya untuk KITAS investor?', 'Berapa biaya KITAS investor?'],
    ['Rp 5.000.000 or more?', 'Rp 5000000 or more?'],
    ['Who may sponsor a retirement KITAS?', 'Who can sponsor a retirement KITAS?'],
  ])('accepts %s ~ %s', (a, b) => {
    expect(nearMissReason(a, b)).toBeNull();
  });

  it('reads numbers, codes, names and negation from a question', () => {
    const t = criticalTokens(
      'Can Pak Budi renew an E33G KITAS for Rp 5.000.000 in two years without a sponsor?',
    );
    expect([...t.numbers].sort()).toEqual(['5000000', 'two']);
    expect([...t.codes].sort()).toEqual(['e33g', 'kitas']);
    expect(t.names.has('budi')).toBe(true);
    expect(t.negated).toBe(true);
  });
});

describe('matching quality on the paraphrase sets (built-in embedder)', () => {
  it('serves no wrong answer at the calibrated threshold and finds most paraphrases', async () => {
    const embedder = createBuiltinEmbedder();
    const threshold = thresholdFor(BUILTIN_EMBEDDER.id);
    const [all] = await scoreMatching(embedder, [...PARAPHRASE_GROUPS, ...HELD_OUT_GROUPS], [threshold]);
    // The bound: at most 1 % wrong hits among the answers served.
    expect(all!.wrongHitRate).toBeLessThanOrEqual(0.01);
    expect(all!.hitRate).toBeGreaterThan(0.6);
    // The same bound on the held-out groups alone (never used to tune the threshold or the
    // guard), scored as bench/golden.ts scores them: a bound that only holds thanks to the tuned
    // groups diluting it would fail here.
    const [heldOut] = await scoreMatching(embedder, HELD_OUT_GROUPS, [threshold]);
    expect(heldOut!.paraphrases).toBe(HELD_OUT_GROUPS.reduce((n, g) => n + g.same.length, 0));
    expect(heldOut!.nearMisses).toBe(HELD_OUT_GROUPS.reduce((n, g) => n + g.different.length, 0));
    expect(heldOut!.wrongHitRate).toBeLessThanOrEqual(0.01);
    expect(heldOut!.hits).toBeGreaterThan(0); // answers were served: the bound is not vacuous
    expect(heldOut!.hitRate).toBeGreaterThan(0.6);
    // Without the guard the same threshold serves wrong answers: the guard is what holds the bound.
    const [unguarded] = await scoreMatching(
      embedder,
      [...PARAPHRASE_GROUPS, ...HELD_OUT_GROUPS],
      [threshold],
      false,
    );
    expect(unguarded!.wrongHits).toBeGreaterThan(5);
  });
});
