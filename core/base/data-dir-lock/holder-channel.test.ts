import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { claimChannel, type ChannelClaim, type HolderChannel } from './holder-channel.ts';

function held(claim: ChannelClaim): HolderChannel {
  if (!('held' in claim)) throw new Error(`expected to hold the channel, got ${JSON.stringify(claim)}`);
  return claim.held;
}

describe('holder channel', () => {
  it.runIf(process.platform === 'linux')(
    'is an abstract socket on Linux: nothing in the folder to delete',
    async () => {
      const dir = tempDir();
      const channel = held(await claimChannel(dir, '{"pid":1}'));
      expect(channel.name.startsWith('\0')).toBe(true);
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

  // macOS and other Unixes use a socket file; its logic runs here on Linux with that naming.
  describe.runIf(process.platform !== 'win32')('as a socket file (macOS)', () => {
    it('refuses a contender, listens again when the file was deleted, and frees the name at close', async () => {
      const dir = tempDir();
      const channel = held(await claimChannel(dir, '{"pid":3}', 'darwin'));
      expect(channel.name).toBe(path.join(dir, 'pustaka.lock.sock'));
      expect(await claimChannel(dir, '{}', 'darwin')).toEqual({ taken: true, holder: { pid: 3 } });
      fs.rmSync(channel.name);
      expect(await channel.recheck()).toBe(true);
      expect(fs.existsSync(channel.name)).toBe(true);
      expect(await claimChannel(dir, '{}', 'darwin')).toEqual({ taken: true, holder: { pid: 3 } });
      channel.close();
      expect(fs.existsSync(channel.name)).toBe(false);
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
      held(await claimChannel(dir, '{}', 'darwin')).close();
    });
  });
});
