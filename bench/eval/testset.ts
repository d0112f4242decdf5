// The retrieval test set, built from documents nobody here wrote: the section titles of the Debian
// Administrator's Handbook (en-US, and id-ID where the translation differs) and of the PostgreSQL 15
// manual. Each title, numbering stripped, is a query; the HTML page that holds the section is the
// one relevant document. Deterministic: same files, same queries, same order.
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'htmlparser2';

export interface EvalQuery {
  /** The set: 'debian-en', 'debian-id', 'postgresql', 'python-index' or 'office'. */
  source: string;
  title: string;
  /** Absolute paths of the relevant documents (the page holding the section, or every page an
   * index entry links to). */
  pages: string[];
  /** The query's language where it is not English. */
  lang?: 'en' | 'id';
}

interface Heading {
  file: string;
  anchor: string;
  title: string;
}

const HEADING = /^h[1-4]$/;

/** The part of htmlparser2's DOM used here. */
export interface DomNode {
  type: string;
  data?: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
}

export function textOf(node: DomNode): string {
  if (node.type === 'text') return node.data ?? '';
  return (node.children ?? []).map(textOf).join('');
}

function firstAnchor(node: DomNode): string {
  for (const child of node.children ?? []) {
    if (child.type !== 'tag') continue;
    if (child.name === 'a' && child.attribs?.id) return child.attribs.id;
    const inner = firstAnchor(child);
    if (inner) return inner;
  }
  return '';
}

function headingsOf(file: string): Heading[] {
  const doc = parseDocument(fs.readFileSync(file, 'utf8')) as unknown as DomNode;
  const out: Heading[] = [];
  const walk = (node: DomNode) => {
    for (const child of node.children ?? []) {
      if (child.type !== 'tag') continue;
      if (HEADING.test(child.name ?? '')) {
        const title = textOf(child).replace(/\s+/g, ' ').trim();
        if (title) out.push({ file, anchor: firstAnchor(child), title });
      } else walk(child);
    }
  };
  walk(doc);
  return out;
}

/** "Chapter 6. Maintenance…" → "Maintenance…", "6.1.2. Repositories…" → "Repositories…". */
export function stripNumbering(title: string): string {
  return title
    .replace(/^(?:chapter|bab|appendix|lampiran|part|bagian)\s+[\dA-Z]+\.\s*/i, '')
    .replace(/^(?:[\dA-Z]{1,3}\.)+\d*\.?\s+/, '')
    .trim();
}

const words = (s: string) => s.match(/[\p{L}\p{N}]+/gu) ?? [];

/** FNV-1a: a stable hash for sampling and the dev/test split. */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function htmlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Queries of one corpus: titles with at least two words whose text occurs on one page only (an
 * ambiguous title like "Description" has no single right answer), at most `max` of them, sampled
 * by hash so the choice does not depend on file order.
 */
function fromHeadings(source: string, headings: Heading[], max: number): EvalQuery[] {
  const pagesOf = new Map<string, Set<string>>();
  for (const h of headings) {
    const key = stripNumbering(h.title).toLowerCase();
    pagesOf.set(key, (pagesOf.get(key) ?? new Set()).add(h.file));
  }
  const seen = new Set<string>();
  const out: EvalQuery[] = [];
  for (const h of headings) {
    const title = stripNumbering(h.title);
    const key = title.toLowerCase();
    if (seen.has(key) || words(title).length < 2 || pagesOf.get(key)!.size !== 1) continue;
    seen.add(key);
    out.push({ source, title, pages: [h.file], ...(source === 'debian-id' ? { lang: 'id' as const } : {}) });
  }
  return out.sort((a, b) => hash(`${source}|${a.title}`) - hash(`${source}|${b.title}`)).slice(0, max);
}

export interface Corpora {
  debianEn: string;
  debianId: string | null;
  postgres: string | null;
}

export function buildTestSet(corpora: Corpora, maxPerSource = 600): EvalQuery[] {
  const en = htmlFiles(corpora.debianEn).flatMap(headingsOf);
  const queries = fromHeadings('debian-en', en, maxPerSource);
  if (corpora.debianId) {
    // Indonesian titles only where they were translated (an English title is not an Indonesian query).
    const english = new Map(en.map((h) => [`${path.basename(h.file)}#${h.anchor}`, stripNumbering(h.title)]));
    const id = htmlFiles(corpora.debianId)
      .flatMap(headingsOf)
      .filter((h) => {
        const original = english.get(`${path.basename(h.file)}#${h.anchor}`);
        return original !== undefined && original.toLowerCase() !== stripNumbering(h.title).toLowerCase();
      });
    queries.push(...fromHeadings('debian-id', id, maxPerSource));
  }
  if (corpora.postgres)
    queries.push(
      ...fromHeadings('postgresql', htmlFiles(corpora.postgres).flatMap(headingsOf), maxPerSource),
    );
  return queries;
}
