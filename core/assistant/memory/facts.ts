/**
 * Deterministic fact extraction. A fact needs a subject the entity extractor found (a person or
 * company, or "he/she/dia" right after one) followed by one of a few phrasings:
 * "X of PT Y", "X's <attribute> is <value>", "X moved to / lives in <place>", "X needs/wants …",
 * "X has/holds …", "X is a German citizen", "budget <amount>", in English and Indonesian.
 */
import type { ExtractedEntity, ExtractedFact } from './types.ts';
import { factText } from './types.ts';

export const PATTERN_CONFIDENCE = 0.6;

interface Sentence {
  start: number;
  end: number;
  /** Ends with "?" or opens with a question word: it asks, it does not state. */
  question: boolean;
}

const QUESTION_START =
  /^\s*(?:what|which|who|whom|whose|when|where|why|how|does|do|did|is|are|can|could|should|would|will|may|apa|apakah|siapa|kapan|dimana|di mana|mengapa|kenapa|bagaimana|berapa|bisakah|bolehkah)\b/iu;

const ABBREVIATION =
  /\b(?:Pte|Pty|Mr|Mrs|Ms|Dr|No|Jl|St|PT|CV|Rp|Inc|Ltd|Sdn|Bhd|Corp|approx|e\.g|i\.e|etc)$/u;

/** Sentence spans: ends at . ! ? (not after "Mr", "Rp", "Pte"… and not inside "15.000"), ; or a newline. */
export function sentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number, terminator: string) => {
    const body = text.slice(start, end);
    if (body.trim())
      out.push({ start, end, question: terminator.includes('?') || QUESTION_START.test(body) });
  };
  for (const m of text.matchAll(/[.!?]+(?=\s|$)|[;\n]+/gu)) {
    const end = m.index!;
    if (m[0]!.startsWith('.') && ABBREVIATION.test(text.slice(start, end))) continue;
    push(end, m[0]!);
    start = end + m[0]!.length;
  }
  push(text.length, '');
  return out;
}

const SUBJECT_PRONOUN = /^\s*(he|she|they|dia|ia|beliau)\b/iu;
const POSSESSIVE_PRONOUN = /^\s*(his|her|their)\b/iu;

/** A value phrase: up to the first comma, semicolon or "and he/she…", without a trailing dot. */
function clause(text: string): string {
  const cut = text.split(
    /[,;(]|\s+(?:and|but|dan|tapi|sedangkan)\s+(?=(?:he|she|they|his|her|dia|ia)\b)/iu,
  )[0]!;
  return cut
    .replace(/[.!?\s]+$/u, '')
    .trim()
    .slice(0, 160);
}

interface Rule {
  re: RegExp;
  attribute: string | ((m: RegExpMatchArray) => string);
  /** The value: a matched group, or an entity of this kind at the start of that group. */
  group: number;
  entityKind?: ExtractedEntity['kind'];
}

const CODE_WORD = String.raw`[A-Z][A-Z0-9]{1,7}`;
const RULES: Rule[] = [
  {
    re: new RegExp(
      String.raw`^(?:'s|’s)\s+(${CODE_WORD})\s+(?:expires|expired|will expire|berakhir|habis)\s+(?:on\s+|pada\s+|tanggal\s+)?(.+)`,
      'u',
    ),
    attribute: (m) => `${m[1]} expiry`,
    group: 2,
    entityKind: 'date',
  },
  {
    re: new RegExp(String.raw`^(?:'s|’s)\s+(${CODE_WORD})\s+(?:is|was|has been)\s+(?:now\s+)?(.+)`, 'u'),
    attribute: (m) => `${m[1]} status`,
    group: 2,
  },
  {
    re: /^(?:'s|’s)\s+([a-z][a-z ]{1,30}?)\s+(?:is now|is|are|has changed to|changed to|was changed to)\s+(.+)/iu,
    attribute: (m) => m[1]!.toLowerCase().replace(/^(new|current)\s+/u, ''),
    group: 2,
  },
  {
    re: /^\s+(?:has\s+|have\s+|just\s+|recently\s+|now\s+|sudah\s+|baru\s+)*(?:moved|relocated|pindah)\s+(?:to|ke)\s+(.+)/iu,
    attribute: 'location',
    group: 1,
    entityKind: 'place',
  },
  {
    re: /^\s+(?:now\s+|still\s+|sekarang\s+|masih\s+)?(?:lives|is living|is based|resides|is located|live|tinggal|berdomisili|berada)\s+(?:in|at|di)\s+(.+)/iu,
    attribute: 'location',
    group: 1,
    entityKind: 'place',
  },
  {
    re: /^\s+is\s+(?:a|an)\s+(\p{Lu}\p{Ll}+)\s+(?:citizen|national)\b/u,
    attribute: 'nationality',
    group: 1,
  },
  {
    re: /^\s+(?:now\s+|also\s+|still\s+|urgently\s+|juga\s+|masih\s+)?(?:needs|need|wants|requires|would like|is looking for|butuh|membutuhkan|perlu|memerlukan|ingin|mau)\s+(?:to get\s+|to apply for\s+)?(.+)/iu,
    attribute: 'needs',
    group: 1,
  },
  {
    re: /^\s+(?:already\s+|still\s+|sudah\s+|masih\s+)?(?:has|holds|owns|punya|memiliki|memegang)\s+(?!moved|relocated|been|to\b)(?:a\s+|an\s+|the\s+)?(.+)/iu,
    attribute: 'holds',
    group: 1,
  },
];
const OF_COMPANY = /^\s+(?:of|from|at|dari)\s+$/iu;
const BUDGET = /\b(?:budget|anggaran|biaya maksimal)\b/iu;

export function extractFacts(text: string, entities: readonly ExtractedEntity[]): ExtractedFact[] {
  const facts: ExtractedFact[] = [];
  const add = (subject: string, attribute: string, value: string) => {
    if (!value || value.length < 2) return;
    if (facts.some((f) => f.subject === subject && f.attribute === attribute && f.value === value)) return;
    facts.push({
      subject,
      attribute,
      value,
      fact: factText(subject, attribute, value),
      confidence: PATTERN_CONFIDENCE,
    });
  };
  const subjects = entities.filter((e) => e.kind === 'person' || e.kind === 'company');
  const endOf = (e: ExtractedEntity) => e.index + e.surface.length;
  let lastSubject: ExtractedEntity | undefined;

  for (const s of sentences(text)) {
    if (s.question) continue;
    const inside = (e: ExtractedEntity) => e.index >= s.start && e.index < s.end;
    const mentions: { subject: ExtractedEntity; restStart: number; possessive?: boolean }[] = subjects
      .filter(inside)
      .map((e) => ({ subject: e, restStart: endOf(e) }));
    const sentence = text.slice(s.start, s.end);
    if (lastSubject?.kind === 'person' && !mentions.some((m) => m.subject.index - s.start < 3)) {
      const p = SUBJECT_PRONOUN.exec(sentence);
      const q = p ? null : POSSESSIVE_PRONOUN.exec(sentence);
      if (p) mentions.unshift({ subject: lastSubject, restStart: s.start + p[0].length });
      if (q) mentions.unshift({ subject: lastSubject, restStart: s.start + q[0].length, possessive: true });
    }
    const consumed = new Set<ExtractedEntity>();
    for (const { subject, restStart, possessive } of mentions) {
      if (consumed.has(subject)) continue;
      let from = restStart;
      // "Pak Budi of PT Maju Jaya needs …": the company, then go on after it.
      const company = subjects.find(
        (c) =>
          c.kind === 'company' &&
          c !== subject &&
          c.index > from &&
          OF_COMPANY.test(text.slice(from, c.index)),
      );
      if (subject.kind === 'person' && company) {
        add(subject.name, 'company', company.name);
        consumed.add(company);
        from = endOf(company);
      }
      let rest = text.slice(from, s.end);
      if (possessive) rest = `'s${rest}`;
      for (const rule of RULES) {
        const m = rule.re.exec(rest);
        if (!m) continue;
        const attribute = typeof rule.attribute === 'string' ? rule.attribute : rule.attribute(m);
        let value: string | undefined;
        if (rule.entityKind) {
          const groupStart = from + (m.index ?? 0) + m[0]!.length - m[rule.group]!.length;
          const ent = entities.find(
            (e) =>
              e.kind === rule.entityKind &&
              e.index >= groupStart &&
              e.index <= groupStart + 12 &&
              e.index < s.end,
          );
          value = ent?.name;
        } else {
          value = clause(m[rule.group]!);
        }
        if (value) add(subject.name, attribute, value);
        break;
      }
    }
    // "…, budget Rp 15.000.000": about the sentence's first subject.
    const budgetAt = sentence.search(BUDGET);
    const about = mentions[0]?.subject;
    if (budgetAt >= 0 && about) {
      const amount = entities.find(
        (e) =>
          e.kind === 'amount' &&
          inside(e) &&
          e.index >= s.start + budgetAt &&
          e.index - (s.start + budgetAt) < 40,
      );
      if (amount) add(about.name, 'budget', amount.name);
    }
    const lastPerson = [...mentions].reverse().find((m) => m.subject.kind === 'person');
    if (lastPerson) lastSubject = lastPerson.subject;
  }
  return facts;
}
