import { spawn, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../core/cli/program.ts';

export const BIN = fileURLToPath(new URL('../../bin/pustaka.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Root may write anywhere: tests about permissions run their child as `nobody`, whom they stop. */
export const RUNNING_AS_ROOT = process.getuid?.() === 0;
export const NOBODY = 65534;
export const UNPRIVILEGED: { uid?: number; gid?: number } = RUNNING_AS_ROOT
  ? { uid: NOBODY, gid: NOBODY }
  : {};

/** Runs `node <argv>` and collects what it prints and its exit code. */
export function runNode(argv: string[], options: SpawnOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the real `pustaka` binary in a child process, as a user would (`as`: another user's ids). */
export function runPustaka(
  args: string[],
  env: Record<string, string> = {},
  as: { uid?: number; gid?: number } = {},
): Promise<CliRun> {
  return runNode([BIN, ...args], { env: { ...process.env, ...env }, ...as });
}

/** Runs the CLI in this process (faster than a child), capturing what it prints. */
export async function runCliCaptured(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}
