// The eval's reference line: Xapian BM25 over the same pages (xapian_bm25.py), run with Debian's
// python3 and its python3-xapian and python3-bs4, installed here when missing (never by npm ci).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = path.join(import.meta.dirname, 'xapian_bm25.py');

const importable = () => spawnSync(PYTHON, ['-c', 'import xapian, bs4'], { stdio: 'ignore' }).status === 0;

/** Null when Xapian can be run, else why not. Installs the Debian packages as root when missing. */
export function ensureXapian(): string | null {
  if (importable()) return null;
  if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get'))
    return 'python3-xapian and python3-bs4 are not installed (apt-get install python3-xapian python3-bs4)';
  console.log('installing python3-xapian python3-bs4 (apt-get) for the Xapian reference line …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync(
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', 'python3-xapian', 'python3-bs4'],
      {
        stdio: 'inherit',
        env,
      },
    ).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    install();
  }
  return importable() ? null : 'installing python3-xapian and python3-bs4 failed';
}

export interface XapianRun {
  /** Per query: indexes into `files`, best first. */
  ranked: number[][];
  ms: number[];
  indexS: number;
}

export function runXapian(
  files: string[],
  queries: { text: string; lang?: 'en' | 'id' | undefined }[],
  top: number,
): XapianRun {
  const input = JSON.stringify({
    files,
    queries: queries.map((q) => ({ text: q.text, lang: q.lang ?? 'en' })),
    top,
  });
  const r = spawnSync(PYTHON, [SCRIPT], { input, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xapian_bm25.py failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as XapianRun;
}
