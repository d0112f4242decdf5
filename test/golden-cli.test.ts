import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './support/cli.ts';
import { tempDir } from './support/temp-dir.ts';

const cli = runCliCaptured;

describe('pustaka golden / worker / notes', () => {
  it('runs the worker, reviews its drafts and serves the approved answer', async () => {
    const docs = tempDir();
    fs.writeFileSync(
      path.join(docs, 'guide.md'),
      '# Guide\n\n## Fees\nThe KITAS fee for one year is Rp 5.000.000.\n\n## Etiquette\nGreet officials politely as Bapak or Ibu; respect local customs.\n',
    );
    const d = ['--data-dir', path.join(tempDir(), 'data')];
    expect((await cli([...d, 'import', docs, '-c', 'Visa'])).code).toBe(0);
    expect((await cli([...d, 'golden'])).stdout).toMatch(
      /Nothing here yet: golden answers are drafted by `pustaka worker run`/,
    );
    for (let i = 0; i < 2; i++) expect((await cli([...d, 'ask', 'What is the KITAS fee?'])).code).toBe(0);

    const run = await cli([...d, '--json', 'worker', 'run', '--no-backup']);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as {
      status: string;
      goldenGenerated: number;
      culturalGenerated: number;
    };
    expect(r).toMatchObject({ status: 'done', goldenGenerated: 1, culturalGenerated: 1 });

    const queue = JSON.parse(
      (await cli([...d, '--json', 'golden', 'list', '--status', 'review'])).stdout,
    ) as {
      items: { id: number }[];
    };
    expect(queue.items).toHaveLength(1);
    const id = String(queue.items[0]!.id);
    expect((await cli([...d, 'golden', 'show', id])).stdout).toMatch(
      /draft \(extractive[\s\S]*Rp 5\.000\.000/,
    );
    expect(
      (await cli([...d, 'golden', 'edit', id, '--answer', 'Rp 5.000.000 a year.', '--approve'])).stdout,
    ).toBe(`Saved golden answer ${id} (approved).\n`);
    const asked = await cli([...d, 'ask', 'what is the kitas fee']);
    expect(asked.stdout).toContain('Rp 5.000.000 a year.');
    expect(asked.stderr).toMatch(new RegExp(`\\ngolden #${id} \\(exact: "What is the KITAS fee\\?"\\) · `));

    const notes = await cli([...d, 'notes', 'list']);
    expect(notes.stdout).toMatch(/draft\s+extractive\s+Etiquette/);
    const history = await cli([...d, 'worker', 'history']);
    expect(history.stdout).toMatch(/manual\s+done/);
    expect((await cli([...d, 'golden', 'approve', '999'])).stderr).toMatch(/no golden answer with id 999/);
  }, 240_000); // ten CLI runs, each opening the data dir
});
