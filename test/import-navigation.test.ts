// Issue 16, cause 1: navigation (link lists, contents, indexes) told by content and left out at
// import, for HTML, Markdown, DOCX and PDF, recorded in the document's extract step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document, ExternalHyperlink, Packer, Paragraph, TextRun, HeadingLevel } from 'docx';
import { engineClient } from './support/engine.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import type { ApiClient } from '../core/contract/client.ts';
import { writeFile } from './support/files.ts';
import { rawPdf } from './support/extractor-fixtures.ts';
import type { SearchItem } from '../core/contract/methods/search.ts';

let root: string;
// One engine for the file (a PGlite start per test would dominate).
let t: { engine: Engine; client: ApiClient };

const docs = (dir: string, rel: string, content: string | Buffer) =>
  writeFile(path.join(root, dir), rel, content);
const base = (items: SearchItem[]) => items.map((i) => path.basename(i.sourcePath));

/** A PDF with one page per entry, each line drawn as its own text run. */
function linesPdf(pages: string[][]): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${4 + 2 * i} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  pages.forEach((lines, i) => {
    const stream = lines.map((l, j) => `BT /F1 11 Tf 50 ${760 - 16 * j} Td (${esc(l)}) Tj ET`).join('\n');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`,
    );
    objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
  });
  return rawPdf(objects);
}

const TERMS = [
  'apt-get install',
  'apt-cache search',
  'dpkg configure',
  'package repositories',
  'sources list',
  'unattended upgrades',
  'package pinning',
  'security updates',
];

/** A manual's contents page: nothing but links whose anchors name every topic. */
const CONTENTS_HTML = `<!doctype html><html><head><title>Contents</title></head><body>
<h1>Contents</h1><ul>${TERMS.map((x, i) => `<li><a href="p${i}.html">${x}: ${x} explained, ${x} examples</a></li>`).join('')}</ul>
</body></html>`;

/** A site map and nothing else: all link navigation, cut to its title and heading. */
const SITEMAP_HTML = `<!doctype html><html><head><title>Site map</title></head><body>
<h1>Site map</h1><ul>${['printer drivers', 'scanner setup', 'font packages', 'sound cards', 'webcam support'].map((x, i) => `<li><a href="s${i}.html">${x}</a></li>`).join('')}</ul>
</body></html>`;

const APT_HTML = `<!doctype html><html><head><title>Installing packages</title></head><body>
<h1>Installing packages</h1>
<p>To install a package and its dependencies, run apt-get install followed by the package name.
apt-get downloads the files from the configured package repositories and unpacks them.</p>
<p>See also <a href="search.html">searching</a>.</p>
</body></html>`;

const LINKS_MD = `# Reading list

${TERMS.map((x, i) => `- [${x} guide](https://example.org/${i}) · [${x} reference](https://example.org/r${i})`).join('\n')}
`;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-quality-'));
  docs('nav', 'contents.html', CONTENTS_HTML);
  docs('nav', 'sitemap.html', SITEMAP_HTML);
  const indexTerms = [
    'printer drivers',
    'scanner setup',
    'font packages',
    'sound cards',
    'webcam support',
    'udev rules',
  ];
  docs('nav', 'index.txt', indexTerms.map((x, i) => `${x}, ${3 + i}, ${40 + i}`).join('\n'));
  docs('nav', 'installing.html', APT_HTML);
  docs('nav', 'reading-list.md', LINKS_MD);
  docs(
    'nav',
    'book.pdf',
    linesPdf([
      ['Table of contents', ...TERMS.map((x, i) => `${x} ........ ${3 + i}`)],
      [
        'Unattended upgrades',
        'The unattended-upgrades package installs security updates every day without asking.',
        'Enable it with dpkg-reconfigure after installing it with apt-get install.',
      ],
    ]),
  );
  const docx = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Links', heading: HeadingLevel.HEADING_1 }),
          ...TERMS.map(
            (x, i) =>
              new Paragraph({
                children: [
                  new ExternalHyperlink({
                    link: `https://example.org/${i}`,
                    children: [new TextRun(`${x} online help`)],
                  }),
                ],
              }),
          ),
        ],
      },
    ],
  });
  docs('nav', 'links.docx', await Packer.toBuffer(docx));
  // Content whose lines end in numbers: a year, a journal's volume and pages, a table's figure.
  const dates = [
    'March 3, 2021',
    'June 14, 2021',
    'Sep 1, 2022',
    'Jan 9, 2023',
    'May 30, 2023',
    'Dec 2, 2024',
  ];
  docs(
    'nav',
    'releases.md',
    `# Riwayat rilis\n\n${dates.map((d, i) => `- Versi 1.${i} dirilis ${d}`).join('\n')}\n`,
  );
  docs(
    'nav',
    'references.txt',
    Array.from({ length: 8 }, (_, i) => `Doe A. Search ${i}. JASIST, ${12 + i}, ${45 + i}-${67 + i}`).join(
      '\n',
    ),
  );
  docs(
    'nav',
    'provinsi.csv',
    'Provinsi, Jumlah\nJawa Barat, 4812\nJawa Timur, 4110\nBali, 812\nAceh, 530\nPapua, 401\nRiau, 967\n',
  );
  docs(
    'nav',
    'peraturan.pdf',
    linesPdf([
      [
        'Daftar peraturan',
        ...Array.from({ length: 8 }, (_, i) => `- PP ${40 + i} Tahun ${2010 + i}, ${2010 + i}`),
      ],
    ]),
  );
  const engine = await openEngine({ dataDir: path.join(root, 'data') });
  t = { engine, client: engineClient(engine) };
  await t.client.call('collections.create', { name: 'Nav', chunkSize: 128, chunkOverlap: 16 });
  await t.client.call('import.run', { collection: 'Nav', paths: [path.join(root, 'nav')] });
});

afterAll(async () => {
  await t?.engine.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function extractDetails(file: string): Promise<Record<string, unknown>> {
  const rows = await t.engine.db.query<{ details: Record<string, unknown> }>(
    `SELECT s.details FROM processing_steps s JOIN documents d ON d.id = s.document_id
      WHERE d.source_path = $1 AND s.step = 'extract' ORDER BY s.id DESC LIMIT 1`,
    [path.join(root, 'nav', file)],
  );
  return rows[0]?.details ?? {};
}

describe('navigation is told by content and left out at import', () => {
  it('records the link lists of HTML, Markdown and DOCX, and a PDF contents page, in the extract step', async () => {
    for (const file of ['contents.html', 'sitemap.html', 'reading-list.md', 'links.docx', 'book.pdf'])
      expect(await extractDetails(file), file).toMatchObject({ navigationSections: expect.any(Number) });
    // Prose with a link is not navigation.
    expect(await extractDetails('installing.html')).not.toHaveProperty('navigationSections');
  });

  it('ranks the page that explains a term above the pages that only list it', async () => {
    const r = await t.client.call('search', { query: 'apt-get install', k: 10, mode: 'keyword' });
    expect(base(r.items)[0]).toBe('installing.html');
    const r2 = await t.client.call('search', { query: 'unattended upgrades security updates', k: 10 });
    expect(r2.items[0]!.page).toBe(2); // the PDF's page about it, not its contents page
    for (const file of ['contents.html', 'reading-list.md', 'links.docx'])
      expect(base(r2.items).slice(0, 1)).not.toContain(file);
  });

  it('keeps a document that is all link navigation findable by its title', async () => {
    const r = await t.client.call('search', { query: 'Site map', k: 10, mode: 'keyword' });
    expect(base(r.items)).toContain('sitemap.html');
    expect(await extractDetails('sitemap.html')).not.toHaveProperty('navigationKept');
  });

  it('keeps the text of a document told as navigation only by its page numbers', async () => {
    // Unsure (it might be a table): a word found only in its lines still finds it.
    const r = await t.client.call('search', { query: 'webcam support', k: 10, mode: 'keyword' });
    expect(base(r.items)).toContain('index.txt');
    expect(await extractDetails('index.txt')).toMatchObject({ navigationSections: 1, navigationKept: true });
    for (const file of ['contents.html', 'sitemap.html', 'book.pdf'])
      expect(await extractDetails(file)).not.toHaveProperty('navigationKept');
  });

  it('keeps release notes, reference lists and data tables whose lines end in numbers', async () => {
    for (const file of ['releases.md', 'references.txt', 'provinsi.csv', 'peraturan.pdf']) {
      const details = await extractDetails(file);
      expect(details, file).not.toHaveProperty('navigationSections');
    }
    const r = await t.client.call('search', { query: 'Versi 1.3 dirilis', k: 10, mode: 'keyword' });
    expect(base(r.items)).toContain('releases.md');
  });
});
