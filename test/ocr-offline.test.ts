// OCR never touches the network: its language data ships with the app and is handed to Tesseract
// as bytes. A child process with every way out blocked (test/support/no-network.mjs, preloaded in
// its main thread and, inherited, in Tesseract's worker thread) reads a scanned page; no network
// call is attempted, and the page's text comes out.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCAN = path.resolve(import.meta.dirname, '../.fixtures/scans/id-300-p1.png');
const GUARD = path.resolve(import.meta.dirname, 'support/no-network.mjs');
const CHILD = path.resolve(import.meta.dirname, 'support/ocr-offline-child.ts');
const present = fs.existsSync(SCAN);
const ci = !!process.env.CI && process.env.CI !== 'false';

function run(log: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', GUARD, CHILD, SCAN], {
      env: { ...process.env, PUSTAKA_NET_GUARD_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!present && !ci)('OCR offline', () => {
  if (!present && ci)
    throw new Error(`CI: scan fixtures missing (${SCAN}); run scripts/fetch-real-docs.sh --scans first`);

  it('reads a scanned page with the network blocked in every thread, and tries no network call', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-ocr-offline-'));
    try {
      const log = path.join(dir, 'guard.log');
      const out = await run(log);
      expect(out.code, out.stderr).toBe(0);
      const result = JSON.parse(out.stdout) as { guarded: boolean; ocr?: { pages: number[] }; text: string };
      expect(result.guarded, 'the guard blocks a fetch').toBe(true);
      expect(result.ocr?.pages).toEqual([1]);
      expect(result.text).toContain('Berurusan dengan Mesin yang Terkompromi');
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
      // The main thread and Tesseract's worker thread both ran under the guard …
      expect(lines.filter((l) => l.startsWith('loaded ')).length).toBeGreaterThanOrEqual(2);
      // … and the only blocked call is the child's own check of the guard.
      expect(lines.filter((l) => l.startsWith('blocked '))).toEqual(['blocked fetch http://127.0.0.1:9/']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
