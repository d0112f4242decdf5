// scripts/postinstall.js under `npm ci --omit=dev` (or `npm install --production`): tsx and esbuild
// are dev dependencies, so it cannot build. The script runs here from a checkout laid out in a
// temporary folder without node_modules, where neither can be resolved.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/build-app.ts';
import { tempDir } from './support/temp-dir.ts';

/** A source checkout without its dev dependencies: the script and a stand-in scripts/build.ts. */
function checkout(opts: { built: boolean }): string {
  const root = tempDir('pustaka-postinstall-');
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(ROOT, 'scripts', 'postinstall.js'), path.join(root, 'scripts', 'postinstall.js'));
  fs.writeFileSync(path.join(root, 'scripts', 'build.ts'), '');
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }');
  if (opts.built) {
    fs.mkdirSync(path.join(root, 'build', 'app'), { recursive: true });
    fs.writeFileSync(path.join(root, 'build', 'app', 'cli.js'), '');
  }
  // The premise: nothing above the folder provides the dev tools either.
  for (const tool of ['tsx', 'esbuild'])
    expect(() => createRequire(path.join(root, 'x.js')).resolve(tool), tool).toThrow();
  return root;
}

function postinstall(root: string): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const res = spawnSync(process.execPath, [path.join(root, 'scripts', 'postinstall.js')], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('postinstall without dev dependencies', () => {
  it('keeps an existing build and says so in one line', () => {
    const root = checkout({ built: true });
    const run = postinstall(root);
    expect(run.stderr).not.toMatch(/Cannot find package/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/dev dependencies .*not installed.*using the existing build in build\/app/);
    expect(fs.readdirSync(path.join(root, 'build', 'app'))).toEqual(['cli.js']);
  });

  it('fails with what to run when there is no build', () => {
    const root = checkout({ built: false });
    const run = postinstall(root);
    expect(run.code).not.toBe(0);
    expect(run.stderr).not.toMatch(/Cannot find package/);
    expect(run.stderr).toContain(
      'dev dependencies are needed to build Pustaka: run npm ci without --omit=dev',
    );
  });
});
