// Slide decks, OpenDocument and RTF through the whole pipeline (worker extraction, chunking,
// embedding, both stores, search), on files LibreOffice made from the Debian Administrator's
// Handbook in English and Indonesian: scripts/fetch-real-docs.sh --office writes sources from the
// handbook (scripts/office-fixture-sources.ts) and has Impress, Calc and Writer convert them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import type { DocumentInfo } from '../core/contract/methods/documents.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';

const OFFICE = path.resolve(import.meta.dirname, '../.fixtures/office');
const LANGS = ['en-US', 'id-ID'] as const;
const FILES = LANGS.flatMap((lang) => [
  `apt-chapter.${lang}.pptx`,
  `apt-chapter.${lang}.odp`,
  `sect.apt-get.${lang}.odt`,
  `sect.apt-get.${lang}.rtf`,
  `handbook-tables.${lang}.ods`,
]);
const AUTHORS = 'Raphaël Hertzog, Roland Mas';

// Present after scripts/fetch-real-docs.sh --office. Skipped locally without them; under CI (.ci/run
// installs LibreOffice and makes them first) a missing file fails, so these tests cannot silently stop.
const present = FILES.every((f) => fs.existsSync(path.join(OFFICE, f)));
const ci = !!process.env.CI && process.env.CI !== 'false';

interface SourceSlide {
  number: number;
  hidden: boolean;
  title: string;
  bullets: string[];
  notes: string[];
}

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
const texts = (xml: string) => [...xml.matchAll(/<text:p>(.*?)<\/text:p>/g)].map((m) => unescape(m[1]!));

/** The slides as the deck's source says them (what Impress was given), to check its output against. */
function sourceSlides(lang: string): SourceSlide[] {
  const fodp = fs.readFileSync(path.join(OFFICE, 'sources', `apt-chapter.${lang}.fodp`), 'utf8');
  return fodp
    .split('<draw:page ')
    .slice(1)
    .map((page, i) => {
      const [slide, notes = ''] = page.split('<presentation:notes>');
      const frames = slide!.split('<draw:frame ').slice(1);
      const title = texts(frames.find((f) => f.includes('presentation:class="title"')) ?? '')[0]!;
      const bullets = frames.filter((f) => !f.includes('presentation:class="title"')).flatMap(texts);
      return { number: i + 1, hidden: page.includes('dpHidden'), title, bullets, notes: texts(notes) };
    });
}

describe.skipIf(!present && !ci)('office formats made by LibreOffice from the Debian handbook', () => {
  // Vitest collects a skipped suite's body too, so the throw is guarded by the same condition.
  if (!present && ci)
    throw new Error(
      `CI: office fixtures missing under ${OFFICE}; run scripts/fetch-real-docs.sh --office first`,
    );

  let root: string;
  let engine: Engine;
  let client: ApiClient;
  let docs: Map<string, DocumentInfo>;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-office-'));
    engine = await openEngine({ dataDir: root });
    const dispatcher = createDispatcher(engine);
    client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
    const summary = await client.call('import.run', {
      collection: 'Office',
      create: true,
      paths: FILES.map((f) => path.join(OFFICE, f)),
    });
    expect(summary).toMatchObject({ status: 'done', imported: FILES.length, failed: [] });
    const list = await client.call('documents.list', { collection: 'Office' });
    docs = new Map(list.items.map((d) => [path.basename(d.sourcePath), d]));
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const chunksOf = async (file: string) =>
    (await client.call('documents.chunks', { id: docs.get(file)!.id })).items;

  it.each(LANGS.flatMap((lang) => [`apt-chapter.${lang}.pptx`, `apt-chapter.${lang}.odp`]))(
    '%s: a section per slide, the slide number its page, titles as headings, notes marked, the hidden slide left out',
    async (file) => {
      const lang = file.split('.')[1]!;
      const slides = sourceSlides(lang);
      const hidden = slides.filter((s) => s.hidden);
      expect(hidden).toHaveLength(1);
      expect(docs.get(file)).toMatchObject({
        fileType: path.extname(file).slice(1),
        status: 'indexed',
        title: slides[0]!.title,
        author: AUTHORS,
        pageCount: slides.length,
        warnings: [`hidden slide ${hidden[0]!.number} left out`],
      });
      const chunks = await chunksOf(file);
      for (const slide of slides) {
        const onSlide = chunks.filter((c) => c.page === slide.number);
        if (slide.hidden) {
          expect(onSlide).toEqual([]);
          continue;
        }
        const body = onSlide.filter((c) => c.headingPath.join('/') === slide.title);
        expect(body.length, `slide ${slide.number}`).toBeGreaterThan(0);
        const bodyText = body.map((c) => c.text).join('\n');
        for (const bullet of slide.bullets) expect(bodyText).toContain(bullet.slice(0, 60));
        const notes = onSlide.filter((c) => c.headingPath.join('/') === `${slide.title}/Speaker notes`);
        expect(notes.length > 0, `notes of slide ${slide.number}`).toBe(slide.notes.length > 0);
        for (const note of slide.notes)
          expect(notes.map((c) => c.text).join('\n')).toContain(note.slice(0, 60));
      }
      // Slides in deck order, whatever the parts are called.
      const pages = chunks.map((c) => c.page!);
      expect(pages).toEqual([...pages].sort((a, b) => a - b));
    },
  );

  it('a search for a sentence on a slide, or in its notes, cites that slide', async () => {
    for (const [lang, type] of [
      ['en-US', 'pptx'],
      ['id-ID', 'odp'],
      ['id-ID', 'pptx'],
    ] as const) {
      // The Indonesian handbook leaves some paragraphs in English: take slides whose text is its own.
      const other = sourceSlides(lang === 'en-US' ? 'id-ID' : 'en-US').flatMap((s) => [
        ...s.bullets,
        ...s.notes,
      ]);
      const slides = sourceSlides(lang).filter(
        (s) =>
          !s.hidden &&
          s.bullets.length > 0 &&
          s.notes.length > 0 &&
          ![s.bullets[0], s.notes[0]].some((t) => other.includes(t!)),
      );
      for (const slide of [slides[1]!, slides.at(-1)!]) {
        const query = slide.bullets[0]!;
        const hit = (await client.call('search', { query, types: [type], k: 3 })).items[0];
        expect(hit, `${lang} ${type}: ${query}`).toMatchObject({
          page: slide.number,
          headingPath: [slide.title],
        });
        expect(path.basename(hit!.sourcePath)).toBe(`apt-chapter.${lang}.${type}`);
        const noteHit = (await client.call('search', { query: slide.notes[0]!, types: [type], k: 3 }))
          .items[0];
        expect(noteHit).toMatchObject({ page: slide.number, headingPath: [slide.title, 'Speaker notes'] });
      }
    }
  });

  it.each(LANGS.flatMap((lang) => [`sect.apt-get.${lang}.odt`, `sect.apt-get.${lang}.rtf`]))(
    '%s: Writer headings as the heading path, Indonesian text intact, title and author',
    async (file) => {
      const lang = file.split('.')[2]!;
      const en = lang === 'en-US';
      const chapter = en
        ? '6.2. aptitude, apt-get, and apt Commands'
        : '6.2. Perintah aptitude, apt-get, dan apt';
      expect(docs.get(file)).toMatchObject({
        fileType: path.extname(file).slice(1),
        status: 'indexed',
        title: chapter,
        author: AUTHORS,
        pageCount: null,
        warnings: [],
      });
      const chunks = await chunksOf(file);
      const headings = [...new Set(chunks.map((c) => c.headingPath.join(' › ')))];
      expect(headings).toEqual([
        chapter,
        ...(en
          ? [
              'Initialization',
              'Installing and Removing',
              'System Upgrade',
              'Configuration Options',
              'Managing Package Priorities',
              'Working with Several Distributions',
              'Tracking Automatically Installed Packages',
              'APT Patterns',
            ]
          : [
              'Inisialisasi',
              'Instalasi dan Penghapusan',
              'Pembaharuan Sistem',
              'Pilihan Konfigurasi',
              'Mengelola Prioritas Paket',
              'Bekerja dengan Beberapa Distribusi',
              'Pelacakan Otomatis Paket Terinstall',
              'APT Patterns',
            ]
        ).map((h, i) => `${chapter} › 6.2.${i + 1}. ${h}`),
      ]);
      const text = chunks.map((c) => c.text).join('\n');
      expect(text).toContain(
        en
          ? 'apt-get is the first front end — command-line based — which was developed within the project'
          : 'apt-get adalah front end pertama — berbasis baris-perintah — yang telah dikembangkan di dalam proyek',
      );
      if (!en) expect(text).toContain('Paket ini disebut “otomatis”');
      expect(text).toContain('# apt-get dselect-upgrade'); // a code block, kept line by line
      expect(text).not.toMatch(/Download the ebook|Prev|Sebelumnya/);
    },
  );

  it.each(LANGS.map((lang) => `handbook-tables.${lang}.ods`))(
    '%s: a section per sheet named after it, rows as records, the hidden sheet left out',
    async (file) => {
      const en = file.includes('en-US');
      const table = en ? 'Table' : 'Tabel';
      expect(docs.get(file)).toMatchObject({
        fileType: 'ods',
        status: 'indexed',
        title: en
          ? "Tables of the Debian Administrator's Handbook"
          : 'Tabel Buku Panduan Administrator Debian',
        author: AUTHORS,
        warnings: ['hidden sheets left out: Hidden'],
      });
      const chunks = await chunksOf(file);
      expect([...new Set(chunks.map((c) => c.headingPath.join(' › ')))]).toEqual([
        ...['3.1', '11.1', '11.2', '11.3', '14.1'].map((n) => `${table} ${n}`),
        en ? 'Sections' : 'Bagian',
      ]);
      const text = chunks.map((c) => c.text).join('\n');
      expect(text).toContain(
        en
          ? 'Message: avc: denied; Description: An operation has been denied.'
          : 'Pesan: avc: denied; Deskripsi: Operasi telah ditolak.',
      );
      expect(text).toMatch(/Section: 6\.2; Title: [^;]+; Paragraphs: 3/);
      expect(text).not.toContain('This sheet is hidden');
    },
  );

  it('the type filter takes the new types', async () => {
    const query = 'avc denied operation';
    const ods = await client.call('search', { query, types: ['ODS'], k: 10 });
    expect(ods.items.length).toBeGreaterThan(0);
    expect(ods.items.every((i) => i.sourcePath.endsWith('.ods'))).toBe(true);
    const rtf = await client.call('search', { query: 'apt-get dselect-upgrade', types: ['rtf'], k: 10 });
    expect(new Set(rtf.items.map((i) => path.extname(i.sourcePath)))).toEqual(new Set(['.rtf']));
  });
});
