// Screenshots of every screen of the UI, light and dark, for looking at it without a display:
// `npm run screenshots` → build/screenshots/*.png. Seeds a throw-away data folder through the CLI
// (import, questions, a worker run), then drives `pustaka serve` in headless Chromium.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureRendererBuilt, launchChromium, startServe } from '../test/support/ui-harness.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = path.join(ROOT, 'build', 'screenshots');
const BIN = path.join(ROOT, 'bin', 'pustaka.js');

const DOCS: Record<string, string> = {
  'visa/visa-guide.md': `# Visa guide

## KITAS

A KITAS is a limited stay permit for foreigners working in Indonesia. The sponsor company applies first,
then the foreigner receives a telex visa and enters Indonesia to finish the process at immigration.

## KITAP

A KITAP is a permanent stay permit, available after several years on a KITAS. It is valid for five years
and can be extended without leaving the country.
`,
  'visa/renewal.md': `# KITAS renewal

Renewal starts at least 30 days before the permit expires. The sponsor letter, passport and current KITAS are
required; biometrics are taken again at the immigration office. A renewal takes about two weeks.
`,
  'tax/npwp.md': `# NPWP

The NPWP is the Indonesian tax identification number. Foreigners who live in Indonesia for more than 183 days
in twelve months are tax residents and must register for an NPWP. Annual returns are due by 31 March.
`,
};

function pustaka(dataDir: string, args: string[]): void {
  // Output is kept quiet; a failure still throws with the command's stderr.
  execFileSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { stdio: 'pipe' });
}

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.waitForTimeout(250); // let charts and fonts settle
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
  console.log(`  ${name}.png`);
}

async function goTo(page: Page, screen: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen }).click();
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-shots-'));
  const dataDir = path.join(root, 'data');
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  try {
    ensureRendererBuilt();
    for (const [rel, text] of Object.entries(DOCS)) {
      fs.mkdirSync(path.dirname(path.join(root, 'docs', rel)), { recursive: true });
      fs.writeFileSync(path.join(root, 'docs', rel), text);
    }
    console.log('seeding a data folder…');
    pustaka(dataDir, ['collections', 'create', 'Visa rules', '--description', 'KITAS, KITAP, renewals']);
    pustaka(dataDir, ['collections', 'create', 'Tax']);
    pustaka(dataDir, ['import', path.join(root, 'docs', 'visa'), '-c', 'Visa rules', '--tags', 'kitas,2026']);
    pustaka(dataDir, ['import', path.join(root, 'docs', 'tax'), '-c', 'Tax']);
    for (const q of [
      'Who applies first for a KITAS?',
      'Who applies first for a KITAS?',
      'How long does a KITAS renewal take?',
    ]) {
      pustaka(dataDir, ['ask', q]);
    }
    pustaka(dataDir, ['worker', 'run', '--no-backup']);
    pustaka(dataDir, ['clients', 'add', 'PT Maju Jaya', '--company', '--email', 'office@majujaya.example']);
    pustaka(dataDir, [
      'projects',
      'add',
      'KITAS renewal 2026',
      '--client',
      'PT Maju Jaya',
      '--type',
      'visa',
      '--due',
      '2026-12-15',
    ]);

    const served = await startServe(dataDir);
    const browser = await launchChromium();
    try {
      for (const scheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({
          viewport: { width: 1280, height: 800 },
          colorScheme: scheme,
        });
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(served.url);
        await page.getByRole('navigation', { name: 'Conversations' }).waitFor();
        const suffix = `-${scheme}`;

        await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button').nth(1).click();
        await page.getByLabel('Answer', { exact: true }).first().waitFor();
        await shoot(page, `chat${suffix}`);
        if (scheme === 'light') {
          await page.getByRole('group', { name: 'Sources' }).first().getByRole('button').first().click();
          await page.getByRole('dialog').locator('[aria-current="true"]').waitFor();
          await shoot(page, 'passage-light');
          await page.keyboard.press('Escape');
        }

        await goTo(page, 'Library');
        await page.getByRole('row').nth(1).waitFor();
        await shoot(page, `library${suffix}`);

        await goTo(page, 'Search');
        await page.getByRole('searchbox', { name: 'Search documents' }).fill('kitas sponsor');
        await page.getByRole('list', { name: 'Results' }).getByRole('listitem').first().waitFor();
        await shoot(page, `search${suffix}`);

        await goTo(page, 'Golden answers');
        await page.getByRole('region', { name: 'Golden answer' }).getByRole('heading').first().waitFor();
        await shoot(page, `golden${suffix}`);
        await page.getByRole('tab', { name: /Context notes/ }).click();
        await page.getByRole('region', { name: 'Context note' }).getByRole('heading').first().waitFor();
        await shoot(page, `notes${suffix}`);

        await goTo(page, 'Clients');
        await page.getByRole('table', { name: 'Projects' }).waitFor();
        await shoot(page, `clients${suffix}`);
        await page.getByRole('tab', { name: 'Memory' }).click();
        await page.getByText(/^\d+ facts? (about|across)/).waitFor();
        await shoot(page, `memory${suffix}`);

        await goTo(page, 'Analytics');
        await page
          .getByRole('img', { name: 'Questions per day, by answer path' })
          .locator('canvas')
          .waitFor();
        await shoot(page, `analytics${suffix}`);

        await goTo(page, 'Worker');
        await page.getByRole('img', { name: 'Generated per run' }).locator('canvas').waitFor();
        await shoot(page, `worker${suffix}`);

        await goTo(page, 'Models');
        await page.getByRole('heading', { name: 'Recommended models' }).waitFor();
        await page.getByText(/\d+ cores\)/).waitFor();
        await shoot(page, `models${suffix}`, true);

        await goTo(page, 'Settings');
        await page.getByRole('heading', { name: 'Data folder' }).waitFor();
        await shoot(page, `settings${suffix}`, true);
        await context.close();
      }

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${served.origin}/`);
      await page.getByRole('heading', { name: 'This page needs its access token' }).waitFor();
      await shoot(page, 'needs-token');

      await page.goto(served.url);
      await page.reload(); // only the fragment changed: make the app read the token
      await goTo(page, 'Chat');
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await shoot(page, 'chat-empty');

      await goTo(page, 'Settings');
      await page.getByLabel('New passphrase').fill('correct horse battery');
      await page.getByLabel('Repeat it').fill('correct horse battery');
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByRole('button', { name: 'Lock now' }).click();
      await page.getByRole('heading', { name: 'Pustaka is locked' }).waitFor();
      await shoot(page, 'locked');
      await context.close();
    } finally {
      await browser.close();
      await served.stop();
    }
    console.log(`screenshots in ${path.relative(process.cwd(), OUT) || OUT}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
