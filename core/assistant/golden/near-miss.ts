/**
 * The safeguard of semantic matching: two questions that embed close together can still ask
 * different things ("KITAS fee for 2025" vs "for 2026", "can I work on a B211A" vs "can I NOT…",
 * "E33G" vs "C312", "Mr Tan" vs "Mr Lee"). Embeddings blur exactly those tokens, so before a
 * semantic match is served, the tokens that change an answer must agree between the two questions.
 */

/** Words that flip a question's meaning; their presence must agree. */
const NEGATIONS = new Set(
  (
    'not no never without cannot cant dont doesnt didnt isnt arent wasnt werent wont shouldnt none nor ' +
    'tidak tak bukan belum jangan tanpa enggak nggak gak'
  ).split(' '),
);
/** Pairs of words that ask opposite things; a question may use one side only. */
const OPPOSITES: readonly [string, string][] = [
  ['before', 'after'],
  ['sebelum', 'sesudah'],
  ['sebelum', 'setelah'],
  ['minimum', 'maximum'],
  ['min', 'max'],
  ['entry', 'exit'],
  ['masuk', 'keluar'],
  ['inside', 'outside'],
  ['first', 'last'],
  ['more', 'less'],
  ['increase', 'decrease'],
  ['renew', 'cancel'],
  ['husband', 'wife'],
  ['suami', 'istri'],
  ['buy', 'sell'],
  ['import', 'export'],
];
const MONTHS =
  'january february march april june july august september october november december ' +
  'jan feb mar apr jun jul aug sep sept oct nov dec ' +
  'januari februari maret mei juni juli agustus oktober desember ' +
  'monday tuesday wednesday thursday friday saturday sunday senin selasa rabu kamis jumat sabtu minggu';
const MONTH_SET = new Set(MONTHS.split(' '));
const NUMBER_WORDS = new Set(
  (
    'zero one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty ' +
    'hundred thousand million nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh ' +
    'sebelas puluh ratus ribu juta'
  ).split(' '),
);
/** Capitalised words that start sentences or are capitalised anyway; not names. */
const NOT_NAMES = new Set(
  (
    'i what how when where why who which whose can could do does did is are am was were will would ' +
    'should may might shall must the a an if for in on at to my our your please tell hi hello ' +
    'apa apakah bagaimana kapan dimana di mana mengapa kenapa siapa berapa bisakah bolehkah tolong ' +
    'mohon saya kami untuk dari yang'
  ).split(' '),
);

function words(text: string): string[] {
  return text.normalize('NFKC').match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu) ?? [];
}

/** The tokens of a question that an answer depends on exactly. */
export interface CriticalTokens {
  numbers: Set<string>;
  codes: Set<string>;
  names: Set<string>;
  negated: boolean;
  calendar: Set<string>;
  sides: Set<string>;
}

export function criticalTokens(question: string): CriticalTokens {
  const ws = words(question);
  const numbers = new Set<string>();
  const codes = new Set<string>();
  const names = new Set<string>();
  const calendar = new Set<string>();
  const sides = new Set<string>();
  let negated = false;
  ws.forEach((raw, i) => {
    const w = raw.replace(/['’.-]+$/u, '');
    const lower = w.toLowerCase().replace(/['’]/gu, '');
    // Numbers, with their separators dropped ("5.000.000" = "5000000", "1,200" = "1200").
    if (/^\p{N}[\p{N}.,]*$/u.test(w)) numbers.add(w.replace(/[.,]/gu, ''));
    else if (NUMBER_WORDS.has(lower)) numbers.add(lower);
    // Codes: letters mixed with digits (E33G, C312, B211A, KBLI 62019 handled as a number).
    else if (/\p{L}/u.test(w) && /\p{N}/u.test(w)) codes.add(lower);
    // Acronyms: KITAS, KITAP, NPWP, VOA.
    else if (w.length >= 2 && w === w.toUpperCase() && /\p{Lu}/u.test(w)) codes.add(lower);
    else if (MONTH_SET.has(lower)) calendar.add(lower);
    // Names: capitalised words not opening the question and not common question words.
    else if (i > 0 && /^\p{Lu}\p{Ll}/u.test(w) && !NOT_NAMES.has(lower)) names.add(lower);
    if (NEGATIONS.has(lower) || /n['’]t$/u.test(raw.toLowerCase())) negated = true;
    for (const [a, b] of OPPOSITES) {
      if (lower === a || lower === b) sides.add(lower);
    }
  });
  return { numbers, codes, names, negated, calendar, sides };
}

/** Folded words, with the parts of hyphenated ones too ("non-residents" → non, residents). */
function wordSet(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of words(text)) {
    const f = fold(w);
    out.add(f);
    if (f.includes('-')) for (const part of f.split('-')) if (part) out.add(part);
  }
  return out;
}

const DIRECTION: Record<string, string> = {
  to: 'to',
  into: 'to',
  ke: 'to',
  menjadi: 'to',
  from: 'from',
  dari: 'from',
};
const ARTICLES = new Set([
  'a',
  'an',
  'the',
  'my',
  'our',
  'your',
  'his',
  'her',
  'their',
  'its',
  'this',
  'that',
]);

/** What follows "to"/"into"/"from" (convert A to B ≠ convert B to A). */
function directions(text: string): Map<string, string> {
  const ws = words(text).map(fold);
  const out = new Map<string, string>();
  ws.forEach((w, i) => {
    const dir = DIRECTION[w];
    if (!dir || out.has(dir)) return;
    let j = i + 1;
    while (j < ws.length && ARTICLES.has(ws[j]!)) j++;
    if (j < ws.length) out.set(dir, stem(ws[j]!));
  });
  return out;
}

const fold = (w: string) =>
  w
    .toLowerCase()
    .replace(/['’.-]+$/u, '')
    .replace(/['’]/gu, '');

/** A light stem: plural and verb endings off, at most 6 letters ("residents" = "resident"). */
function stem(word: string): string {
  const w = word.replace(/-/gu, '');
  const base = w.replace(/(ies|es|s|ed|ing|ly|nya|kan|an)$/u, '');
  return (base.length >= 3 ? base : w).slice(0, 6);
}

/** Words with no weight of their own: fillers, question words, prepositions, pronouns. */
const LIGHT = new Set(
  (
    'what how when where why who whom which whose much many does did do is are was were be been the a an ' +
    'for of to in on at by with from into about and or my our your their his her its this that these those ' +
    'can could may might must should would will shall need needed please tell me i we you it there any some ' +
    'get got have has had still also just apa apakah bagaimana kapan dimana mana siapa berapa yang untuk ' +
    'dari ke di dan atau saya kami kita anda ini itu ada bisa boleh harus perlu mohon tolong dengan pada'
  ).split(' '),
);
const MAX_DRIFT = 2;

/** Question words that fix what kind of answer is wanted (a person, a time, a place, a reason). */
const ANSWER_KINDS: Record<string, string> = {
  who: 'person',
  whom: 'person',
  whose: 'person',
  siapa: 'person',
  when: 'time',
  kapan: 'time',
  where: 'place',
  dimana: 'place',
  why: 'reason',
  mengapa: 'reason',
  kenapa: 'reason',
};

/** Words that change which case a question is about; present on one side only = another question. */
const CASE_WORDS = new Set(
  (
    'close closing cancel cancellation extend extension renew renewal twice again second third new former ' +
    'previous next except only non sell transfer convert change replace lost stolen late early ' +
    'tutup batal pembatalan perpanjang perpanjangan baru lama kedua ulang hilang pindah'
  ).split(' '),
);

/**
 * Content words in one question only. A paraphrase swaps a word or two for a synonym; a question
 * about something else swaps the subject ("renewal" for "application", "work" for "retirement").
 */
function contentDrift(a: Set<string>, b: Set<string>): string[] {
  const content = (s: Set<string>) =>
    [...s].filter((w) => w.length >= 3 && !LIGHT.has(w) && !/^\p{N}/u.test(w));
  const ca = content(a);
  const cb = content(b);
  return [...ca.filter((w) => !cb.includes(w)), ...cb.filter((w) => !ca.includes(w))];
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/**
 * Why a semantic match between the asked question and a golden question must not be served, or
 * null when they agree on every critical token. Names are compared leniently (a name in one
 * question only is fine when the other has none, e.g. a capitalised common word), codes,
 * numbers, dates, negation and opposite words strictly.
 */
export function nearMissReason(asked: string, golden: string): string | null {
  const a = criticalTokens(asked);
  const g = criticalTokens(golden);
  if (!sameSet(a.numbers, g.numbers)) return 'different numbers';
  // Codes compare as words of the other question, so "kitas" typed in lower case still agrees.
  const wordsA = wordSet(asked);
  const wordsG = wordSet(golden);
  for (const c of a.codes) if (!wordsG.has(c)) return 'different codes or acronyms';
  for (const c of g.codes) if (!wordsA.has(c)) return 'different codes or acronyms';
  if (!sameSet(a.calendar, g.calendar)) return 'different dates';
  if (a.negated !== g.negated) return 'one question is negated';
  if (!sameSet(a.sides, g.sides)) return 'opposite wording';
  // A name on one side only: lowercase typing of the same name is fine, a new name is not
  // (compared by stem: "Indonesia" = "Indonesian").
  const stemsA = new Set([...wordsA].map(stem));
  const stemsG = new Set([...wordsG].map(stem));
  const nameStems = (names: Set<string>) => new Set([...names].map(stem));
  if (a.names.size && g.names.size && !sameSet(nameStems(a.names), nameStems(g.names)))
    return 'different names';
  for (const n of a.names) if (!stemsG.has(stem(n))) return 'different names';
  for (const n of g.names) if (!stemsA.has(stem(n))) return 'different names';
  const kinds = (ws: Set<string>) =>
    new Set([...ws].map((w) => ANSWER_KINDS[w]).filter((k): k is string => k !== undefined));
  if (!sameSet(kinds(wordsA), kinds(wordsG))) return 'asks for another kind of answer';
  for (const w of wordsA) if (CASE_WORDS.has(w) && !wordsG.has(w)) return `about another case (${w})`;
  for (const w of wordsG) if (CASE_WORDS.has(w) && !wordsA.has(w)) return `about another case (${w})`;
  const dirA = directions(asked);
  const dirG = directions(golden);
  for (const [prep, target] of dirA) {
    const other = dirG.get(prep);
    if (other !== undefined && other !== target) return `another direction (${prep} ${target})`;
  }
  const drift = contentDrift(stemsA, stemsG);
  if (drift.length >= MAX_DRIFT) return `different words (${drift.slice(0, 3).join(', ')})`;
  return null;
}
