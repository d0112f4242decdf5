import { describe, expect, it } from 'vitest';
import { extractEntities, parseAmountNumber, uniqueEntities } from './entities.ts';
import { extractFacts, sentences } from './facts.ts';

const ents = (text: string, known: Parameters<typeof extractEntities>[1] = []) =>
  uniqueEntities(extractEntities(text, known)).map((e) => `${e.kind}:${e.normalized}`);
const facts = (text: string, known: Parameters<typeof extractEntities>[1] = []) =>
  extractFacts(text, extractEntities(text, known)).map((f) => `${f.subject} | ${f.attribute} | ${f.value}`);

/** The corpus: consulting messages (English and Indonesian) and what must come out of them. */
const CORPUS: { text: string; entities: string[]; facts: string[] }[] = [
  {
    text: 'Pak Budi Santoso of PT Maju Jaya needs a KITAS renewal before 12 March 2026, budget Rp 15.000.000.',
    entities: [
      'person:budi santoso',
      'company:pt maju jaya',
      'visa:KITAS',
      'date:2026-03-12',
      'amount:IDR 15000000',
    ],
    facts: [
      'Budi Santoso | company | PT Maju Jaya',
      'Budi Santoso | needs | a KITAS renewal before 12 March 2026',
      'Budi Santoso | budget | IDR 15,000,000',
    ],
  },
  {
    text: 'Mrs Sarah Miller of Nusantara Trading Pte. Ltd. wants an E33G remote worker visa. She lives in Canggu. Her email is sarah@example.com.',
    entities: ['person:sarah miller', 'company:nusantara trading pte ltd', 'visa:E33G', 'place:canggu'],
    facts: [
      'Sarah Miller | company | Nusantara Trading Pte Ltd',
      'Sarah Miller | needs | an E33G remote worker visa',
      'Sarah Miller | location | Canggu',
      'Sarah Miller | email | sarah@example.com',
    ],
  },
  {
    text: 'Ibu Sari pindah ke Surabaya pada 3 Mei 2026. Ibu Sari membutuhkan PT PMA dengan KBLI 62010 dan NPWP, anggaran 5 juta rupiah.',
    entities: [
      'person:sari',
      'place:surabaya',
      'date:2026-05-03',
      'licence:PT PMA',
      'licence:KBLI 62010',
      'licence:NPWP',
      'amount:IDR 5000000',
    ],
    facts: [
      'Sari | location | Surabaya',
      'Sari | needs | PT PMA dengan KBLI 62010 dan NPWP',
      'Sari | budget | IDR 5,000,000',
    ],
  },
  {
    text: "Budi Santoso's KITAS expires on 01/06/2026. Mr Tan is a Singaporean citizen. PT Maju Jaya holds an NIB and pays USD 1,200.50 monthly.",
    entities: [
      'person:budi santoso',
      'visa:KITAS',
      'date:2026-06-01',
      'person:tan',
      'company:pt maju jaya',
      'licence:NIB',
      'amount:USD 1200.5',
    ],
    facts: [
      'Budi Santoso | KITAS expiry | 2026-06-01',
      'Tan | nationality | Singaporean',
      'PT Maju Jaya | holds | NIB and pays USD 1',
    ],
  },
  {
    // Questions state nothing; generic text names nobody.
    text: 'What does PT Maju Jaya need for a sponsor letter? How long does a kitas renewal take in Bali?',
    entities: ['company:pt maju jaya', 'visa:KITAS', 'place:bali'],
    facts: [],
  },
  {
    text: 'Dr. Hans Müller from Alpen Consulting GmbH moved to Denpasar on March 5, 2026 and needs an IMTA and RPTKA.',
    entities: [
      'person:hans müller',
      'company:alpen consulting gmbh',
      'place:denpasar',
      'date:2026-03-05',
      'permit:IMTA',
      'permit:RPTKA',
    ],
    facts: ['Hans Müller | company | Alpen Consulting GmbH', 'Hans Müller | location | Denpasar'],
  },
];

describe('deterministic extraction corpus', () => {
  for (const [i, c] of CORPUS.entries()) {
    it(`message ${i + 1}: entities and facts`, () => {
      expect(ents(c.text, [{ kind: 'person', name: 'Budi Santoso' }])).toEqual(c.entities);
      expect(facts(c.text, [{ kind: 'person', name: 'Budi Santoso' }])).toEqual(c.facts);
    });
  }

  it('resolves a short name to the known longer one, and finds known names without an honorific', () => {
    const known = [{ kind: 'person' as const, name: 'Budi Santoso' }];
    expect(ents('Pak Budi has moved to Bandung.', known)).toEqual(['person:budi santoso', 'place:bandung']);
    expect(facts('Pak Budi has moved to Bandung.', known)).toEqual(['Budi Santoso | location | Bandung']);
    expect(ents('Budi Santoso called today.', known)).toEqual(['person:budi santoso']);
    expect(ents('Budi Santoso called today.')).toEqual([]);
  });

  it('rejects impossible dates and reads both decimal conventions', () => {
    expect(ents('Due 31/02/2026 or 2026-13-01.')).toEqual([]);
    expect(parseAmountNumber('5.000.000')).toBe(5_000_000);
    expect(parseAmountNumber('1,200')).toBe(1200);
    expect(parseAmountNumber('1,5')).toBe(1.5);
    expect(parseAmountNumber('15.000.000,50')).toBe(15_000_000.5);
    expect(ents('Fee Rp 1,5 juta or EUR 300.')).toEqual(['amount:IDR 1500000', 'amount:EUR 300']);
  });

  it('keeps abbreviations inside a sentence and flags questions', () => {
    const text = 'Mr. Tan of PT. Sinar Jaya paid Rp. 5.000.000. Does he need a KITAS?';
    const s = sentences(text);
    expect(s.map((x) => [text.slice(x.start, x.end).trim(), x.question])).toEqual([
      ['Mr. Tan of PT. Sinar Jaya paid Rp. 5.000.000', false],
      ['Does he need a KITAS', true],
    ]);
    expect(ents(text)).toEqual(['person:tan', 'company:pt sinar jaya', 'amount:IDR 5000000', 'visa:KITAS']);
  });
});
