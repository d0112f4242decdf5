import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../core/startup/open-engine.ts';
import { runDriver } from './faults/run-driver.ts';
import { runPustaka } from './support/cli.ts';
import { openTestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

const FILES = 400;

/**
 * Imports the folder in a child process (the engine and API the CLI uses) and SIGKILLs it once
 * half the files are reported done: a point in the work, not in time, so load cannot move it.
 */
async function importThenKill(dataDir: string, folder: string): Promise<void> {
  const run = await runDriver(['import', dataDir, folder], {
    afterLines: FILES / 2,
    counting: (line) => line === 'event file',
    delayMs: 0,
  });
  if (!run.killed) throw new Error(`the import ended before the kill: ${run.lines.length} lines`);
}

describe('import survives kill -9', () => {
  it('resumes the interrupted job and ends with exactly the right documents and chunks', async () => {
    const folder = tempDir();
    for (let i = 0; i < FILES; i++) {
      fs.writeFileSync(
        path.join(folder, `note-${String(i).padStart(3, '0')}.md`),
        `# Note ${i}\n\n## Details\n\n${'Izin tinggal terbatas (KITAS) dan pajak penghasilan. '.repeat(20)}\n\nUnique marker ${i}.`,
      );
    }
    const dataDir = tempDir();
    await importThenKill(dataDir, folder);

    let engine = await openEngine({ dataDir });
    expect(engine.interruptedJobs).toHaveLength(1);
    const [{ n: indexedAtKill }] = (await engine.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM documents WHERE status = 'indexed'",
    )) as [{ n: number }];
    // Killed mid-way: some documents committed, not all (the resume must finish the rest).
    expect(indexedAtKill).toBeGreaterThan(0);
    expect(indexedAtKill).toBeLessThan(FILES);
    await engine.close();

    const resumed = await runPustaka(['--data-dir', dataDir, '--json', 'import', '--resume']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const {
      imports: [summary],
      reembeds,
    } = JSON.parse(resumed.stdout);
    expect(reembeds).toEqual([]);
    expect(summary.status).toBe('done');
    expect(summary.imported + summary.updated + summary.unchanged).toBe(FILES);
    expect(summary.failed).toEqual([]);

    engine = await openEngine({ dataDir });
    const docs = await engine.db.query<{
      id: number;
      status: string;
      chunk_count: number;
      source_path: string;
    }>('SELECT id, status, chunk_count, source_path FROM documents');
    expect(docs).toHaveLength(FILES);
    expect(new Set(docs.map((d) => d.source_path)).size).toBe(FILES);
    expect(docs.every((d) => d.status === 'indexed')).toBe(true);
    for (const d of docs) expect(engine.vectors.documentChunks(Number(d.id))).toHaveLength(d.chunk_count);
    expect(engine.vectors.countChunks()).toBe(docs.reduce((n, d) => n + d.chunk_count, 0));
    const jobs = await engine.db.query<{ status: string }>('SELECT status FROM import_jobs');
    expect(jobs).toEqual([{ status: 'done' }]);
    await engine.close();
  });
});

describe('resuming one interrupted job twice at once', () => {
  it('runs it once: the second caller finds it claimed and leaves it', async () => {
    const { engine, client } = await openTestEngine();
    const folder = tempDir();
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(folder, `n-${i}.md`), `# N ${i}\n\nKITAS ${i}.`);
    const first = await client.call('import.run', { collection: 'Notes', create: true, paths: [folder] });
    // As a crash leaves it: the job interrupted, its files to be looked at again.
    await engine.db.query("UPDATE import_jobs SET status = 'interrupted' WHERE id = $1", [first.jobId]);

    // The background index rebuild and a user's `import --resume`, racing for the same job.
    const [a, b] = await Promise.all([client.call('import.resume', {}), client.call('import.resume', {})]);
    expect(a.imports.length + b.imports.length).toBe(1);
    expect([...a.imports, ...b.imports][0]).toMatchObject({ jobId: first.jobId, status: 'done' });
    const jobs = await engine.db.query<{ status: string }>('SELECT status FROM import_jobs');
    expect(jobs).toEqual([{ status: 'done' }]);
  });
});
