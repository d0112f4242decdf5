// Issue 16, causes 2 and 3: identifiers (snake_case, dotted, kebab-case) kept whole in the query,
// and the document title and heading path indexed as weighted fields of their own (HTML, Markdown,
// DOCX, Indonesian).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document, Packer, Paragraph, HeadingLevel } from 'docx';
import { engineClient } from './support/engine.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import type { ApiClient } from '../core/contract/client.ts';
import { writeFile } from './support/files.ts';
import type { SearchItem } from '../core/contract/methods/search.ts';

const base = (items: SearchItem[]) => items.map((i) => path.basename(i.sourcePath));

describe('identifiers and multi-word terms are kept whole', () => {
  let idRoot: string;
  let e: { engine: Engine; client: ApiClient };
  beforeAll(async () => {
    idRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-ident-'));
    const w = (rel: string, content: string) => writeFile(path.join(idRoot, 'docs'), rel, content);
    // The reference: each identifier once, among others, in long entries.
    w(
      'reference.md',
      `# Server settings\n\n## Limits\n\n${[
        'upload_timeout sets how long an upload may take, in seconds; the default is 300.',
        'max_file_size is the largest upload accepted, in bytes; larger uploads are refused with an error.',
        'worker_count is how many uploads are processed at once; it defaults to the number of cores.',
      ].join(
        '\n\n',
      )}\n\n## Paths\n\nThe os.path.join function builds the storage path from the data folder and the upload id, and apt-get installs the server package.\n`,
    );
    // Prose that has the parts, often, but never the identifier.
    w(
      'faq.md',
      `# Questions\n\n## Size\n\nWhat is the max size of a file? The file size max depends on the file type: a max of one file per size class, and the size of each file at most the max.\n\n## Joining\n\nJoin the path of the os folder: the path to join is the folder of os; join it with the path you get, os or not.\n\n## Getting apt\n\nGet apt from the store: apt is what you get, get apt and the apt you get is yours.\n`,
    );
    const engine = await openEngine({ dataDir: path.join(idRoot, 'data') });
    e = { engine, client: engineClient(engine) };
    await e.client.call('collections.create', { name: 'Ident', chunkSize: 64, chunkOverlap: 8 });
    await e.client.call('import.run', { collection: 'Ident', paths: [path.join(idRoot, 'docs')] });
  });
  afterAll(async () => {
    await e?.engine.close();
    fs.rmSync(idRoot, { recursive: true, force: true });
  });

  for (const query of ['max_file_size', 'os.path.join', 'apt-get'])
    it(`finds the text that has ${query} before text that has its parts apart`, async () => {
      const r = await e.client.call('search', { query, k: 5, mode: 'keyword' });
      expect(base(r.items)[0]).toBe('reference.md');
      // Its parts still count: the prose is found too, below.
      expect(base(r.items)).toContain('faq.md');
    });
});

describe('the title and the headings are weighted fields of their own', () => {
  let tRoot: string;
  let e: { engine: Engine; client: ApiClient };
  beforeAll(async () => {
    tRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-title-'));
    const w = (rel: string, content: string | Buffer) => writeFile(path.join(tRoot, 'docs'), rel, content);
    const filler = (topic: string) =>
      Array.from(
        { length: 12 },
        (_, i) => `<p>Step ${i + 1}: check the ${topic} settings and restart the service.</p>`,
      ).join('');
    // The title names the tool; the body never does.
    w(
      'zeroconf.html',
      `<html><head><title>Avahi zeroconf networking</title></head><body><h2>Overview</h2>${filler('discovery')}<h2>Setup</h2>${filler('daemon')}<h2>Troubleshooting</h2>${filler('firewall')}</body></html>`,
    );
    // Body text that mentions it in passing, in a document about something else.
    w(
      'printing.html',
      `<html><head><title>Printing</title></head><body><h2>Printers</h2><p>Printers announce themselves with avahi; zeroconf is optional.</p>${filler('printer')}</body></html>`,
    );
    // A DOCX whose heading names the topic, an Indonesian one.
    const docx = new Document({
      sections: [
        {
          children: [
            new Paragraph({ text: 'Konfigurasi jaringan', heading: HeadingLevel.HEADING_1 }),
            new Paragraph({
              text: 'Alamat IP statis ditulis di berkas interfaces, lalu layanan dimulai ulang.',
            }),
          ],
        },
      ],
    });
    w('jaringan.docx', await Packer.toBuffer(docx));
    w('catatan.md', '# Catatan\n\nJaringan kantor lambat hari ini; konfigurasi printer belum selesai.\n');
    const engine = await openEngine({ dataDir: path.join(tRoot, 'data') });
    e = { engine, client: engineClient(engine) };
    await e.client.call('collections.create', { name: 'Titles', chunkSize: 64, chunkOverlap: 0 });
    await e.client.call('import.run', { collection: 'Titles', paths: [path.join(tRoot, 'docs')] });
  });
  afterAll(async () => {
    await e?.engine.close();
    fs.rmSync(tRoot, { recursive: true, force: true });
  });

  it('finds every section of a page by a word only its title has, first', async () => {
    const r = await e.client.call('search', { query: 'zeroconf networking', k: 10, mode: 'keyword' });
    expect(base(r.items)[0]).toBe('zeroconf.html');
    expect(base(r.items).filter((b) => b === 'zeroconf.html').length).toBeGreaterThan(1);
  });

  it('ranks the section headed by the words above a passing mention (DOCX, Indonesian)', async () => {
    const r = await e.client.call('search', { query: 'konfigurasi jaringan', k: 5, mode: 'keyword' });
    expect(base(r.items)[0]).toBe('jaringan.docx');
  });
});
