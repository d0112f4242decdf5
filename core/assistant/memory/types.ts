/** What the extractors (patterns or model) find in a message, before it is stored. */
import { entityKind } from '../../contract/methods/memory.ts';

/** The kinds the API and the schema accept (memory_entities.kind CHECK). */
export const ENTITY_KINDS = entityKind.options;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export interface ExtractedEntity {
  kind: EntityKind;
  /** Display name ("Budi Santoso", "PT Maju Jaya", "IDR 15,000,000", "2026-03-12"). */
  name: string;
  /** The dedup key within a kind (lower case, ISO date, "IDR 15000000"). */
  normalized: string;
  /** The text as written. */
  surface: string;
  /** Where it was found in the text (start offset). */
  index: number;
  attributes?: Record<string, string | number>;
}

export interface ExtractedFact {
  /** Who or what the fact is about (an entity's display name). */
  subject: string;
  /** Lower-case attribute: 'location', 'budget', 'needs', 'company', 'visa status', … */
  attribute: string;
  value: string;
  /** A short readable sentence: "Budi Santoso — location: Surabaya". */
  fact: string;
  confidence: number;
  /** Who found it; the patterns when absent. */
  method?: 'patterns' | 'model';
}

export interface Extraction {
  entities: ExtractedEntity[];
  facts: ExtractedFact[];
}

/** Attributes that hold many values at once; every other attribute holds one (a new value supersedes). */
export const MULTI_VALUED_ATTRIBUTES = new Set(['needs', 'holds', 'note', 'wants', 'has', 'project']);

export function factText(subject: string, attribute: string, value: string): string {
  return `${subject} — ${attribute}: ${value}`;
}
