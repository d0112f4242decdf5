import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SearchResult } from '../core/contract/methods/search.ts';
import { renderSearch } from '../core/cli/commands/search.ts';
import { runCli } from '../core/cli/program.ts';
import { tempDir } from './support/temp-dir.ts';

async function cli(args: string[], isTTY = false) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY });
  return { code, stdout, stderr };
}

describe('pustaka search', () => {
  it('prints ranked passages, JSON with --json, and rejects bad options', async () => {
    const root = tempDir();
    const docs = path.join(root, 'docs');
    fs.mkdirSync(docs);
    fs.writeFileSync(
      path.join(docs, 'visa.md'),
      '# Visa guide\n\n## KITAP\n\nA KITAP is a permanent stay permit, available after several years on a KITAS.\n',
    );
    fs.writeFileSync(path.join(docs, 'pajak.txt'), 'NPWP wajib dimiliki sebelum melapor SPT tahunan.');
    const d = ['--data-dir', path.join(root, 'data')];
    expect((await cli([...d, 'import', docs, '-c', 'Visa', '--tags', 'kitas'])).code).toBe(0);

    const plain = await cli([...d, 'search', 'permanent permit', '-k', '2']);
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    const lines = plain.stdout.split('\n');
    expect(lines[0]).toMatch(/^1\. 0\.\d{4} {2}Visa guide › KITAP$/);
    expect(lines[1]).toBe(`   ${path.join(docs, 'visa.md')}`);
    expect(lines[2]).toBe('   A KITAP is a permanent stay permit, available after several years on a KITAS.');
    expect(plain.stdout).toMatch(/\n2 results · hybrid · [\d.]+ ms\n$/);
    expect(plain.stdout).not.toContain('\x1b[');

    const json = await cli([
      ...d,
      'search',
      'NPWP permit',
      '--json',
      '--type',
      'text',
      '--tags',
      'kitas,other',
    ]);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as SearchResult;
    expect(result).toMatchObject({ mode: 'hybrid', cached: false });
    expect(result.items).toHaveLength(1);
    expect(result.items[0]).toMatchObject({
      rank: 1,
      title: 'pajak',
      sourcePath: path.join(docs, 'pajak.txt'),
      headingPath: [],
      page: null,
      highlights: [{ start: 0, end: 4 }],
    });
    // On a terminal the matched words are bold (the same renderer, given the JSON result).
    expect(renderSearch(result, true)).toContain('\x1b[1mNPWP\x1b[22m wajib dimiliki');
    expect(renderSearch(result, true)).toContain('\x1b[1mpajak\x1b[22m');
    expect(Object.keys(result.items[0]!).sort()).toEqual(
      [
        'rank',
        'score',
        'chunkId',
        'documentId',
        'collectionId',
        'title',
        'sourcePath',
        'headingPath',
        'page',
        'text',
        'highlights',
      ].sort(),
    );

    const badMode = await cli([...d, 'search', 'x', '--mode', 'fuzzy']);
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain("argument 'fuzzy' is invalid");
  });

  it('renders pages, an empty result and a cached one', () => {
    const item = {
      rank: 1,
      score: 12.3456,
      chunkId: 7,
      documentId: 3,
      collectionId: 1,
      title: null,
      sourcePath: '/docs/report.pdf',
      headingPath: [],
      page: 4,
      text: 'Revenue grew in Q3.',
      highlights: [{ start: 0, end: 7 }],
    };
    expect(renderSearch({ items: [item], tookMs: 42.4, cached: true, mode: 'keyword' }, false)).toBe(
      '1. 12.35  report.pdf  p. 4\n   /docs/report.pdf\n   Revenue grew in Q3.\n\n1 result · keyword · 42 ms · cached',
    );
    expect(renderSearch({ items: [], tookMs: 1.234, cached: false, mode: 'vector' }, true)).toBe(
      'No results · vector · 1.2 ms',
    );
  });
});
