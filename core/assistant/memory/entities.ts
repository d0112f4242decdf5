/**
 * Deterministic entity extraction: patterns and dictionaries for people (after an honorific),
 * companies (PT/CV … or … Ltd/Inc/GmbH), places, visa/permit/licence codes, dates and amounts.
 * Precise rather than exhaustive: every rule needs a strong cue (an honorific, a legal form, a
 * currency, a code from the list), so what it finds can be trusted without a model.
 */
import {
  HONORIFICS,
  LICENCE_CODES,
  MONTHS,
  NOT_NAME_WORDS,
  PERMIT_CODES,
  PLACES,
  VISA_CODES,
} from './dictionaries.ts';
import type { EntityKind, ExtractedEntity } from './types.ts';

export interface KnownEntity {
  kind: 'person' | 'company';
  name: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
const collapse = (s: string) => s.replace(/\s+/gu, ' ').trim();

/** The dedup key of a person or company name: lower case, single spaces, no trailing dots. */
export function normalizeName(name: string): string {
  return collapse(name.replace(/\b(pt|cv)\.(?=\s)/giu, '$1'))
    .replace(/[.,]+$/u, '')
    .toLowerCase();
}

// "O'Brien", "Jean-Luc", "Müller"; never the possessive "'s".
const NAME_WORD = String.raw`\p{Lu}\p{Ll}+(?:['’-]\p{Lu}\p{Ll}+)*`;
const PERSON_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:${HONORIFICS.join('|')})\.?\s+(${NAME_WORD}(?:\s+(?:bin\s+|binti\s+|van\s+|de\s+)?${NAME_WORD}){0,3})`,
  'gu',
);
const COMPANY_WORD = String.raw`[\p{Lu}\d][\p{L}\d&'’-]*`;
const COMPANY_PREFIX_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(PT|CV|UD)\.?\s+(?!PMA\b)(${COMPANY_WORD}(?:\s+${COMPANY_WORD}){0,4})`,
  'gu',
);
const COMPANY_SUFFIX_RE = new RegExp(
  String.raw`(?<![\p{L}\d])((?:\p{Lu}[\p{L}\d&'’-]*\s+){1,4})(Pte\.?\s+Ltd|Pty\.?\s+Ltd|Sdn\.?\s+Bhd|Ltd|Inc|GmbH|LLC|Corp|B\.V|BV|AG)\b\.?`,
  'gu',
);
const CODES: { kind: EntityKind; code: string }[] = [
  ...VISA_CODES.map((code) => ({ kind: 'visa' as const, code })),
  ...PERMIT_CODES.map((code) => ({ kind: 'permit' as const, code })),
  ...LICENCE_CODES.map((code) => ({ kind: 'licence' as const, code })),
];
const CODE_WORDS = new Set(CODES.map((c) => c.code.toLowerCase()));
const codeRe = (code: string) =>
  new RegExp(
    String.raw`(?<![\p{L}\d])${escape(code).replace(/ /gu, String.raw`\s+`)}(?![\p{L}\d])`,
    // Short letter-only codes only in capitals ("oss", "stm" are words); the rest in any case.
    /\d/u.test(code) || code.length >= 4 ? 'giu' : 'gu',
  );
const CODE_RES = CODES.map((c) => ({ ...c, re: codeRe(c.code) }));
const KBLI_RE = /\bKBLI\s*(?:code\s*|kode\s*)?(\d{5})\b/giu;

const MONTH_ALT = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const ISO_DATE_RE = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/gu;
const NUM_DATE_RE = /(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d/]|\.\d)/gu;
const DMY_RE = new RegExp(String.raw`(?<![\p{L}\d])(\d{1,2})\s+(${MONTH_ALT})\.?\s+(\d{4})(?!\d)`, 'giu');
const MDY_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(${MONTH_ALT})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)`,
  'giu',
);

const NUMBER = String.raw`\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const SCALE = String.raw`juta|jt|million|mio|ribu|rb|thousand|miliar|milyar|billion|k`;
const AMOUNT_PREFIX_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(Rp\.?|IDR|USD|US\$|\$|EUR|€|SGD|AUD)\s?(${NUMBER})(?:\s*(${SCALE})(?![\p{L}]))?`,
  'giu',
);
const AMOUNT_SUFFIX_RE = new RegExp(
  String.raw`(?<![\p{L}\d.,])(${NUMBER})\s*(?:(${SCALE})\s+)?(rupiah|IDR|USD|dollars?|EUR|euros?)(?![\p{L}])`,
  'giu',
);
const PLACE_RE = new RegExp(
  String.raw`(?<![\p{L}])(${[...PLACES]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')})(?![\p{L}])`,
  'gu',
);
const AFTER_IN_RE = /(?<![\p{L}])(?:in|di)\s+(\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)?)/gu;

function isoDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2200) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return null; // 31 February
  return date.toISOString().slice(0, 10);
}

const CURRENCY: Record<string, string> = {
  rp: 'IDR',
  'rp.': 'IDR',
  idr: 'IDR',
  rupiah: 'IDR',
  usd: 'USD',
  us$: 'USD',
  $: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  eur: 'EUR',
  '€': 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  sgd: 'SGD',
  aud: 'AUD',
};
const SCALES: Record<string, number> = {
  juta: 1e6,
  jt: 1e6,
  million: 1e6,
  mio: 1e6,
  ribu: 1e3,
  rb: 1e3,
  thousand: 1e3,
  k: 1e3,
  miliar: 1e9,
  milyar: 1e9,
  billion: 1e9,
};

/**
 * "5.000.000" and "1,200" are thousands; "1.5" and "1,25" are decimals: a last group of exactly
 * three digits means grouping, whichever separator the writer used.
 */
export function parseAmountNumber(text: string): number {
  const last = Math.max(text.lastIndexOf('.'), text.lastIndexOf(','));
  if (last < 0) return Number(text);
  const tail = text.slice(last + 1);
  if (tail.length === 3) return Number(text.replace(/[.,]/gu, ''));
  return Number(`${text.slice(0, last).replace(/[.,]/gu, '')}.${tail}`);
}

function amountEntity(
  currencyWord: string,
  numberText: string,
  scaleWord: string | undefined,
): Pick<ExtractedEntity, 'name' | 'normalized' | 'attributes'> | null {
  const currency = CURRENCY[currencyWord.toLowerCase()];
  if (!currency) return null;
  const value = parseAmountNumber(numberText) * (scaleWord ? (SCALES[scaleWord.toLowerCase()] ?? 1) : 1);
  if (!Number.isFinite(value) || value <= 0) return null;
  const rounded = Math.round(value * 100) / 100;
  return {
    name: `${currency} ${rounded.toLocaleString('en-US', { maximumFractionDigits: 2 })}`,
    normalized: `${currency} ${rounded}`,
    attributes: { currency, value: rounded },
  };
}

/** Drops trailing words that are not names ("Budi Santoso Monday" → "Budi Santoso"). */
function trimName(words: string[]): string[] {
  const out = [...words];
  while (out.length && NOT_NAME_WORDS.has(out.at(-1)!.toLowerCase())) out.pop();
  const firstBad = out.findIndex((w) => NOT_NAME_WORDS.has(w.toLowerCase()));
  return firstBad >= 0 ? out.slice(0, firstBad) : out;
}

interface Candidate extends ExtractedEntity {
  end: number;
}

type NewCandidate = Omit<Candidate, 'end'> & { end?: number };

/** Adds a candidate unless it overlaps one found earlier (earlier rules win). */
function addCandidate(taken: Candidate[], c: NewCandidate): void {
  const end = c.end ?? c.index + c.surface.length;
  if (taken.some((t) => c.index < t.end && end > t.index)) return;
  taken.push({ ...c, end });
}

/** "PT Maju Jaya", "CV …": a legal form before the name. */
function findPrefixCompanies(text: string, taken: Candidate[]): void {
  for (const m of text.matchAll(COMPANY_PREFIX_RE)) {
    const words = m[2]!.replace(/[.,]+$/u, '').split(/\s+/u);
    // Codes ("KITAS") and lower-case words end the name.
    const cut = words.findIndex(
      (w) => CODE_WORDS.has(w.toLowerCase()) || NOT_NAME_WORDS.has(w.toLowerCase()),
    );
    const nameWords = cut >= 0 ? words.slice(0, cut) : words;
    if (!nameWords.length) continue;
    const name = `${m[1]} ${nameWords.join(' ')}`;
    addCandidate(taken, {
      kind: 'company',
      name,
      normalized: normalizeName(name),
      surface: m[0]!.slice(0, m[0]!.indexOf(nameWords.at(-1)!) + nameWords.at(-1)!.length),
      index: m.index!,
    });
  }
}

/** "Acme Trading Pte Ltd", "… GmbH": a legal form after the name. */
function findSuffixCompanies(text: string, taken: Candidate[]): void {
  for (const m of text.matchAll(COMPANY_SUFFIX_RE)) {
    const words = trimName(m[1]!.trim().split(/\s+/u)).filter((w) => !CODE_WORDS.has(w.toLowerCase()));
    if (!words.length || HONORIFICS.includes(words[0]!)) continue;
    const form = m[2]!.replace(/\.\s*/gu, ' ').replace(/\s+/gu, ' ').trim();
    const name = `${words.join(' ')} ${form === 'B V' ? 'B.V.' : form}`;
    const start = m.index! + m[0]!.indexOf(words[0]!);
    addCandidate(taken, {
      kind: 'company',
      name,
      normalized: normalizeName(name),
      surface: text.slice(start, m.index! + m[0]!.length),
      index: start,
    });
  }
}

/** People named after an honorific ("Pak Budi Santoso"). */
function findPeople(text: string, taken: Candidate[]): void {
  for (const m of text.matchAll(PERSON_RE)) {
    const words = trimName(m[1]!.split(/\s+/u));
    if (!words.length) continue;
    const name = words.join(' ');
    addCandidate(taken, {
      kind: 'person',
      name,
      normalized: normalizeName(name),
      surface: m[0]!.slice(0, m[0]!.indexOf(words.at(-1)!) + words.at(-1)!.length),
      index: m.index!,
    });
  }
}

/** People and companies already known, wherever their full name appears. */
function findKnown(text: string, known: readonly KnownEntity[], taken: Candidate[]): void {
  for (const k of known) {
    // A cheap test first: most known names are not in a given message.
    if (k.name.length < 3 || !text.includes(k.name.split(' ')[0]!)) continue;
    const re = new RegExp(
      String.raw`(?<![\p{L}\d])${escape(k.name).replace(/ /gu, String.raw`\s+`)}(?![\p{L}\d])`,
      'gu',
    );
    for (const m of text.matchAll(re)) {
      addCandidate(taken, {
        kind: k.kind,
        name: k.name,
        normalized: normalizeName(k.name),
        surface: m[0]!,
        index: m.index!,
      });
    }
  }
}

/** KBLI business codes and the visa, permit and licence codes of the dictionaries. */
function findCodes(text: string, taken: Candidate[]): void {
  for (const m of text.matchAll(KBLI_RE)) {
    addCandidate(taken, {
      kind: 'licence',
      name: `KBLI ${m[1]}`,
      normalized: `KBLI ${m[1]}`,
      surface: m[0]!,
      index: m.index!,
    });
  }
  for (const { kind, code, re } of CODE_RES) {
    for (const m of text.matchAll(re))
      addCandidate(taken, { kind, name: code, normalized: code, surface: m[0]!, index: m.index! });
  }
}

/** Adds a date match when its year, month and day make a real date. */
function addDate(taken: Candidate[], m: RegExpMatchArray, y: string, mo: number, d: string): void {
  const iso = isoDate(Number(y), mo, Number(d));
  if (iso) addCandidate(taken, { kind: 'date', name: iso, normalized: iso, surface: m[0]!, index: m.index! });
}

/** Dates: ISO, numeric day-first, "5 March 2025" and "March 5, 2025". */
function findDates(text: string, taken: Candidate[]): void {
  for (const m of text.matchAll(ISO_DATE_RE)) addDate(taken, m, m[1]!, Number(m[2]), m[3]!);
  // Day first, as written in Indonesia and Europe.
  for (const m of text.matchAll(NUM_DATE_RE)) addDate(taken, m, m[3]!, Number(m[2]), m[1]!);
  for (const m of text.matchAll(DMY_RE)) addDate(taken, m, m[3]!, MONTHS[m[2]!.toLowerCase()]!, m[1]!);
  for (const m of text.matchAll(MDY_RE)) addDate(taken, m, m[3]!, MONTHS[m[1]!.toLowerCase()]!, m[2]!);
}

/** Amounts with a currency before ("Rp 5 juta") or after ("500 dollars") the number. */
function findAmounts(text: string, taken: Candidate[]): void {
  for (const m of text.matchAll(AMOUNT_PREFIX_RE)) {
    const a = amountEntity(m[1]!, m[2]!, m[3]);
    if (a) addCandidate(taken, { kind: 'amount', ...a, surface: m[0]!, index: m.index! });
  }
  for (const m of text.matchAll(AMOUNT_SUFFIX_RE)) {
    const a = amountEntity(m[3]!, m[1]!, m[2]);
    if (a) addCandidate(taken, { kind: 'amount', ...a, surface: m[0]!, index: m.index! });
  }
}

/** Places from the dictionary, then capitalised words after "in"/"di". */
function findPlaces(text: string, taken: Candidate[]): void {
  for (const m of text.matchAll(PLACE_RE)) {
    addCandidate(taken, {
      kind: 'place',
      name: m[1]!,
      normalized: m[1]!.toLowerCase(),
      surface: m[0]!,
      index: m.index!,
    });
  }
  for (const m of text.matchAll(AFTER_IN_RE)) {
    const words = trimName(m[1]!.split(/\s+/u));
    if (!words.length || CODE_WORDS.has(words[0]!.toLowerCase())) continue;
    const name = words.join(' ');
    const index = m.index! + m[0]!.indexOf(words[0]!);
    addCandidate(taken, { kind: 'place', name, normalized: name.toLowerCase(), surface: name, index });
  }
}

/** "Pak Budi" after "Pak Budi Santoso": the same person, under the longer name. */
function mergeShortNames(taken: Candidate[], known: readonly KnownEntity[]): void {
  const people = taken.filter((c) => c.kind === 'person');
  for (const c of people) {
    if (c.name.includes(' ')) continue;
    const longer = [
      ...new Set(
        [...people.map((p) => p.name), ...known.filter((k) => k.kind === 'person').map((k) => k.name)].filter(
          (n) => n.startsWith(`${c.name} `),
        ),
      ),
    ];
    if (longer.length === 1) {
      c.name = longer[0]!;
      c.normalized = normalizeName(c.name);
    }
  }
}

export function extractEntities(text: string, known: readonly KnownEntity[] = []): ExtractedEntity[] {
  // The order is the rules' priority: an overlapping later match is dropped.
  const taken: Candidate[] = [];
  findPrefixCompanies(text, taken);
  findSuffixCompanies(text, taken);
  findPeople(text, taken);
  findKnown(text, known, taken);
  findCodes(text, taken);
  findDates(text, taken);
  findAmounts(text, taken);
  findPlaces(text, taken);
  mergeShortNames(taken, known);
  return taken.sort((a, b) => a.index - b.index).map(({ end: _end, ...e }) => e);
}

/** One entry per (kind, normalized) with its first mention. */
export function uniqueEntities(entities: readonly ExtractedEntity[]): ExtractedEntity[] {
  const seen = new Map<string, ExtractedEntity>();
  for (const e of entities) {
    const key = `${e.kind}\u0000${e.normalized}`;
    if (!seen.has(key)) seen.set(key, e);
  }
  return [...seen.values()];
}
