// tsx's loader, for the processes the source tree starts from `.ts` entries (tests, development).
// Source tree only: the build puts a stub in this module's place (scripts/build-app.ts), so what
// ships never names tsx, a dev dependency.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { appFile } from './app-files.ts';

/** The `--import` argument that lets a child process run TypeScript. */
export function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(appFile('package.json')).resolve('tsx')).href;
}
