import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import {
  askHolder,
  channelNames,
  claimChannel,
  type ChannelClaim,
  type HolderChannel,
} from './holder-channel.ts';

function held(claim: ChannelClaim): HolderChannel {
  if (!('held' in claim)) throw new Error(`expected to hold the channel, got ${JSON.stringify(claim)}`);
  return claim.held;
}

function listening(name: string, answer = '{"pid":99}'): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => s.end(answer));
    server.once('error', reject);
    server.listen(name, () => resolve(server));
  });
}

const closed = (server: net.Server) => new Promise((r) => server.close(r));

const tmpdirBefore = process.env.TMPDIR;
afterEach(() => {
  if (tmpdirBefore === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpdirBefore;
});

/** A data folder whose path is too long for a socket file inside it. */
function longDataDir(): string {
  const dir = path.join(tempDir(), 'a-folder-with-a-long-name'.repeat(4));
  fs.mkdirSync(dir);
  return dir;
}

describe('holder channel', () => {
  it.runIf(process.platform === 'linux')(
    'is an abstract socket on Linux: nothing in the folder to delete',
    async () => {
      const dir = tempDir();
      const channel = held(await claimChannel(dir, '{"pid":1}'));
      expect(channel.name!.startsWith('\0')).toBe(true);
      expect(fs.readdirSync(dir)).toEqual([]);
      expect(await claimChannel(dir, '{}')).toEqual({ taken: true, holder: { pid: 1 } });
      channel.close();
      held(await claimChannel(dir, '{}')).close();
    },
  );

  it('one name for every path to the folder', async () => {
    const dir = tempDir();
    const link = path.join(tempDir(), 'alias');
    fs.symlinkSync(dir, link);
    const channel = held(await claimChannel(dir, '{"pid":2}'));
    expect(await claimChannel(link, '{}')).toEqual({ taken: true, holder: { pid: 2 } });
    channel.close();
  });

  it("another user's process gets another name, so it cannot take ours", () => {
    const dir = tempDir();
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      expect(channelNames(dir, platform, '1000')).not.toEqual(channelNames(dir, platform, '1001'));
    }
    if (process.getuid)
      expect(channelNames(dir)).toEqual(channelNames(dir, undefined, `${process.getuid()}`));
  });

  it('asks again when the holder exits between our failed listen and our question', async () => {
    const dir = tempDir();
    const [name] = channelNames(dir);
    const exiting = await listening(name!);
    const claim = await claimChannel(dir, '{}', {
      ask: async (asked) => {
        await closed(exiting); // the holder exits right after our listen met it
        return askHolder(asked);
      },
    });
    held(claim).close();
  });

  it('a socket that cannot be created leaves the folder protected by its lock file only, with a warning', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const refuse = (): Promise<null> =>
      Promise.reject(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }));
    for (const platform of ['linux', 'win32'] as const) {
      const channel = held(
        await claimChannel(dir, '{}', { platform, listen: refuse, warn: (m) => warnings.push(m) }),
      );
      expect(channel.name).toBeNull();
      expect(await channel.recheck()).toBe(true);
      channel.close();
    }
    expect(warnings).toEqual([
      expect.stringContaining(
        `for ${dir} (EACCES); the folder is protected by its lock file pustaka.lock only`,
      ),
      expect.stringContaining('lock file pustaka.lock only'),
    ]);
  });

  // macOS and other Unixes use a socket file; its logic runs here on Linux with that naming.
  describe.runIf(process.platform !== 'win32')('as a socket file (macOS)', () => {
    const darwin = { platform: 'darwin' } as const;

    it('refuses a contender, listens again when the file was deleted, and frees the name at close', async () => {
      const dir = tempDir();
      const channel = held(await claimChannel(dir, '{"pid":3}', darwin));
      expect(channel.name).toBe(path.join(fs.realpathSync(dir), 'pustaka.lock.sock'));
      expect(await claimChannel(dir, '{}', darwin)).toEqual({ taken: true, holder: { pid: 3 } });
      fs.rmSync(channel.name!);
      expect(await channel.recheck()).toBe(true);
      expect(fs.existsSync(channel.name!)).toBe(true);
      expect(await claimChannel(dir, '{}', darwin)).toEqual({ taken: true, holder: { pid: 3 } });
      channel.close();
      expect(fs.existsSync(channel.name!)).toBe(false);
    });

    it('takes over a socket file left by a process that was killed', async () => {
      const dir = tempDir();
      const sock = path.join(dir, 'pustaka.lock.sock');
      const child = spawn(
        process.execPath,
        ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise((r) => child.stdout!.once('data', r));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(fs.existsSync(sock)).toBe(true);
      held(await claimChannel(dir, '{}', darwin)).close();
    });

    it('closing never unlinks the socket another process put at its path', async () => {
      const dir = tempDir();
      const channel = held(await claimChannel(dir, '{"pid":4}', darwin));
      fs.rmSync(channel.name!);
      const other = await listening(channel.name!, '{"pid":5}');
      try {
        expect(await channel.recheck()).toBe(false);
        channel.close();
        expect(await askHolder(channel.name!)).toEqual({ answer: { pid: 5 } });
      } finally {
        await closed(other);
      }
    });

    it('a path too long for a socket file puts the socket in the temp folder', async () => {
      const [tmp, dir] = [tempDir(), longDataDir()];
      process.env.TMPDIR = tmp;
      const channel = held(await claimChannel(dir, '{"pid":6}', darwin));
      expect(path.dirname(channel.name!)).toBe(tmp);
      expect(await claimChannel(dir, '{}', darwin)).toEqual({ taken: true, holder: { pid: 6 } });
      channel.close();
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    it('something that is not a socket at its path is left alone: the temp folder, else the lock file only', async () => {
      const [tmp, dir] = [tempDir(), tempDir()];
      process.env.TMPDIR = tmp;
      fs.mkdirSync(path.join(dir, 'pustaka.lock.sock'));
      const channel = held(await claimChannel(dir, '{}', darwin));
      expect(path.dirname(channel.name!)).toBe(tmp);
      channel.close();

      fs.mkdirSync(channelNames(dir, 'darwin')[1]!);
      const warnings: string[] = [];
      const fallback = held(await claimChannel(dir, '{}', { ...darwin, warn: (m) => warnings.push(m) }));
      expect(fallback.name).toBeNull();
      expect(warnings).toEqual([expect.stringContaining('protected by its lock file pustaka.lock only')]);
      expect(fs.statSync(path.join(dir, 'pustaka.lock.sock')).isDirectory()).toBe(true);
    });

    // A folder that cannot hold a socket (exFAT, SMB, NFS); here one its user may not write to.
    it('a folder where the socket cannot be bound falls back to the temp folder, then to the lock file only', () => {
      const root = tempDir();
      fs.chmodSync(root, 0o755);
      const dir = path.join(root, 'data');
      const readOnlyTmp = path.join(root, 'tmp');
      fs.mkdirSync(dir, { mode: 0o555 });
      fs.mkdirSync(readOnlyTmp, { mode: 0o555 });

      expect(claimUnprivileged(dir)).toEqual({
        name: channelNames(dir, 'darwin', childUser)[1],
        warnings: [],
      });
      expect(claimUnprivileged(dir, readOnlyTmp)).toEqual({
        name: null,
        warnings: [
          expect.stringContaining('(EACCES); the folder is protected by its lock file pustaka.lock only'),
        ],
      });
    });
  });
});

/** Root may write anywhere: the child that must not write the folder runs as `nobody` then. */
const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const childUser = String(unprivileged.uid ?? process.getuid?.());

/** Claims the channel with macOS naming in a child that cannot write `dataDir` (nor `tmp`, if given). */
function claimUnprivileged(dataDir: string, tmp?: string): unknown {
  const script = `
    const { register } = await import('tsx/esm/api'); register();
    const { claimChannel } = await import(${JSON.stringify(new URL('./holder-channel.ts', import.meta.url).href)});
    ${tmp ? `process.env.TMPDIR = ${JSON.stringify(tmp)};` : ''}
    const warnings = [];
    const claim = await claimChannel(${JSON.stringify(dataDir)}, '{}', { platform: 'darwin', warn: (m) => warnings.push(m) });
    console.log(JSON.stringify({ name: claim.held.name, warnings }));
    claim.held.close();`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    ...unprivileged,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`claim failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown;
}
