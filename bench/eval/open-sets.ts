// Test sets whose relevance judgements come from the documents' own authors:
//
// - python-index: the general index of the Python 3.11 manual (genindex-*.html). Each entry is a
//   query (its term, with the qualifier in parentheses kept as words: "mac_ver() (in module
//   platform)" → "mac_ver platform"; a sub-entry is prefixed with its parent); the pages it links to
//   are the relevant documents.
// - office: the section titles of handbook pages that LibreOffice turned into PDF and DOCX
//   (scripts/fetch-real-docs.sh --office, English and Indonesian); the PDF and the DOCX of the page
//   are the relevant documents, searched among the office files only.
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'htmlparser2';
import { hash, stripNumbering, textOf, type DomNode, type EvalQuery } from './testset.ts';

const tags = (node: DomNode, name: string) =>
  (node.children ?? []).filter((c) => c.type === 'tag' && c.name === name);

/** Qualifier words that say what kind of thing an entry is, not which. */
const KIND = new Set(
  `in module attribute method class function built-in builtin exception data classmethod
   staticmethod statement keyword variable member macro type opcode option command line`.split(/\s+/),
);

/** "mac_ver() (in module platform)" → "mac_ver platform". */
export function indexEntryQuery(entry: string): string {
  const text = entry.replace(/\(\)/g, ' ');
  const head = text.replace(/\(([^)]*)\)/g, ' ');
  const qualifiers = [...text.matchAll(/\(([^)]*)\)/g)]
    .flatMap((m) => m[1]!.split(/\s+/))
    .filter((w) => w && !KIND.has(w.toLowerCase()));
  return [head, ...qualifiers].join(' ').replace(/\s+/g, ' ').trim();
}

interface Entry {
  text: string;
  pages: Set<string>;
}

function entriesOf(file: string): Entry[] {
  const dir = path.dirname(file);
  const doc = parseDocument(fs.readFileSync(file, 'utf8')) as unknown as DomNode;
  const out: Entry[] = [];
  const pageOf = (href: string | undefined) => {
    if (!href || /^[a-z]+:/i.test(href) || href.startsWith('#')) return null;
    return path.resolve(dir, href.split('#')[0]!);
  };
  const visitItem = (li: DomNode, parent: string) => {
    const own = (li.children ?? [])
      .filter((c) => c.type === 'text' || (c.type === 'tag' && c.name === 'a'))
      .map(textOf)
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    const label = [parent, own].filter(Boolean).join(' ');
    const pages = new Set(
      tags(li, 'a')
        .map((a) => pageOf(a.attribs?.href))
        .filter((p): p is string => p !== null),
    );
    if (pages.size > 0 && label) out.push({ text: label, pages });
    for (const ul of tags(li, 'ul')) for (const child of tags(ul, 'li')) visitItem(child, label);
  };
  const walk = (node: DomNode) => {
    for (const child of node.children ?? []) {
      if (child.type !== 'tag') continue;
      if (child.name === 'table' && /\bindextable\b/.test(child.attribs?.class ?? '')) {
        const lists: DomNode[] = [];
        const find = (n: DomNode) => {
          for (const c of n.children ?? []) {
            if (c.type !== 'tag') continue;
            if (c.name === 'ul') lists.push(c);
            else find(c);
          }
        };
        find(child);
        for (const ul of lists) for (const li of tags(ul, 'li')) visitItem(li, '');
      } else walk(child);
    }
  };
  walk(doc);
  return out;
}

/**
 * Entries of the Python manual's general index whose query has a word of two letters or more and
 * that link to one to five existing pages (an entry linking everywhere judges nothing), each query
 * once, at most `max`, sampled by hash.
 */
export function pythonIndexQueries(htmlDir: string, max: number): EvalQuery[] {
  const files = fs
    .readdirSync(htmlDir)
    .filter((f) => /^genindex-[A-Z_]\.html$/.test(f))
    .sort()
    .map((f) => path.join(htmlDir, f));
  const seen = new Set<string>();
  const out: EvalQuery[] = [];
  for (const e of files.flatMap(entriesOf)) {
    const title = indexEntryQuery(e.text);
    const key = title.toLowerCase();
    const pages = [...e.pages].filter((p) => fs.existsSync(p)).sort();
    if (seen.has(key) || !/\p{L}{2}/u.test(title) || pages.length < 1 || pages.length > 5) continue;
    seen.add(key);
    out.push({ source: 'python-index', title, pages });
  }
  return out.sort((a, b) => hash(`python-index|${a.title}`) - hash(`python-index|${b.title}`)).slice(0, max);
}

/** Office versions of handbook pages: `<dir>/<page>.pdf|.docx` made from `<html>/<page>.html`. */
export interface OfficePages {
  /** Folder with the PDF/DOCX files. */
  dir: string;
  /** The handbook HTML folder they were made from (same language). */
  html: string;
  lang: 'en' | 'id';
}

/**
 * Section titles (h1–h3, two words or more) of each converted page, each unique within the set;
 * the page's PDF and DOCX are relevant.
 */
export function officeQueries(sets: OfficePages[], max: number): EvalQuery[] {
  const rows: { title: string; pages: string[]; lang: 'en' | 'id' }[] = [];
  for (const { dir, html, lang } of sets) {
    const bases = [
      ...new Set(
        fs
          .readdirSync(dir)
          .filter((f) => /\.(pdf|docx)$/.test(f))
          .map((f) => f.replace(/\.(pdf|docx)$/, '')),
      ),
    ].sort();
    for (const base of bases) {
      const source = path.join(html, `${base}.html`);
      if (!fs.existsSync(source)) continue;
      const pages = ['pdf', 'docx']
        .map((x) => path.join(dir, `${base}.${x}`))
        .filter((p) => fs.existsSync(p));
      const doc = parseDocument(fs.readFileSync(source, 'utf8')) as unknown as DomNode;
      const titles: string[] = [];
      const walk = (n: DomNode) => {
        for (const c of n.children ?? []) {
          if (c.type !== 'tag') continue;
          if (/^h[1-3]$/.test(c.name ?? ''))
            titles.push(stripNumbering(textOf(c).replace(/\s+/g, ' ').trim()));
          else walk(c);
        }
      };
      walk(doc);
      for (const title of titles)
        if ((title.match(/\p{L}+/gu) ?? []).length >= 2) rows.push({ title, pages, lang });
    }
  }
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.title.toLowerCase(), (count.get(r.title.toLowerCase()) ?? 0) + 1);
  return rows
    .filter((r) => count.get(r.title.toLowerCase()) === 1)
    .map((r) => ({ source: 'office', title: r.title, pages: r.pages, lang: r.lang }))
    .sort((a, b) => hash(`office|${a.title}`) - hash(`office|${b.title}`))
    .slice(0, max);
}
