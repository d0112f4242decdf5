import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { extractFile } from '../extract.ts';
import { htmlToSections } from './html.ts';
import { writeFixture } from '../../../../test/support/extractor-fixtures.ts';

const PAGE = `<!DOCTYPE html>
<html><head><title>Panduan Pajak 2024</title><style>p { color: red }</style>
<script>var tracking = "do not index";</script></head>
<body>
<header><a href="/">Home</a> <a href="/about">About</a></header>
<nav><ul><li><a href="/a">Previous chapter</a></li><li><a href="/b">Next chapter</a></li></ul></nav>
<div class="breadcrumb">Docs › Tax</div>
<h1>Tax guide</h1>
<p>Every   company
 files a <b>yearly</b> return.</p>
<h2>Deadlines</h2>
<p>File by <a href="#">30 April</a>.</p>
<ul><li>Small firms</li><li>Large firms<ul><li>with branches</li></ul></li></ul>
<h3>Late filing</h3>
<ol><li>Fine</li><li>Interest</li></ol>
<pre>
tax = income * 0.22
  if late: tax += fine
</pre>
<h2>Rates</h2>
<table><tr><th>Band</th><th>Rate</th></tr><tr><td>0–60M</td><td>5%</td></tr><tr><td>&gt;60M</td><td>15%</td></tr></table>
<div class="note"><h3>Note</h3><p>Rates change yearly.</p></div>
<p>After the note.</p>
<form><label>Search</label><input name="q"><button>Go</button></form>
<aside>Related: other guides</aside>
<footer>© 2024 Example Ltd · <a href="/privacy">Privacy</a></footer>
</body></html>`;

describe('htmlToSections', () => {
  it('keeps headings as paths and drops page furniture', () => {
    const { title, sections } = htmlToSections(PAGE);
    expect(title).toBe('Panduan Pajak 2024');
    expect(sections.map((s) => s.headingPath)).toEqual([
      ['Tax guide'],
      ['Tax guide', 'Deadlines'],
      ['Tax guide', 'Deadlines', 'Late filing'],
      ['Tax guide', 'Rates'],
    ]);
    expect(sections.map((s) => s.text.trim())).toEqual([
      'Every company files a yearly return.',
      'File by 30 April.\n\n- Small firms\n- Large firms\n  - with branches',
      '1. Fine\n2. Interest\n\ntax = income * 0.22\n  if late: tax += fine',
      'Band | Rate\n0–60M | 5%\n>60M | 15%\n\nNote\n\nRates change yearly.\n\nAfter the note.',
    ]);
    const all = sections.map((s) => s.text).join('\n');
    for (const junk of [
      'Home',
      'Previous chapter',
      'Docs › Tax',
      'tracking',
      'color',
      'Search',
      'Related',
      '©',
    ]) {
      expect(all).not.toContain(junk);
    }
  });

  it('keeps only <main> when the page marks its main content', () => {
    const html = `<body><div class="top">Site name</div><main><h1>Real</h1><p>Content.</p></main>
      <div>Widget text</div></body>`;
    expect(htmlToSections(html)).toEqual({
      title: 'Real',
      sections: [{ headingPath: ['Real'], text: 'Content.', page: null }],
      headings: [{ headingPath: ['Real'], text: 'Real', page: null }],
    });
  });

  it('keeps an article header (it holds the article title) but drops the page header', () => {
    const html = `<header>Site</header><article><header><h1>Post title</h1></header><p>Body.</p>
      <footer>Tags: a, b</footer></article>`;
    const { sections } = htmlToSections(html);
    expect(sections).toEqual([{ headingPath: ['Post title'], text: 'Body.\n\nTags: a, b', page: null }]);
  });

  it('falls back to everything when the filters leave nothing (a page inside one <form>)', () => {
    const html = `<html><body><form action="x"><h1>Intranet</h1><p>Policy text.</p></form></body></html>`;
    expect(htmlToSections(html).sections).toEqual([
      { headingPath: ['Intranet'], text: 'Policy text.', page: null },
    ]);
  });

  it('starts text before the first heading with an empty heading path', () => {
    expect(
      htmlToSections('<p>Intro</p><h2>Later</h2><p>More</p>').sections.map((s) => s.headingPath),
    ).toEqual([[], ['Later']]);
  });
});

describe('HTML files', () => {
  it('decodes a page by its declared charset', async () => {
    const dir = tempDir();
    const html =
      '<html><head><meta charset="windows-1251"><title>Отчёт</title></head><body><p>Привет</p></body></html>';
    const doc = await extractFile(writeFixture(dir, 'otchet.htm', iconv.encode(html, 'windows-1251')));
    expect(doc.title).toBe('Отчёт');
    expect(doc.sections).toEqual([{ headingPath: [], text: 'Привет', page: null }]);
    expect(doc.mime).toBe('text/html');
  });

  it('reads XHTML with self-closing tags', async () => {
    const dir = tempDir();
    const xhtml = `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body>
      <h1>Bab 1</h1><div/><p>Satu<br/>dua</p></body></html>`;
    const doc = await extractFile(writeFixture(dir, 'bab.xhtml', xhtml));
    expect(doc.sections).toEqual([{ headingPath: ['Bab 1'], text: 'Satu\ndua', page: null }]);
    expect(doc.mime).toBe('application/xhtml+xml');
  });
});

const FIXTURES = path.resolve(import.meta.dirname, '../../../../.fixtures/root/usr/share/doc');
const handbook = path.join(FIXTURES, 'debian-handbook/html/en-US/sect.apt-get.html');
const postgres = path.join(FIXTURES, 'postgresql-doc-15/html/functions-string.html');

// Real pages, present after scripts/fetch-real-docs.sh has run. Skipped locally without them; under
// CI (.ci/run fetches them first) a missing page fails, so these tests cannot silently stop running.
const realPages = fs.existsSync(handbook) && fs.existsSync(postgres);
const ci = !!process.env.CI && process.env.CI !== 'false';
describe.skipIf(!realPages && !ci)('real documentation pages', () => {
  // Vitest collects a skipped suite's body too, so the throw is guarded by the same condition.
  if (!realPages && ci)
    throw new Error(
      `CI: real documentation pages missing under ${FIXTURES}; run scripts/fetch-real-docs.sh first`,
    );

  it('Debian handbook: sections by heading, navigation gone', async () => {
    const doc = await extractFile(handbook);
    expect(doc.title).toBe('6.2. aptitude, apt-get, and apt Commands');
    expect(doc.sections.map((s) => s.headingPath.at(-1))).toEqual([
      '6.2. aptitude, apt-get, and apt Commands',
      '6.2.1. Initialization',
      '6.2.2. Installing and Removing',
      '6.2.3. System Upgrade',
      '6.2.4. Configuration Options',
      '6.2.5. Managing Package Priorities',
      '6.2.6. Working with Several Distributions',
      '6.2.7. Tracking Automatically Installed Packages',
      '6.2.8. APT Patterns',
    ]);
    const text = doc.sections.map((s) => s.text).join('\n');
    expect(text.startsWith('APT is a vast project')).toBe(true);
    for (const nav of [
      'Download the ebook',
      'Product Site',
      'PrevChapter 6',
      'Next6.3',
      "Administrator's Handbook",
    ]) {
      expect(text).not.toContain(nav);
    }
    expect(text).toContain('# apt-get dselect-upgrade'); // a <pre> block, kept line by line
  });

  it('PostgreSQL manual: navheader/navfooter and the TOC gone, admonitions kept in place', async () => {
    const doc = await extractFile(postgres);
    expect(doc.title).toBe('9.4. String Functions and Operators');
    expect(doc.sections.map((s) => s.headingPath)).toEqual([
      ['9.4. String Functions and Operators'],
      ['9.4. String Functions and Operators', '9.4.1. format'],
    ]);
    const text = doc.sections.map((s) => s.text).join('\n');
    expect(text.startsWith('This section describes functions and operators')).toBe(true);
    expect(text).not.toMatch(/\bPrev\b|\bUp\b|\bHome\b|Mathematical Functions and Operators/);
    expect(text).toContain('Note\n\nThe string concatenation operator (||)');
    expect(text).toContain(
      "text || text → text\nConcatenates the two strings.\n'Post' || 'greSQL' → PostgreSQL",
    );
  });
});
