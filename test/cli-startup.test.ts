// `pustaka --help`, `--version` and argument errors must not wait for the engine: the modules the
// bundled CLI loads before any command runs (its entry chunk and the chunks that one imports
// statically) hold commander, the command registrations and small formatters only. Everything
// heavy comes in by `import()` inside the action that needs it, as a separate chunk.
import os from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './support/cli.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENTRY = 'core/cli/main.ts';

/** What may load before a command runs: the CLI, base helpers and contract types (no zod schemas). */
const ALLOWED_FILES = /^core\/(cli|base|contract)\//;
/** npm packages allowed before a command runs (zod alone costs about as much as Node's start). */
const ALLOWED_PACKAGES = ['commander'];

/** Every top-level command `pustaka --help` lists. */
const COMMANDS = [
  'status',
  'collections',
  'import',
  'jobs',
  'documents',
  'search',
  'ask',
  'conversations',
  'clients',
  'projects',
  'sessions',
  'memory',
  'stats',
  'golden',
  'notes',
  'worker',
  'models',
  'lock',
  'audit',
  'backup',
  'serve',
];

/** The CLI bundled as the build bundles it (splitting: each `import()` becomes its own chunk). */
async function bundle(): Promise<Metafile> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    write: false,
    outdir: path.join(os.tmpdir(), 'pustaka-cli-startup'),
    logLevel: 'silent',
  });
  return result.metafile;
}

/** Output files loaded at start: the entry chunk and, transitively, its static imports. */
function staticOutputs(meta: Metafile): string[] {
  const entry = Object.keys(meta.outputs).find((o) => meta.outputs[o]!.entryPoint === ENTRY)!;
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const out = queue.pop()!;
    if (seen.has(out)) continue;
    seen.add(out);
    for (const i of meta.outputs[out]!.imports) {
      if (i.kind === 'import-statement' && !i.external) queue.push(i.path);
    }
  }
  return [...seen];
}

const packageOf = (spec: string) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;

const allowed = (i: { path: string; external?: boolean }) =>
  i.external
    ? i.path.startsWith('node:') || ALLOWED_PACKAGES.includes(packageOf(i.path))
    : ALLOWED_FILES.test(i.path);

describe('the CLI starts without the engine', () => {
  it('loads only commander, the command registrations and small helpers before a command runs', async () => {
    const meta = await bundle();
    const outputs = staticOutputs(meta);
    const loaded = [...new Set(outputs.flatMap((o) => Object.keys(meta.outputs[o]!.inputs)))];
    const packages = outputs.flatMap((o) =>
      meta.outputs[o]!.imports.filter((i) => i.kind === 'import-statement' && i.external),
    );
    // Where a light module statically imports something heavy: each one needs an `import()` instead.
    const crossings = loaded
      .filter((f) => ALLOWED_FILES.test(f))
      .flatMap((f) =>
        meta.inputs[f]!.imports.filter((i) => i.kind === 'import-statement' && !allowed(i)).map(
          (i) => `${f} → ${i.path}`,
        ),
      );

    expect(crossings).toEqual([]);
    expect(loaded.filter((f) => !ALLOWED_FILES.test(f))).toEqual([]);
    expect(packages.filter((i) => !allowed(i)).map((i) => i.path)).toEqual([]);
  });

  it('still lists every command in --help, and each has its own help', async () => {
    const help = await runCliCaptured(['--help']);
    expect(help.code).toBe(0);
    const listed = [...help.stdout.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]);
    for (const name of COMMANDS) expect(listed).toContain(name);
    for (const name of COMMANDS) {
      const own = await runCliCaptured([name, '--help']);
      expect(own.code, name).toBe(0);
      expect(own.stdout, name).toContain(`Usage: pustaka ${name}`);
    }
  });
});
