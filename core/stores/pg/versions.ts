import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { appFile } from '../../base/app-files.ts';

/**
 * Version of an installed package, read from its package.json (some packages do not export it).
 * Only for packages the build leaves external (PGlite): they are resolved from the app's root,
 * in the source tree, the build and the packaged app alike.
 */
export function packageVersion(name: string): string {
  let dir = path.dirname(createRequire(appFile('package.json')).resolve(name));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
