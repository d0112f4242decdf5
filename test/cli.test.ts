import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../core/cli/program.ts';
import { runPustaka } from './support/cli.ts';
import { tempDir } from './support/temp-dir.ts';

/** In-process run of the same program the binary runs; captures output. */
async function cli(args: string[], opts: { isTTY?: boolean; confirm?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: opts.isTTY ?? false,
    confirm: async () => opts.confirm ?? false,
  });
  return { code, stdout, stderr };
}

describe('pustaka CLI (real binary)', () => {
  it('status --json on an empty data dir creates it and prints the schema version and zero counts', async () => {
    const dataDir = path.join(tempDir(), 'new', 'data');
    const run = await runPustaka(['--data-dir', dataDir, 'status', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.schema.pg).toBeGreaterThanOrEqual(4);
    expect(Object.values(status.counts).every((n) => n === 0)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'collections.db'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'pustaka.lock'))).toBe(false);
  });

  it('honours PUSTAKA_DATA_DIR and prints a human status', async () => {
    const dataDir = tempDir();
    const run = await runPustaka(['status'], { PUSTAKA_DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Data dir   ${dataDir}`);
    expect(run.stdout).toMatch(/Knowledge\s+0 collections · 0 documents · 0 chunks/);
  });

  it('exits non-zero with a one-line reason on bad usage and on errors', async () => {
    const dataDir = tempDir();
    const missing = await runPustaka(['--data-dir', dataDir, 'collections', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('pustaka: no collection named "nope"\n');
    const usage = await runPustaka(['--data-dir', dataDir, 'frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('pustaka collections (in-process)', () => {
  it('creates, lists, renames and deletes, in human and JSON form', async () => {
    const d = ['--data-dir', tempDir()];
    expect((await cli([...d, 'collections', 'list'])).stdout).toContain('No collections yet');
    const created = await cli([
      ...d,
      'collections',
      'create',
      'Visa',
      '-d',
      'visa rules',
      '--chunk-size',
      '300',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: 'Created collection "Visa" (id 1).\n' });

    const list = await cli([...d, '--json', 'collections', 'list']);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { id: 1, name: 'Visa', description: 'visa rules', chunkSize: 300 },
    ]);
    expect((await cli([...d, 'collections'])).stdout).toMatch(/ID\s+Name\s+Documents\s+Chunks/);

    expect((await cli([...d, 'collections', 'rename', '1', 'Immigration'])).stdout).toBe(
      'Renamed to "Immigration".\n',
    );
    expect((await cli([...d, 'collections', 'show', 'immigration'])).stdout).toContain('Immigration (id 1)');
  });

  it('asks before deleting, and requires --yes when it cannot ask', async () => {
    const d = ['--data-dir', tempDir()];
    await cli([...d, 'collections', 'create', 'Tax']);
    const refused = await cli([...d, 'collections', 'delete', 'Tax']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes');
    const declined = await cli([...d, 'collections', 'delete', 'Tax'], { isTTY: true, confirm: false });
    expect(declined).toMatchObject({ code: 0, stderr: 'Nothing deleted.\n' });
    const json = await cli([...d, '--json', 'collections', 'delete', 'Tax', '--yes']);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'Tax', documents: 0, chunks: 0 });
    expect((await cli([...d, 'collections', 'list'])).stdout).toContain('No collections yet');
  });

  it('reports errors as JSON envelopes with --json', async () => {
    const d = ['--data-dir', tempDir()];
    await cli([...d, 'collections', 'create', 'Tax']);
    const dup = await cli([...d, '--json', 'collections', 'create', 'tax']);
    expect(dup.code).toBe(1);
    expect(JSON.parse(dup.stdout)).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'a collection named "tax" already exists' },
    });
    const bad = await cli([...d, 'collections', 'create', 'x', '--chunk-size', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/chunkSize/);
  });
});

describe('pustaka import and documents (in-process)', () => {
  it('imports a folder, prints a summary, lists, shows and deletes documents', async () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, 'kitas.md'), '# KITAS\n\nA limited stay permit for foreign workers.\n');
    fs.writeFileSync(path.join(root, 'bad.txt'), Buffer.alloc(1000, 0));
    const d = ['--data-dir', tempDir()];

    const missing = await cli([...d, 'import', root]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--collection');

    const run = await cli([...d, 'import', root, '-c', 'Visa', '--tags', 'kitas, 2026']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Import into "Visa" finished in [\d.]+ s \(job 1\)\./);
    expect(run.stdout).toContain('1 new · 0 updated · 0 unchanged · 0 duplicates · 1 failed');
    expect(run.stdout).toMatch(/✗ bad\.txt .*binary/);

    const again = await cli([...d, '--json', 'import', root, '-c', 'Visa']);
    expect(JSON.parse(again.stdout)).toMatchObject({ unchanged: 1, imported: 0 });

    const list = JSON.parse((await cli([...d, '--json', 'documents', 'list', '-c', 'visa'])).stdout);
    expect(list.total).toBe(2);
    const kitas = list.items.find((x: { sourcePath: string }) => x.sourcePath.endsWith('kitas.md'));
    expect(kitas).toMatchObject({ status: 'indexed', tags: ['kitas', '2026'], fileType: 'markdown' });

    const shown = await cli([...d, 'documents', 'show', String(kitas.id)]);
    expect(shown.stdout).toContain('status   indexed');
    const chunks = await cli([...d, 'documents', 'chunks', String(kitas.id)]);
    expect(chunks.stdout).toContain('limited stay permit');
    expect(chunks.stdout).toMatch(/── #0 \(\d+ tokens\) KITAS/);

    const del = await cli([...d, 'documents', 'delete', String(kitas.id), '--yes']);
    expect(del.stdout).toMatch(/^Deleted .*kitas\.md \(\d+ chunks?\)\./);
    const jobs = await cli([...d, 'jobs']);
    expect(jobs.stdout).toMatch(/#2 done\s+Visa/);
    expect((await cli([...d, 'import', '--resume'])).stdout).toContain('Nothing to resume');
  });
});
