/**
 * Where the app's own files are: the one module that derives paths from `import.meta.url`.
 *
 * This file sits two folders below the app root in every layout: `core/base/app-files.ts` in the
 * source tree (tests, development), one of `build/app/*.js` in the build (scripts/build.ts keeps
 * entries and chunks flat there), `…/resources/app.asar/build/app/*.js` in a packaged app.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The modules the app starts as a process or worker thread (and the CLI), by name, with their
 * sources relative to the root. The build bundles each one to `build/app/<name>.js`
 * (scripts/build-app.ts reads this table, so the two cannot drift apart).
 */
export const ENTRY_SOURCES = {
  cli: 'core/cli/main.ts',
  'engine-host': 'electron/engine-host/host-entry.ts',
  'file-task': 'core/knowledge/import/file-task.ts',
  'integrity-task': 'core/stores/vectors/integrity-task.js',
  'chat-host': 'core/models/llm/chat-host.ts',
  'llama-host': 'core/models/embed/llama-host.ts',
  'hardware-host': 'core/models/llm/hardware-host.ts',
} as const;

export type EntryName = keyof typeof ENTRY_SOURCES;

const HERE = import.meta.url;
const FROM_SOURCE = HERE.endsWith('.ts');
const ROOT = path.resolve(fileURLToPath(new URL('../../', HERE)));

/**
 * True when the TypeScript sources run (through tsx or Vitest): processes and workers started
 * from a `.ts` entry then need tsx's loader, a dev dependency the build never needs.
 */
export function runsFromSource(): boolean {
  return FROM_SOURCE;
}

/** The folder holding package.json, migrations/, models/ and build/ (`…/app.asar` when packaged). */
export function appRoot(): string {
  return ROOT;
}

/** A file of the app, by its path below the root. */
export function appFile(...segments: string[]): string {
  return path.join(ROOT, ...segments);
}

/** The file to start a worker thread or child process with: its source, or its built bundle. */
export function entryPoint(name: EntryName): string {
  return FROM_SOURCE ? appFile(ENTRY_SOURCES[name]) : appFile('build', 'app', `${name}.js`);
}
