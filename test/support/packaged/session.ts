// The packaged-app smoke session: boots the engine host of a mounted package (host.ts) on a fresh
// data folder and drives it over its message channel as the desktop UI would — create a collection,
// import Markdown, HTML and PDF, search, ask a generated tiny Llama, run the nightly worker, back
// up. Every step must succeed; the figures (engine-ready time, RSS) come back with the report.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assemblePackage,
  type AssembleOptions,
  type PackageLayout,
} from '../../../scripts/package/assemble.ts';
import { manyPagePdf, pageWord } from '../big-pdf.ts';
import { KITAS_GUIDE_MD } from '../files.ts';
import { writeTinyLlama } from '../gguf/tiny-llama.ts';
import { startPackagedHost, type PackagedHost } from './host.ts';
import { mountPackage, type MountedApp } from './mount.ts';

export interface SessionStep {
  name: string;
  ms: number;
  detail: string;
}

export interface SessionReport {
  readyMs: number;
  /** The engine's own figure (status.engine.rssBytes) right after 'ready'. */
  rssAtReadyBytes: number;
  /** VmHWM of the host process at the end of the session (Linux), else null. */
  peakRssBytes: number | null;
  steps: SessionStep[];
  exitCode: number | null;
}

/** A 300 dpi scan of a heading and a paragraph of the Debian Administrator's Handbook (GPL-2+). */
const SCANNED_PARAGRAPH = path.resolve(import.meta.dirname, '../../fixtures/scan-paragraph.png');

const HTML_PAGE = `<!doctype html><html><head><title>Office hours</title></head><body>
<h1>Immigration office hours</h1>
<p>The Kuningan immigration office opens at eight and closes its counters at three for KITAS renewals.</p>
</body></html>`;

/** Readable by the unprivileged user the engine runs as (explicit modes: this process may have umask 077). */
function smokeDocuments(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const docs: Array<[string, string | Buffer]> = [
    ['kitas-guide.md', KITAS_GUIDE_MD],
    ['office-hours.html', HTML_PAGE],
    ['permits.pdf', manyPagePdf(2)],
    // A scanned paragraph (of the Debian Administrator's Handbook, 300 dpi): OCR in the package.
    ['scanned-letter.png', fs.readFileSync(SCANNED_PARAGRAPH)],
  ];
  for (const [name, content] of docs) {
    fs.writeFileSync(path.join(dir, name), content);
    fs.chmodSync(path.join(dir, name), 0o644);
  }
}

/** Names the step that failed, with what the engine printed, so CI's log says what is missing. */
async function step<T>(
  host: PackagedHost,
  steps: SessionStep[],
  name: string,
  run: () => Promise<T>,
  check: (r: T) => string,
): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    const detail = check(result);
    steps.push({ name, ms: Math.round(performance.now() - started), detail });
    return result;
  } catch (err) {
    throw new Error(failureText(host, `step "${name}" failed: ${(err as Error).message}`), { cause: err });
  }
}

export function failureText(host: PackagedHost, what: string): string {
  const violations = host.violations();
  return [
    `packaged app smoke: ${what}`,
    ...(violations.length ? ['rule breaches:', ...violations.map((v) => `  ${v}`)] : []),
    '--- engine host output (tail) ---',
    host.output().trim().slice(-4000) || '(none)',
  ].join('\n');
}

function expectThat(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** Boots the host and waits for 'ready'; a fatal or an early exit throws with the host's output. */
export async function bootPackagedHost(
  app: MountedApp,
  workDir: string,
): Promise<{ host: PackagedHost; readyMs: number }> {
  const host = startPackagedHost(app, { dataDir: path.join(workDir, 'data'), workDir });
  try {
    return { host, readyMs: await host.ready };
  } catch (err) {
    host.kill();
    throw new Error(failureText(host, (err as Error).message), { cause: err });
  }
}

/** Runs the whole session against a mounted package; `workDir` is a new, empty folder. */
export async function runPackagedSession(app: MountedApp, workDir: string): Promise<SessionReport> {
  fs.chmodSync(workDir, 0o755);
  const docs = path.join(workDir, 'docs');
  smokeDocuments(docs);
  const modelFile = path.join(workDir, 'tiny-chat.gguf');
  await writeTinyLlama(modelFile, { quant: 'q8_0', seed: 7, ctx: 2048, name: 'tiny-chat' });
  fs.chmodSync(modelFile, 0o644);

  const { host, readyMs } = await bootPackagedHost(app, workDir);
  const { client } = host;
  const steps: SessionStep[] = [];
  try {
    const status = await step(
      host,
      steps,
      'status',
      () => client.call('status', {}),
      (s) => {
        expectThat(
          s.engine.pid === host.pid,
          `status answered from pid ${s.engine.pid}, not the host ${host.pid}`,
        );
        // A new data folder is a copy of resources/pg-template; initdb instead costs seconds.
        expectThat(
          s.engine.clusterOrigin === 'template',
          `the new data folder came from ${s.engine.clusterOrigin}, not resources/pg-template (extraResources build/pg-template)`,
        );
        return `schema pg ${s.schema.pg}, cluster from ${s.engine.clusterOrigin}`;
      },
    );
    await step(
      host,
      steps,
      'collections.create',
      () => client.call('collections.create', { name: 'Smoke' }),
      (c) => `collection ${c.id}`,
    );
    await step(
      host,
      steps,
      'import.run (md, html, pdf, png scan)',
      () => client.call('import.run', { collection: 'Smoke', paths: [docs] }),
      (r) => {
        const failed = r.failed.map((f) => `${path.basename(f.path)}: ${f.message}`).join('; ');
        expectThat(
          r.status === 'done' && r.imported === 4 && !failed,
          `imported ${r.imported} of 4 (${failed})`,
        );
        return `${r.imported} files, ${r.chunks} chunks`;
      },
    );
    await step(
      host,
      steps,
      'search',
      () => client.call('search', { query: `KITAS fee ${pageWord(2)}` }),
      (r) => {
        const types = new Set(r.items.map((i) => path.extname(i.sourcePath)));
        expectThat(
          types.has('.md') && types.has('.pdf'),
          `search found ${[...types].join(', ') || 'nothing'}`,
        );
        return `${r.items.length} hits`;
      },
    );
    await step(
      host,
      steps,
      'search (OCR text)',
      () => client.call('search', { query: 'an act of hijacking', mode: 'keyword' }),
      (r) => {
        const top = r.items[0];
        expectThat(
          top !== undefined && path.basename(top.sourcePath) === 'scanned-letter.png' && top.ocr === true,
          `the scanned picture's text was not found (top hit: ${top ? path.basename(top.sourcePath) : 'none'})`,
        );
        return `found on page ${top!.page} (OCR)`;
      },
    );
    const model = await step(
      host,
      steps,
      'models.catalog, models.hardware, models.import, models.use',
      async () => {
        const catalog = await client.call('models.catalog', {});
        expectThat(catalog.length > 0, 'the model catalog (models/catalog.json) is empty');
        // The GPU probe runs in a child process (hardware-host.js); it degrades to "CPU only"
        // by itself, so only probeError tells that it could not start.
        const { hardware } = await client.call('models.hardware', {});
        expectThat(hardware.probeError === null, `the hardware probe failed: ${hardware.probeError}`);
        const imported = await client.call('models.import', { path: modelFile });
        await client.call('models.use', { model: imported.model.id, role: 'chat' });
        return imported.model;
      },
      (m) => `${m.name} (${m.architecture})`,
    );
    await step(
      host,
      steps,
      'ask (tiny Llama, cancelled after 8 tokens)',
      () => {
        // The model host starts and streams; then Ctrl-C, as a user would: the engine keeps the
        // partial answer. (A tiny random Llama would ramble to the length cap, ~30 s here.)
        const ac = new AbortController();
        let tokens = 0;
        return client.call(
          'ask',
          { question: 'What does a KITAS cost for an investor?', k: 3 },
          {
            signal: ac.signal,
            onEvent: (e) => {
              if (e.type === 'token' && ++tokens === 8) ac.abort();
            },
          },
        );
      },
      (r) => {
        expectThat(
          r.path === 'rag' && r.model === model.name && r.tokens.out > 0 && r.status === 'partial',
          `answered by path ${r.path}, model ${r.model}, ${r.status}: ${r.notice ?? r.answer.slice(0, 200)}`,
        );
        return `${r.tokens.out} tokens, then cancelled`;
      },
    );
    await step(
      host,
      steps,
      'worker.run',
      () => client.call('worker.run', { maxGolden: 1, budgetTokens: 64, backup: false }),
      (r) => {
        const failedSteps = Object.entries(r.steps).filter(([, s]) => s.status === 'failed');
        expectThat(
          r.status === 'done' && !failedSteps.length,
          `worker ${r.status}: ${r.error ?? failedSteps.map(([n, s]) => `${n}: ${JSON.stringify(s)}`).join('; ')}`,
        );
        return `${Object.keys(r.steps).length} steps, ${r.goldenGenerated} golden`;
      },
    );
    await step(
      host,
      steps,
      'backup.create',
      () => client.call('backup.create', { kind: 'manual' }),
      (b) => {
        expectThat(
          b.status !== 'failed' && fs.existsSync(b.path),
          `backup ${b.status}: ${b.error ?? b.path}`,
        );
        return `${b.fileName}, ${b.sizeBytes} bytes`;
      },
    );
    const violations = host.violations();
    if (violations.length) throw new Error(failureText(host, 'the engine broke the installed app rules'));
    const peakRssBytes = host.peakRssBytes();
    const exitCode = await host.shutdown();
    if (exitCode !== 0)
      throw new Error(failureText(host, `the engine exited with code ${exitCode} on shutdown`));
    return { readyMs, rssAtReadyBytes: status.engine.rssBytes, peakRssBytes, steps, exitCode };
  } finally {
    host.kill();
  }
}

export interface PackagedStart {
  readyMs: number;
  /** status.engine.rssBytes right after 'ready', and the host's VmHWM then (Linux), in bytes. */
  rssBytes: number;
  peakRssBytes: number | null;
  assembleMs: number;
  mountMs: number;
}

/** A new folder under the system temp folder (outside the repository and its node_modules). */
export function packagedTempDir(prefix = 'pustaka-pkg-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755); // the engine may run as `nobody`: it must reach the app inside
  return dir;
}

/** Assembles (unless given a layout) and mounts the package under `dir`. */
export async function preparePackage(
  dir: string,
  opts: Omit<AssembleOptions, 'outDir'> & { layout?: PackageLayout } = {},
): Promise<{ layout: PackageLayout; app: MountedApp }> {
  fs.chmodSync(dir, 0o755);
  const layout = opts.layout ?? (await assemblePackage({ ...opts, outDir: path.join(dir, 'out') }));
  const app = mountPackage(layout.resources, path.join(dir, 'mount'));
  return { layout, app };
}

/**
 * For the startup benchmark: the packaged engine's time from fork to 'ready' on a fresh data folder,
 * and its memory then. Assembles the package into a temporary folder and removes it afterwards.
 */
export async function measurePackagedEngineStart(
  opts: { layout?: PackageLayout } = {},
): Promise<PackagedStart> {
  const dir = packagedTempDir();
  try {
    const { layout, app } = await preparePackage(dir, opts.layout ? { layout: opts.layout } : {});
    const workDir = path.join(dir, 'work');
    fs.mkdirSync(workDir);
    fs.chmodSync(workDir, 0o755);
    const { host, readyMs } = await bootPackagedHost(app, workDir);
    try {
      const status = await host.client.call('status', {});
      const peakRssBytes = host.peakRssBytes();
      await host.shutdown();
      return {
        readyMs,
        rssBytes: status.engine.rssBytes,
        peakRssBytes,
        assembleMs: opts.layout ? 0 : layout.durationMs,
        mountMs: app.durationMs,
      };
    } finally {
      host.kill();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
