// The real CLI while `pustaka serve` holds the data folder: its commands run in the serving engine
// (over the attach endpoint) and print what they print when the CLI opens the folder itself.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTACH_FILE, SOCKET_FILE, type AttachInfo } from '../core/api/attach-endpoint.ts';
import { BIN, NOBODY, RUNNING_AS_ROOT, type CliRun } from './support/cli.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

const POSIX = process.platform !== 'win32';

interface Serving {
  child: ChildProcess;
  info: { dataDir: string; attachSocket: string | null };
  exited: Promise<number | null>;
}

const serving: Serving[] = [];
afterEach(async () => {
  for (const s of serving.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
    await s.exited;
  }
});

/** `pustaka serve` on `dataDir`, started: `first` is its first line (the address, once it listens). */
function startServe(dataDir: string): Serving & { first: Promise<string> } {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'serve', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const first = new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve);
    child.once('close', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  const s = { child, info: { dataDir, attachSocket: null }, exited, first };
  serving.push(s);
  return s;
}

/** `pustaka serve` on `dataDir`, once it has printed its address (its endpoint listens by then). */
async function serve(dataDir: string): Promise<Serving> {
  const s = startServe(dataDir);
  s.info = JSON.parse(await s.first) as Serving['info'];
  return s;
}

/** The CLI in `cwd`; `onStderr` sees its stderr as it comes (to time a Ctrl-C). */
function pustaka(
  args: string[],
  opts: {
    cwd?: string;
    env?: Record<string, string>;
    onStderr?: (text: string, child: ChildProcess) => void;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function json<T>(args: string[], cwd?: string, env?: Record<string, string>): Promise<T> {
  const run = await pustaka([...args, '--json'], { cwd, ...(env ? { env } : {}) });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface Status {
  dataDir: string;
  engine: { pid: number };
  counts: Record<string, number>;
}
interface Summary {
  status: string;
  filesTotal: number;
  imported: number;
  chunks: number;
  bytes: number;
  collection: { name: string };
  failed: unknown[];
}
interface Search {
  items: unknown[];
}

const summaryOf = (s: Summary) => ({
  status: s.status,
  filesTotal: s.filesTotal,
  imported: s.imported,
  chunks: s.chunks,
  bytes: s.bytes,
  collection: s.collection.name,
  failed: s.failed,
});

describe('the CLI attaches to `pustaka serve`', () => {
  it('runs import, search and status in the serving engine, with the output of an in-process run', async () => {
    const work = tempDir();
    writeFile(work, 'docs/visa.md', VISA_GUIDE_MD);
    // The same commands on two folders: one nobody holds, one `pustaka serve` holds.
    const [alone, held] = [path.join(tempDir(), 'data'), path.join(tempDir(), 'data')];
    const { child } = await serve(held);
    const outputs = [];
    for (const dataDir of [alone, held]) {
      // A relative path means the CLI's folder, not the serving engine's.
      const imported = await json<Summary>(['--data-dir', dataDir, 'import', 'docs', '-c', 'Visa'], work);
      const found = await json<Search>(['--data-dir', dataDir, 'search', 'permanent stay permit'], work);
      const status = await json<Status>(['--data-dir', dataDir, 'status'], work);
      outputs.push({ imported, found, status });
    }
    const [inProcess, attached] = outputs as [(typeof outputs)[0], (typeof outputs)[0]];
    expect(attached.status.engine.pid).toBe(child.pid);
    expect(inProcess.status.engine.pid).not.toBe(child.pid);
    expect(fs.existsSync(path.join(alone, ATTACH_FILE))).toBe(false);
    expect(summaryOf(attached.imported)).toEqual(summaryOf(inProcess.imported));
    expect(attached.imported).toMatchObject({ status: 'done', imported: 1, failed: [] });
    expect(attached.found.items).toEqual(inProcess.found.items);
    expect(attached.found.items.length).toBeGreaterThan(0);
    expect(attached.status.counts).toEqual(inProcess.status.counts);
    expect(attached.status.dataDir).toBe(held);

    // The import's progress events come through: the line printed on its `scanned` event.
    writeFile(work, 'more/kitap.md', '# KITAP\n\nAfter five years on a KITAS.\n');
    const streamed = await pustaka(['--data-dir', held, 'import', 'more', '-c', 'Visa'], { cwd: work });
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stderr).toContain('Importing 1 files…');
  });

  it('Ctrl-C cancels the call in the serving engine (exit 130), which goes on serving', async () => {
    const work = tempDir();
    for (let i = 0; i < 1500; i++) writeFile(work, `many/${i}.md`, `# Note ${i}\n\n${VISA_GUIDE_MD}`);
    const dataDir = path.join(tempDir(), 'data');
    const { child } = await serve(dataDir);
    let sent = false;
    const run = await pustaka(['--data-dir', dataDir, 'import', 'many', '-c', 'Many'], {
      cwd: work,
      onStderr: (text, cli) => {
        if (!sent && text.includes('Importing 1500 files')) {
          sent = true;
          cli.kill('SIGINT');
        }
      },
    });
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('pustaka: import cancelled');
    const [job] = await json<{ status: string; filesDone: number }[]>(['--data-dir', dataDir, 'jobs']);
    expect(job).toMatchObject({ status: 'cancelled' });
    expect(job!.filesDone).toBeLessThan(1500);
    expect((await json<Status>(['--data-dir', dataDir, 'status'])).engine.pid).toBe(child.pid);
  });

  it('a holder killed outright: the CLI opens the folder itself, and the next serve cleans up', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = await serve(dataDir);
    first.child.kill('SIGKILL');
    await first.exited;
    const file = path.join(dataDir, ATTACH_FILE);
    const left = JSON.parse(fs.readFileSync(file, 'utf8')) as AttachInfo;
    expect(left.pid).toBe(first.child.pid);
    if (POSIX) expect(fs.lstatSync(path.join(dataDir, SOCKET_FILE)).isSocket()).toBe(true);

    const status = await json<Status>(['--data-dir', dataDir, 'status']);
    expect(status.engine.pid).not.toBe(first.child.pid);

    const second = await serve(dataDir);
    const now = JSON.parse(fs.readFileSync(file, 'utf8')) as AttachInfo;
    expect(now.pid).toBe(second.child.pid);
    expect(now.token).not.toBe(left.token);
    expect((await json<Status>(['--data-dir', dataDir, 'status'])).engine.pid).toBe(second.child.pid);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, SOCKET_FILE))).toBe(false);
  });

  it('a restore while serve runs is staged for its restart, and then applied', async () => {
    const work = tempDir();
    writeFile(work, 'docs/visa.md', VISA_GUIDE_MD);
    const dataDir = path.join(tempDir(), 'data');
    const first = await serve(dataDir);
    await json(['--data-dir', dataDir, 'import', 'docs', '-c', 'Visa'], work);
    const backup = await json<{ id: number }>(['--data-dir', dataDir, 'backup', 'create']);
    await json(['--data-dir', dataDir, 'collections', 'create', 'After the backup']);

    const run = await pustaka(['--data-dir', dataDir, 'backup', 'restore', String(backup.id), '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `The backup is staged, not yet in place: the running Pustaka (pid ${first.child.pid}) keeps the current data open.`,
    );
    // Still the serving engine's data until it restarts.
    const names = async () =>
      (await json<{ name: string }[]>(['--data-dir', dataDir, 'collections'])).map((c) => c.name).sort();
    expect(await names()).toEqual(['After the backup', 'Visa']);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await serve(dataDir);
    expect(await names()).toEqual(['Visa']);
  });

  it('a wrong token: a clear error (exit 1), and the serving engine is unaffected', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const { child } = await serve(dataDir);
    const file = path.join(dataDir, ATTACH_FILE);
    const original = fs.readFileSync(file, 'utf8');
    const info = JSON.parse(original) as AttachInfo;
    fs.writeFileSync(file, JSON.stringify({ ...info, token: 'stolen-or-stale' }));
    const run = await pustaka(['--data-dir', dataDir, 'status', '--json']);
    expect(run.code).toBe(1);
    // The engine's proof does not match the token in the file: the CLI sends nothing more.
    expect(run.stderr).toContain(
      `pustaka: the program listening on ${path.join(dataDir, SOCKET_FILE)} could not prove it is the Pustaka engine that wrote ${file} (pid ${child.pid}); nothing was sent to it`,
    );
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'data_dir_unusable' } });
    fs.writeFileSync(file, original);
    expect((await json<Status>(['--data-dir', dataDir, 'status'])).engine.pid).toBe(child.pid);
  });

  it.skipIf(!POSIX)(
    'refuses an attach file that is not the user\u2019s own and private (exit 1)',
    async () => {
      const dataDir = path.join(tempDir(), 'data');
      const { child } = await serve(dataDir);
      const file = path.join(dataDir, ATTACH_FILE);
      fs.chmodSync(file, 0o640);
      const readable = await pustaka(['--data-dir', dataDir, 'status']);
      expect(readable.code).toBe(1);
      expect(readable.stderr).toContain(`refusing to use the attach file ${file}: its permissions (640)`);
      fs.chmodSync(file, 0o600);
      if (RUNNING_AS_ROOT) {
        // Another user's file (the client checks before it connects: attach.test.ts counts that).
        fs.chownSync(file, NOBODY, NOBODY);
        const foreign = await pustaka(['--data-dir', dataDir, 'status']);
        expect(foreign.code).toBe(1);
        expect(foreign.stderr).toContain(`it belongs to user ${NOBODY}, not to you (user 0)`);
        fs.chownSync(file, 0, 0);
      }
      expect((await json<Status>(['--data-dir', dataDir, 'status'])).engine.pid).toBe(child.pid);
    },
  );

  it('a locked serve: a command runs with the passphrase file, and the app stays locked, Ctrl-C or not', async () => {
    const work = tempDir();
    for (let i = 0; i < 1500; i++) writeFile(work, `many/${i}.md`, `# Note ${i}\n\n${VISA_GUIDE_MD}`);
    const passFile = path.join(work, 'passphrase');
    fs.writeFileSync(passFile, 'Sambal-Matah 9 malam!\n', { mode: 0o600 });
    const dataDir = path.join(tempDir(), 'data');
    await serve(dataDir);
    const data = ['--data-dir', dataDir];
    await json([...data, 'lock', 'enable', '--passphrase-file', passFile]);
    await json([...data, 'lock', 'lock']);
    const locked = async () => (await json<{ locked: boolean }>([...data, 'lock', 'status'])).locked;
    const env = { PUSTAKA_PASSPHRASE_FILE: passFile };

    expect(await json([...data, 'collections'], undefined, env)).toEqual([]);
    expect(await locked()).toBe(true);

    let sent = false;
    const run = await pustaka([...data, 'import', 'many', '-c', 'Many'], {
      cwd: work,
      env,
      onStderr: (text, cli) => {
        if (!sent && text.includes('Importing 1500 files')) {
          sent = true;
          cli.kill('SIGINT');
        }
      },
    });
    expect(run.code, run.stderr).toBe(130);
    expect(await locked()).toBe(true);
    // Without the passphrase, nothing but the lock's own commands.
    const refused = await pustaka([...data, 'collections', '--json']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Pustaka is locked');
  });

  it('a command run while serve is still starting waits for it, then runs in its engine', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const starting = startServe(dataDir);
    // The moment serve holds the folder (its lock names it), long before its engine is open.
    const lock = path.join(dataDir, 'pustaka.lock');
    const holds = () => {
      try {
        return (JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number }).pid === starting.child.pid;
      } catch {
        return false;
      }
    };
    while (!holds()) await new Promise((r) => setTimeout(r, 10));
    const run = await pustaka(['--data-dir', dataDir, 'status', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Status).engine.pid).toBe(starting.child.pid);
    await starting.first;
  });
});
