import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyLlama } from '../support/gguf/tiny-llama.ts';
import { VISA_GUIDE_MD, writeFile } from '../support/files.ts';
import {
  CHROMIUM,
  ensureRendererBuilt,
  launchChromium,
  RENDERER_BUILD,
  startServe,
  type Served,
} from '../support/ui-harness.ts';

const MSG_FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'msgreader');

/** Writes an mbox (argv[1]) with a thread of three messages, as Python's mailbox module does. */
const THREAD_MBOX = `import mailbox, sys
from email.message import EmailMessage
box = mailbox.mbox(sys.argv[1])
budi, rene, sari = 'Budi Santoso <budi@konsultan-visa.co.id>', 'René Müller <rene.muller@example.com>', 'Sari Dewi <sari@konsultan-visa.co.id>'
thread = [
    (sari, rene, 'Jadwal wawancara imigrasi', 'Mon, 10 Mar 2025 09:00:00 +0700', 'Wawancara hari Senin pukul 09.00.'),
    (rene, sari, 'Re: Jadwal wawancara imigrasi', 'Mon, 10 Mar 2025 11:30:00 +0700', 'Terima kasih, saya akan datang.'),
    (sari, rene, 'Konfirmasi jadwal', 'Tue, 11 Mar 2025 08:00:00 +0700', 'Bawa paspor asli dan surat sponsor.'),
]
for i, (frm, to, subject, date, body) in enumerate(thread):
    m = EmailMessage()
    m['From'], m['To'], m['Subject'], m['Date'] = frm, to, subject, date
    m['Message-ID'] = f'<wawancara-{i}@konsultan-visa.co.id>'
    if i:
        m['In-Reply-To'] = f'<wawancara-{i - 1}@konsultan-visa.co.id>'
        m['References'] = ' '.join(f'<wawancara-{j}@konsultan-visa.co.id>' for j in range(i))
    m.set_content(body)
    box.add(mailbox.mboxMessage(m))
box.flush()
`;

// Without Chromium (a developer machine) the file is skipped; CI installs it and must run it.
const hasChromium = fs.existsSync(CHROMIUM) || Boolean(process.env.CI);

// One server, one browser and one page for the whole file: the steps build on each other
// (import, then search, then ask) as a consultant's first session would.
let root: string;
let served: Served;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const goTo = (screen: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen }).click();

beforeAll(async () => {
  if (!hasChromium) return;
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-e2e-'));
  ensureRendererBuilt();
  served = await startServe(path.join(root, 'data'));
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
}, 120_000);

// A failing step leaves a picture of the page behind, for the one who has to fix it.
afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail' || !page) return;
  const dir = path.join(RENDERER_BUILD, '..', 'e2e-failures');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${task.name.replace(/[^\w-]+/g, '-').slice(0, 80)}.png`) });
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe.runIf(hasChromium)('the UI against pustaka serve, in headless Chromium', () => {
  it('opens with the printed token, hides it from the address bar and teaches what to do first', async () => {
    expect(served.tokenFromFile).toBe(served.token);
    await page.goto(served.url);
    await expect.poll(() => page.url()).toBe(`${served.origin}/#/chat`);
    await page.getByRole('heading', { name: 'Nothing to answer from yet' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Library'), expect.stringContaining('Search')]),
    );
  });

  it('imports a markdown file into a new collection and shows it indexed', async () => {
    const file = writeFile(root, 'docs/visa-guide.md', VISA_GUIDE_MD);
    await goTo('Library');
    await page.getByRole('heading', { name: 'Your library is empty' }).waitFor();
    await page.getByLabel('New collection').fill('Visa rules');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('heading', { name: 'Visa rules', level: 1 }).waitFor();

    await page.getByLabel('Files or folders to import').fill(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const summary = page.getByRole('status').filter({ hasText: 'Import done' });
    await summary.waitFor();
    expect(await summary.textContent()).toContain('1 new');
    expect(await page.getByRole('list', { name: 'Imported files' }).textContent()).toContain('visa-guide.md');

    const row = page.getByRole('row').filter({ hasText: 'Visa guide' });
    await row.waitFor();
    expect(await row.textContent()).toContain('indexed');
    const counts = await page.getByRole('navigation', { name: 'Collections' }).textContent();
    expect(counts).toContain('1 documents');
  });

  it('opens a document with its passages from the library, and renames the collection', async () => {
    await page.getByRole('button', { name: 'Visa guide', exact: true }).click();
    const viewer = page.getByRole('dialog', { name: 'Passage in its document' });
    await viewer.waitFor();
    expect(await viewer.getByRole('listitem').first().textContent()).toContain('KITAS');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name for the collection').fill('Visa rules 2026');
    await page.getByLabel('New name for the collection').press('Enter');
    await page.getByRole('heading', { name: 'Visa rules 2026', level: 1 }).waitFor();
  });

  it('searches as one types (Ctrl+K) and marks the matching words', async () => {
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.url()).toBe(`${served.origin}/#/search`);
    const box = page.getByRole('searchbox', { name: 'Search documents' });
    await expect.poll(() => box.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await box.fill('sponsor company');
    const results = page.getByRole('list', { name: 'Results' });
    const first = results.getByRole('listitem').first();
    await first.waitFor();
    expect(await first.textContent()).toContain('Visa guide');
    const marks = await first.locator('mark').allTextContents();
    expect(marks.map((m) => m.toLowerCase())).toContain('sponsor');

    // Filters apply as they change: no PDF holds these words.
    await page.getByRole('combobox', { name: 'File type' }).selectOption('pdf');
    await page.getByRole('heading', { name: 'No passage matches' }).waitFor();
    await page.getByRole('combobox', { name: 'File type' }).selectOption('');
    await first.waitFor();
  });

  it('asks a question and gets an extractive answer whose citation chip opens the passage', async () => {
    await goTo('Chat');
    const question = page.getByRole('textbox', { name: 'Question' });
    await question.fill('Who applies first for a KITAS?');
    await question.press('Enter');

    const answer = page.getByRole('region', { name: 'Chat' }).getByLabel('Answer', { exact: true });
    await answer.getByLabel('answer path: extractive').waitFor();
    expect(await answer.textContent()).toContain('sponsor company');
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByText('Who applies first for a KITAS?')
      .waitFor();

    const chip = answer.getByRole('group', { name: 'Sources' }).getByRole('button').first();
    expect(await chip.textContent()).toMatch(/^\[1\] Visa guide › KITAS/);
    await chip.click();
    const viewer = page.getByRole('dialog', { name: 'Passage in its document' });
    const cited = viewer.locator('[aria-current="true"]');
    await cited.waitFor();
    expect(await cited.textContent()).toContain('The sponsor company applies first.');
    await page.keyboard.press('Escape');
  });

  it('runs the worker on demand, then a drafted golden answer is edited, approved and served', async () => {
    // The worker drafts answers for questions asked at least twice.
    await page.getByRole('button', { name: 'New', exact: true }).click();
    const question = page.getByRole('textbox', { name: 'Question' });
    await question.fill('Who applies first for a KITAS?');
    await question.press('Enter');
    await page
      .getByLabel('Answer', { exact: true })
      .getByLabel(/^answer path:/)
      .waitFor();

    await goTo('Worker');
    await page.getByRole('button', { name: 'Run now' }).click();
    const runs = page.getByRole('table', { name: 'Last runs' });
    await runs.getByRole('row').filter({ hasText: 'done' }).waitFor({ timeout: 90_000 });
    expect(await runs.getByRole('row').nth(1).textContent()).toContain('manual');
    await page.getByRole('img', { name: 'Generated per run' }).locator('canvas').waitFor();

    await goTo('Golden answers');
    const detail = page.getByRole('region', { name: 'Golden answer' });
    await detail.getByRole('heading', { name: 'Who applies first for a KITAS?' }).waitFor();
    expect(await detail.textContent()).toContain('draft');
    await detail.getByRole('button', { name: 'Edit' }).click();
    await detail
      .getByLabel('Answer')
      .fill('The sponsor company applies first; the foreigner signs afterwards.');
    await detail.getByRole('button', { name: 'Save and approve' }).click();
    // Approved, it leaves the review queue…
    await page.getByRole('heading', { name: 'Nothing to review' }).waitFor();
    // …and is listed with the approved answers, edited.
    await page.getByRole('tab', { name: /Approved/ }).click();
    await detail.getByText('The sponsor company applies first; the foreigner signs afterwards.').waitFor();
    await expect.poll(() => detail.locator('header').textContent()).toContain('approved');

    await goTo('Chat');
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await question.fill('Who applies first for a KITAS?');
    await question.press('Enter');
    const answer = page.getByLabel('Answer', { exact: true });
    await answer.getByLabel('answer path: golden').waitFor();
    expect(await answer.textContent()).toContain('the foreigner signs afterwards');
  }, 120_000);

  it('imports a chat model, streams a generated answer and stops it with Esc', async () => {
    const modelFile = path.join(root, 'tiny-chat.gguf');
    await writeTinyLlama(modelFile, { quant: 'q8_0', seed: 7, ctx: 2048, name: 'tiny-chat' });
    await goTo('Models');
    await page.getByLabel('Path of the .gguf file').fill(modelFile);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'is installed' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Use for chat' }).click();
    await page.getByText('Chat: tiny-chat').waitFor();

    await goTo('Chat');
    await page.getByRole('button', { name: 'New', exact: true }).click();
    const question = page.getByRole('textbox', { name: 'Question' });
    await question.fill('What is a KITAP?');
    await question.press('Enter');
    // Tokens arrive while the answer is still being written (aria-busy) and show in its text.
    const streamed = page.locator('[aria-label="Answer"][aria-busy="true"] .answer-text');
    const streamedLength = async () =>
      (await streamed.count()) ? ((await streamed.textContent()) ?? '').replace('…', '').trim().length : 0;
    await expect.poll(streamedLength, { timeout: 90_000, interval: 100 }).toBeGreaterThan(0);
    await question.press('Escape');
    const answer = page.getByLabel('Answer', { exact: true });
    await answer.getByLabel('answer path: generated').waitFor({ timeout: 30_000 });
    expect(await answer.textContent()).toContain('stopped');
  }, 150_000);

  it('shows a clear screen without a token, and with a wrong one', async () => {
    const context = await browser.newContext();
    const bare = await context.newPage();
    await bare.goto(served.origin + '/');
    await bare.getByRole('heading', { name: 'This page needs its access token' }).waitFor();
    await bare.goto(`${served.origin}/#token=not-the-token`);
    await bare.reload();
    await bare.getByRole('heading', { name: 'The engine refused this page' }).waitFor();
    await context.close();
  });

  it('imports a mailbox and shows a message with its sender, date, thread and attachments', async () => {
    // A thread of three messages written by Python's email and mailbox packages, and a real
    // Outlook message with two PDFs and a message attached (test/fixtures/msgreader).
    const dir = path.join(root, 'mail');
    fs.mkdirSync(dir);
    execFileSync('python3', ['-c', THREAD_MBOX, path.join(dir, 'thread.mbox')]);
    fs.copyFileSync(path.join(MSG_FIXTURES, 'Outer mail.msg'), path.join(dir, 'Outer mail.msg'));
    await goTo('Library');
    await page.getByLabel('New collection').fill('Mail');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('heading', { name: 'Mail', level: 1 }).waitFor();
    await page.getByLabel('Files or folders to import').fill(dir);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Import done' }).waitFor();

    await page.getByRole('button', { name: 'Re: Jadwal wawancara imigrasi', exact: true }).click();
    const viewer = page.getByRole('dialog', { name: 'Passage in its document' });
    const details = viewer.getByRole('region', { name: 'E-mail details' });
    await details.waitFor();
    const headers = await details.textContent();
    expect(headers).toContain('FromRené Müller <rene.muller@example.com>');
    expect(headers).toContain('ToSari Dewi <sari@konsultan-visa.co.id>');
    expect(headers).toContain('SubjectRe: Jadwal wawancara imigrasi');
    const thread = details.getByRole('list', { name: 'Thread' });
    await thread.getByRole('listitem').nth(2).waitFor();
    expect(await thread.getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('Jadwal wawancara imigrasi'),
      expect.stringContaining('Re: Jadwal wawancara imigrasi'),
      expect.stringContaining('Konfirmasi jadwal'),
    ]);
    // A message of the thread opens in place.
    await thread.getByRole('button', { name: 'Konfirmasi jadwal' }).click();
    await viewer.getByRole('heading', { name: 'Konfirmasi jadwal' }).waitFor();
    expect(await viewer.locator('.chunk').first().textContent()).toContain('From: Sari Dewi');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Outer mail', exact: true }).click();
    const attachments = viewer.getByRole('list', { name: 'Attachments' });
    await attachments.getByRole('listitem').nth(2).waitFor();
    expect(await attachments.getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('OUTER 1'),
      expect.stringContaining('OUTER 2'),
      expect.stringContaining('Inner mail'),
    ]);
    await attachments.getByRole('button', { name: 'OUTER 2' }).click();
    await viewer.getByText('Attachment of').waitFor();
    await page.keyboard.press('Escape');
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  it('says it is reconnecting when the engine goes away, instead of failing call by call', async () => {
    await served.stop();
    await page.getByRole('heading', { name: 'Reconnecting to the engine…' }).waitFor();
  });
});
