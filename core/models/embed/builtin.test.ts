import { describe, expect, it } from 'vitest';
import { createBuiltinEmbedder, normalizeForEmbedding } from './builtin.ts';
import { BUILTIN_EMBEDDER } from './builtin-spec.ts';
import { countTokens } from '../../base/tokens.ts';

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

const PASSAGES = [
  'A tourist visa on arrival is valid for 30 days and can be extended once for another 30 days at the immigration office.',
  'The KITAS is a limited stay permit for foreigners who work in Indonesia; the sponsoring company must apply for it.',
  'Foreign-owned companies (PT PMA) need a minimum paid-up capital and must register through the OSS online licensing system.',
  'Individual income tax in Indonesia is progressive, ranging from 5% to 35%, and annual returns are due by 31 March.',
  'Value added tax (VAT) is charged at 11% on most goods and services delivered within the customs area.',
  'Perusahaan penanaman modal asing wajib memiliki Nomor Induk Berusaha yang diterbitkan melalui sistem OSS.',
  'Pajak penghasilan orang pribadi dihitung dengan tarif progresif dan SPT tahunan wajib dilaporkan paling lambat 31 Maret.',
  'Izin tinggal terbatas (KITAS) dapat diperpanjang di kantor imigrasi sebelum masa berlakunya habis.',
  'Employers must enrol every employee in BPJS Kesehatan health insurance and BPJS Ketenagakerjaan social security.',
  'A branch office of a foreign bank requires approval from the financial services authority before it may operate.',
];

/** Query → index of the passage it paraphrases. */
const QUERIES: Array<[string, number]> = [
  ['how long can I extend my tourist visa on arrival', 0],
  ['stay permit for foreign workers sponsored by the company', 1],
  ['minimum capital to set up a foreign owned company PT PMA', 2],
  ['personal income tax rates and deadline for the annual return', 3],
  ['what is the VAT rate on services', 4],
  ['bagaimana mendapatkan nomor induk berusaha untuk perusahaan asing', 5],
  ['kapan batas pelaporan SPT tahunan pajak penghasilan', 6],
  ['perpanjangan izin tinggal di kantor imigrasi', 7],
  ['health insurance and social security for employees', 8],
  ['can a foreign bank open a branch', 9],
  ['employee enrolment in social security programmes', 8],
  ['register a company via the online licensing system', 2],
];

describe('builtin embedder', () => {
  const embedder = createBuiltinEmbedder();

  it('has the recorded id, dimension and batch size, and counts tokens like the chunker', () => {
    expect(embedder.id).toBe('builtin:hashed-ngrams-v1');
    expect(embedder.id).toBe(BUILTIN_EMBEDDER.id);
    expect(embedder.dim).toBe(384);
    expect(embedder.batchSize).toBe(64);
    expect(embedder.countTokens('Izin tinggal terbatas (KITAS).')).toBe(
      countTokens('Izin tinggal terbatas (KITAS).'),
    );
  });

  it('returns one unit-length 384-dim vector per text, in order, for any input', async () => {
    const texts = [
      ...PASSAGES,
      '',
      '   \n\t',
      '???',
      '%',
      '东京是日本的首都。',
      'مَرْحَبًا بِالْعَالَمِ',
      'Aufenthaltsgenehmigung für Arbeitnehmer',
      'x',
      '😀',
      'A'.repeat(10_000),
    ];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(384);
      expect(norm(v)).toBeCloseTo(1, 5);
      expect(v.every(Number.isFinite)).toBe(true);
    }
    const [first] = await embedder.embed([texts[3]!]);
    expect(first).toEqual(vectors[3]);
  });

  it('is deterministic: same text → identical vector, across instances and batches', async () => {
    const other = createBuiltinEmbedder();
    const a = await embedder.embed(PASSAGES);
    const b = await other.embed([...PASSAGES].reverse());
    a.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(b[PASSAGES.length - 1 - i]!)));
  });

  it('matches the pinned checksum (a change here needs a new embedder id)', async () => {
    const vs = await embedder.embed([
      'Izin tinggal terbatas (KITAS) dapat diperpanjang di kantor imigrasi.',
      'Résumé — Straße 東京の首都 مرحبا 2024',
      '',
    ]);
    let h = 0x811c9dc5;
    for (const v of vs) for (const byte of new Uint8Array(v.buffer)) h = Math.imul(h ^ byte, 0x01000193);
    expect((h >>> 0).toString(16)).toBe('88ce6524');
  });

  it('gives empty and whitespace-only texts the same fixed unit vector, unlike real text', async () => {
    const [empty, blank, word, symbols] = await embedder.embed(['', ' \n ', 'visa', '???']);
    expect(Array.from(blank!)).toEqual(Array.from(empty!));
    expect(empty!.filter((x) => x !== 0)).toHaveLength(1);
    expect(Math.abs(dot(empty!, word!))).toBeLessThan(0.3);
    expect(Array.from(symbols!)).not.toEqual(Array.from(empty!));
  });

  it('folds case, width and diacritics', async () => {
    expect(normalizeForEmbedding('Résumé STRASSE Straße ＫＩＴＡＳ')).toBe('resume strasse strasse kitas');
    expect(normalizeForEmbedding('مَرْحَبًا')).toBe('مرحبا');
    const [a, b, c, d] = await embedder.embed([
      'Résumé Straße',
      'resume strasse',
      'RÉSUMÉ STRASSE',
      'mercredi bateau',
    ]);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Array.from(c!)).toEqual(Array.from(b!));
    expect(dot(a!, d!)).toBeLessThan(0.3);
  });

  it('ranks the source passage first for paraphrased queries (English and Indonesian)', async () => {
    const passages = await embedder.embed(PASSAGES);
    const queries = await embedder.embed(QUERIES.map(([q]) => q));
    QUERIES.forEach(([q, want], i) => {
      const sims = passages.map((p) => dot(queries[i]!, p));
      const best = sims.indexOf(Math.max(...sims));
      expect(best, `"${q}" → "${PASSAGES[best]}"`).toBe(want);
      // …and by a margin, not by a hair.
      const runnerUp = Math.max(...sims.filter((_, j) => j !== want));
      expect(sims[want]! - runnerUp, q).toBeGreaterThan(0.05);
    });
  });

  it('finds the Indonesian passage for an Indonesian query', async () => {
    const [q] = await embedder.embed(['berapa lama izin tinggal terbatas bisa diperpanjang']);
    const passages = await embedder.embed(PASSAGES);
    const sims = passages.map((p) => dot(q!, p));
    expect(sims.indexOf(Math.max(...sims))).toBe(7);
  });

  it('matches inflected and compound forms through character n-grams', async () => {
    const [q, near, far] = await embedder.embed([
      'pendaftaran perusahaan',
      'syarat mendaftarkan perusahaannya',
      'jadwal penerbangan ke Bali',
    ]);
    expect(dot(q!, near!)).toBeGreaterThan(dot(q!, far!) + 0.1);
  });

  it('reads CJK text by character bigrams', async () => {
    const [q, tokyo, tax] = await embedder.embed([
      '日本の首都はどこですか',
      '東京は日本の首都です。',
      '消費税の税率は十パーセントです。',
    ]);
    expect(dot(q!, tokyo!)).toBeGreaterThan(dot(q!, tax!) + 0.1);
  });

  it('stops between texts when aborted, with the signal reason', async () => {
    const ac = new AbortController();
    const reason = new Error('import cancelled');
    ac.abort(reason);
    await expect(embedder.embed(['a', 'b'], ac.signal)).rejects.toBe(reason);
    await expect(embedder.embed([], ac.signal)).resolves.toEqual([]);
    await embedder.close();
  });
});
