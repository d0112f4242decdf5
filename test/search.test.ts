import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import type { SearchItem, SearchParams } from '../core/contract/methods/search.ts';
import { createDispatcher, type Dispatcher } from '../core/api/dispatcher.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';

// One engine and one small corpus for the whole file (a PGlite start per test would dominate).
let root: string;
let engine: Engine;
let dispatcher: Dispatcher;
let client: ApiClient;
let visaId: number;
let taxId: number;

const write = (rel: string, content: string): string => writeFile(path.join(root, 'docs'), rel, content);
const GUIDE_MD = VISA_GUIDE_MD;

const IZIN_TXT = `Izin tinggal terbatas (KITAS) diberikan kepada tenaga kerja asing.
Perusahaan sponsor mengajukan permohonan ke kantor imigrasi sebelum pekerja tiba di Indonesia.`;

const POLICY_HTML = `<!doctype html><html><head><title>Company policy</title></head><body>
<h1>Company policy</h1><h2>Working hours</h2><p>Office hours are 09:00 to 17:00, Monday to Friday. Remote work needs approval.</p>
<h2>Leave</h2><p>Annual leave (cuti tahunan) is twelve days; sick leave needs a doctor's note. Résumé updates go to HR.</p>
</body></html>`;

const PAJAK_MD = `# Pajak penghasilan

## Wajib pajak

Warga negara asing yang tinggal lebih dari 183 hari dihitung sebagai wajib pajak dalam negeri. NPWP wajib dimiliki sebelum melapor SPT tahunan.
`;

// One long section: many chunks, all about depreciation; results must show it once.
const ASSETS_MD = `# Fixed assets\n\n## Depreciation\n\n${Array.from(
  { length: 40 },
  (_, i) =>
    `Depreciation schedule line ${i}: straight-line depreciation spreads the asset cost over its useful life.`,
).join('\n\n')}\n\n## Disposal\n\nSelling an asset ends its depreciation; record the gain or loss.\n`;

async function search(params: Partial<SearchParams> & { query: string }) {
  return client.call('search', params);
}

const titles = (items: SearchItem[]) => items.map((i) => i.title ?? path.basename(i.sourcePath));

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-search-'));
  engine = await openEngine({ dataDir: path.join(root, 'data') });
  dispatcher = createDispatcher(engine);
  client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
  write('visa/guide.md', GUIDE_MD);
  write('visa/izin.txt', IZIN_TXT);
  write('visa/policy.html', POLICY_HTML);
  write('tax/pajak.md', PAJAK_MD);
  write('tax/assets.md', ASSETS_MD);
  // 70 near-identical notes plus one rarely tagged document that matches the query only weakly.
  for (let i = 0; i < 70; i++)
    write(`bulk/note-${i}.txt`, `Note ${i}: order office supplies, printer paper and toner for floor ${i}.`);
  write('rare/memo.txt', 'Memo: the printer on floor 3 is broken; use the one in the lobby.');

  visaId = (await client.call('collections.create', { name: 'Visa', chunkSize: 64, chunkOverlap: 8 })).id;
  taxId = (await client.call('collections.create', { name: 'Tax', chunkSize: 64, chunkOverlap: 8 })).id;
  await client.call('collections.create', { name: 'Bulk', chunkSize: 64, chunkOverlap: 8 });
  const imp = (collection: string, dir: string, tags: string[]) =>
    client.call('import.run', { collection, paths: [path.join(root, 'docs', dir)], tags });
  await imp('Visa', 'visa', ['kitas', '2026']);
  await imp('Tax', 'tax', ['Pajak']);
  await imp('Bulk', 'bulk', ['bulk']);
  await imp('Bulk', 'rare', ['rare']);
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('search: ranking and result shape', () => {
  it('finds the right passage in every mode, with title, path, heading path and highlights', async () => {
    for (const mode of ['hybrid', 'vector', 'keyword'] as const) {
      const r = await search({ query: 'permanent stay permit', mode, collections: ['Visa'] });
      expect(r.mode).toBe(mode);
      expect(r.cached).toBe(false);
      const top = r.items[0]!;
      expect(top).toMatchObject({
        rank: 1,
        collectionId: visaId,
        title: 'Visa guide',
        headingPath: ['Visa guide', 'KITAP'],
        page: null,
      });
      expect(top.sourcePath).toBe(path.join(root, 'docs', 'visa', 'guide.md'));
      expect(top.text).toContain('permanent stay permit');
      const marked = top.highlights.map((h) => top.text.slice(h.start, h.end).toLowerCase());
      expect(marked).toEqual(expect.arrayContaining(['permanent', 'stay', 'permit']));
      const scores = r.items.map((i) => i.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(r.items.map((i) => i.rank)).toEqual(r.items.map((_, i) => i + 1));
    }
  });

  it('finds Indonesian text from an Indonesian query, and highlights ignore case and accents', async () => {
    const r = await search({ query: 'wajib pajak NPWP' });
    expect(titles(r.items)[0]).toBe('Pajak penghasilan');
    const leave = await search({ query: 'cuti tahunan resume' });
    const top = leave.items[0]!;
    expect(top.title).toBe('Company policy');
    expect(top.highlights.map((h) => top.text.slice(h.start, h.end))).toEqual(['cuti', 'tahunan', 'Résumé']);
  });

  it('returns one hit per document section', async () => {
    const r = await search({ query: 'straight-line depreciation schedule', k: 10, collections: ['Tax'] });
    const sections = r.items.map((i) => `${i.documentId}:${i.headingPath.join('/')}`);
    expect(new Set(sections).size).toBe(sections.length);
    expect(r.items[0]!.headingPath).toEqual(['Fixed assets', 'Depreciation']);
    // The section has many matching chunks, yet appears once.
    const docChunks = engine.vectors.documentChunks(r.items[0]!.documentId);
    expect(docChunks.filter((c) => c.headingPath.at(-1) === 'Depreciation').length).toBeGreaterThan(3);
  });

  it('diversity trades near-duplicates for other documents', async () => {
    const plain = await search({
      query: 'order office supplies printer paper toner',
      k: 5,
      collections: ['Bulk'],
    });
    const varied = await search({
      query: 'order office supplies printer paper toner',
      k: 5,
      collections: ['Bulk'],
      diversity: 0.9,
    });
    expect(plain.items).toHaveLength(5);
    expect(varied.items).toHaveLength(5);
    expect(varied.items[0]!.chunkId).toBe(plain.items[0]!.chunkId);
    expect(varied.items.map((i) => i.chunkId)).not.toEqual(plain.items.map((i) => i.chunkId));
  });
});

describe('search: filters', () => {
  it('by collection (name or id), defaulting to all', async () => {
    const all = await search({ query: 'KITAS sponsor', k: 20 });
    expect(new Set(all.items.map((i) => i.collectionId))).toContain(visaId);
    const byName = await search({ query: 'pajak KITAS', collections: ['tax'] });
    expect(byName.items.every((i) => i.collectionId === taxId)).toBe(true);
    expect(byName.items.length).toBeGreaterThan(0);
    const byBoth = await search({ query: 'pajak KITAS', collections: [visaId, 'Tax'], k: 20 });
    expect(new Set(byBoth.items.map((i) => i.collectionId))).toEqual(new Set([visaId, taxId]));
    await expect(search({ query: 'x', collections: ['Nope'] })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('by tags (any of them, case-insensitive) and by file type', async () => {
    const tagged = await search({ query: 'permit pajak', tags: ['PAJAK'], k: 20 });
    expect(tagged.items.length).toBeGreaterThan(0);
    expect(tagged.items.every((i) => i.collectionId === taxId)).toBe(true);
    const either = await search({ query: 'permit pajak', tags: ['pajak', 'kitas'], k: 20 });
    expect(new Set(either.items.map((i) => i.collectionId))).toEqual(new Set([visaId, taxId]));
    const html = await search({ query: 'leave hours permit', types: ['html'], k: 20 });
    expect(html.items.length).toBeGreaterThan(0);
    expect(html.items.every((i) => i.sourcePath.endsWith('.html'))).toBe(true);
    const txtOrMd = await search({ query: 'KITAS', types: ['TEXT', 'markdown'], k: 20 });
    expect(txtOrMd.items.every((i) => ['.md', '.txt'].includes(path.extname(i.sourcePath)))).toBe(true);
    expect(titles(txtOrMd.items.slice(0, 3)).sort()).toEqual(['Visa guide', 'Visa guide', 'izin']);
    expect((await search({ query: 'KITAS', tags: ['no-such-tag'] })).items).toEqual([]);
  });

  it('does not starve: a narrow filter still finds a weak match ranked far below the rest', async () => {
    const query = 'order office supplies printer paper toner floor';
    const unfiltered = await search({ query, k: 100, collections: ['Bulk'] });
    const memoRank = unfiltered.items.findIndex((i) => i.sourcePath.endsWith('memo.txt'));
    expect(memoRank === -1 || memoRank >= 50).toBe(true);
    for (const mode of ['hybrid', 'vector', 'keyword'] as const) {
      const r = await search({ query, tags: ['rare'], mode });
      expect(r.items.map((i) => path.basename(i.sourcePath))).toEqual(['memo.txt']);
    }
  });

  it('by imported date, and a change of metadata is seen once the search cache is cleared', async () => {
    const before = await search({ query: 'pajak KITAS permit', importedBefore: '2021-01-01', k: 20 });
    expect(before.items).toEqual([]);
    await engine.db.query(
      `UPDATE documents SET imported_at = '2020-06-01T00:00:00Z' WHERE collection_id = $1`,
      [taxId],
    );
    engine.caches.get('search').clear();
    const old = await search({ query: 'pajak KITAS permit', importedBefore: '2021-01-01', k: 20 });
    expect(old.items.length).toBeGreaterThan(0);
    expect(old.items.every((i) => i.collectionId === taxId)).toBe(true);
    const recent = await search({
      query: 'pajak KITAS permit',
      importedAfter: '2021-01-01T00:00:00+07:00',
      k: 20,
    });
    expect(recent.items.length).toBeGreaterThan(0);
    expect(recent.items.every((i) => i.collectionId !== taxId)).toBe(true);
    const window = await search({
      query: 'pajak KITAS permit',
      importedAfter: '2020-01-01',
      importedBefore: '2020-12-31',
      tags: ['pajak'],
      types: ['markdown'],
    });
    expect(window.items.length).toBeGreaterThan(0);
  });
});

describe('search: odd queries', () => {
  it('rejects an empty or blank query, an oversized one and bad options with invalid_params', async () => {
    for (const params of [
      { query: '' },
      { query: ' \n\t ' },
      { query: 'x'.repeat(16_385) },
      { query: 'x', k: 0 },
      { query: 'x', k: 101 },
      { query: 'x', mode: 'fuzzy' },
      { query: 'x', diversity: 1.5 },
      { query: 'x', importedAfter: 'last tuesday' },
      { query: 'x', collections: [] },
    ]) {
      const r = await dispatcher.call('search', params);
      expect(r, JSON.stringify(params).slice(0, 80)).toMatchObject({
        ok: false,
        error: { code: 'invalid_params' },
      });
    }
  });

  it('finds nothing, without error, for a query with no letters or digits', async () => {
    for (const query of ['?!', '... --- ***', '🚀🔥', '"()" * : ^', '—']) {
      const r = await search({ query });
      expect(r.items, query).toEqual([]);
    }
  });

  it('treats SQL and FTS syntax as plain words', async () => {
    // Each query, and the same words with the syntax taken out (upper-case operators are dropped).
    const cases: [string, string][] = [
      [`"a" OR b* NEAR(`, 'a b'],
      [`'; DROP TABLE chunks; --`, 'drop table chunks'],
      ['KITAS AND NOT NEAR("x', 'KITAS x'],
      ['title:kitas ^start -x +y', 'title kitas start x y'],
    ];
    const chunksBefore = engine.vectors.countChunks();
    const hits = (items: SearchItem[]) => items.map((i) => [i.chunkId, i.score]);
    for (const [query, words] of cases) {
      const keyword = await search({ query, mode: 'keyword' });
      // Keyword search sees exactly the plain words: same chunks, same BM25 scores.
      expect(hits(keyword.items), query).toEqual(
        hits((await search({ query: words, mode: 'keyword' })).items),
      );
      // Hybrid: the same keyword hits, fused first, then nearest neighbours of the query.
      const hybrid = await search({ query, mode: 'hybrid' });
      expect(hybrid.items.length, query).toBeGreaterThan(0);
      expect(
        hybrid.items.slice(0, keyword.items.length).map((i) => i.chunkId),
        query,
      ).toEqual(keyword.items.map((i) => i.chunkId));
    }
    // The words exist (or not) in the corpus as expected: no SQL ran, nothing was dropped.
    expect((await search({ query: cases[1]![0], mode: 'keyword' })).items).toEqual([]);
    for (const i of [0, 2, 3]) {
      expect((await search({ query: cases[i]![0], mode: 'keyword' })).items.length).toBeGreaterThan(0);
    }
    const r = await search({ query: `KITAS"; DROP TABLE chunks; --`, mode: 'keyword' });
    expect(r.items.length).toBeGreaterThan(0);
    expect(r.items.every((i) => /kitas/i.test(i.text))).toBe(true);
    expect(engine.vectors.countChunks()).toBe(chunksBefore);
    expect(chunksBefore).toBeGreaterThan(70);
  });

  it('handles a 10 KB query, emoji among words, and mixed scripts', async () => {
    const long = `${'kitas sponsor company permit '.repeat(360)}`.slice(0, 10_240);
    expect(long.length).toBe(10_240);
    const r = await search({ query: long, collections: ['Visa'] });
    expect(r.items[0]!.title).toBe('Visa guide');
    const emoji = await search({ query: '🚀 KITAS 👍 sponsor' });
    expect(emoji.items.length).toBeGreaterThan(0);
    const mixed = await search({ query: 'izin tinggal 外国人 KITAS' });
    expect(mixed.items.map((i) => path.basename(i.sourcePath))).toContain('izin.txt');
  });
});

describe('search: cache', () => {
  it('serves repeats from the cache (same normalized query and options), and only those', async () => {
    const first = await search({ query: 'limited stay permit', collections: ['Visa'] });
    expect(first.cached).toBe(false);
    const again = await search({ query: '  LIMITED   stay permit ', collections: ['visa'] });
    expect(again.cached).toBe(true);
    expect(again.items).toEqual(first.items);
    expect((await search({ query: 'limited stay permit', collections: ['Visa'], k: 3 })).cached).toBe(false);
    expect(
      (await search({ query: 'limited stay permit', collections: ['Visa'], mode: 'keyword' })).cached,
    ).toBe(false);
    expect((await search({ query: 'limited stay permit' })).cached).toBe(false);
  });

  it('is invalidated by a re-import that changed a document, and by deleting documents and collections', async () => {
    const q = { query: 'digital nomad visa', collections: ['Visa'] };
    const before = await search(q);
    expect((await search(q)).cached).toBe(true);
    expect(before.items.some((i) => i.text.includes('nomad'))).toBe(false);

    write(
      'visa/guide.md',
      `${GUIDE_MD}\n## Digital nomad visa\n\nRemote workers may apply for a digital nomad visa.\n`,
    );
    await client.call('import.run', { collection: 'Visa', paths: [path.join(root, 'docs', 'visa')] });
    const after = await search(q);
    expect(after.cached).toBe(false);
    expect(after.items[0]!.headingPath).toEqual(['Visa guide', 'Digital nomad visa']);

    const guideId = after.items[0]!.documentId;
    expect((await search(q)).cached).toBe(true);
    await client.call('documents.delete', { id: guideId });
    const deleted = await search(q);
    expect(deleted.cached).toBe(false);
    expect(deleted.items.every((i) => i.documentId !== guideId)).toBe(true);

    const all = { query: 'pajak penghasilan wajib' };
    expect((await search(all)).items.some((i) => i.collectionId === taxId)).toBe(true);
    await client.call('collections.delete', { collection: 'Tax' });
    const gone = await search(all);
    expect(gone.cached).toBe(false);
    expect(gone.items.every((i) => i.collectionId !== taxId)).toBe(true);
    await expect(search({ query: 'pajak', collections: ['Tax'] })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
