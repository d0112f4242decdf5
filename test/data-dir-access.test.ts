import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOBODY, RUNNING_AS_ROOT, UNPRIVILEGED, runPustaka, type CliRun } from './support/cli.ts';
import { openTestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

/** The CLI as a user whom permissions stop (`nobody` when the suite runs as root). */
const runAsUser = (args: string[], home: string): Promise<CliRun> =>
  runPustaka(args, { HOME: home }, UNPRIVILEGED);

/** A folder the child may enter and write in (mkdtemp makes it 0700 root's). */
function openFolder(): string {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  return dir;
}

function expectPermissionError(run: CliRun, folder: RegExp): void {
  expect(run.code).toBe(1);
  const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
  expect(error.code).toBe('data_dir_unusable');
  expect(error.message).toMatch(folder);
  expect(error.message).toMatch(/permission denied\. Give your user write access .* --data-dir/);
  expect(error.message).not.toMatch(/EACCES|\.tmp/);
}

describe.skipIf(process.platform === 'win32')('a data folder Pustaka may not write to', () => {
  it('names the folder and the fix when the folder is read-only', async () => {
    const home = openFolder();
    const data = path.join(home, 'data');
    fs.mkdirSync(data, { mode: 0o555 });
    fs.chmodSync(data, 0o555);
    const run = await runAsUser(['--data-dir', data, 'collections', '--json'], home);
    expectPermissionError(run, new RegExp(`cannot write to its data folder ${data}: permission denied`));
  });

  it('names the parent when the data folder cannot be created there', async () => {
    const home = openFolder();
    const parent = path.join(home, 'locked');
    fs.mkdirSync(parent);
    fs.chmodSync(parent, 0o555);
    const data = path.join(parent, 'data');
    const run = await runAsUser(['--data-dir', data, 'collections', '--json'], home);
    expectPermissionError(
      run,
      new RegExp(`cannot create its data folder ${data}: .* write access to ${parent} `),
    );
  });

  it.runIf(RUNNING_AS_ROOT)(
    'says "permission denied", not "damaged", when the stores belong to another user',
    async () => {
      const home = openFolder();
      const data = path.join(home, 'data');
      const { engine } = await openTestEngine(data);
      await engine.close();
      // The folder is the child's, the stores in it root's (copied over as root, say).
      fs.chownSync(data, NOBODY, NOBODY);
      fs.chmodSync(data, 0o700);
      const run = await runAsUser(['--data-dir', data, 'collections', '--json'], home);
      expectPermissionError(
        run,
        new RegExp(`cannot write to its data folder ${data} \\((collections\\.db|pg)`),
      );

      // Only collections.db: SQLite would open it read-only without a word and fail at the first import.
      for (const name of fs.readdirSync(data)) {
        if (!name.startsWith('collections.db')) chownTree(path.join(data, name), NOBODY);
      }
      const late = await runAsUser(['--data-dir', data, 'collections', '--json'], home);
      expectPermissionError(
        late,
        new RegExp(`cannot write to its data folder ${data} \\(collections\\.db\\)`),
      );
    },
  );
});

function chownTree(p: string, uid: number): void {
  fs.lchownSync(p, uid, uid);
  if (fs.lstatSync(p).isDirectory()) for (const name of fs.readdirSync(p)) chownTree(path.join(p, name), uid);
}
