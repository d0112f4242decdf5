#!/usr/bin/env node
// The `pustaka` command runs the built CLI, build/app/cli.js (`npm run build:app`; `npm ci` builds
// it too). PUSTAKA_FROM_SOURCE=1 runs the TypeScript sources through tsx instead (development:
// no build step, a slower start).
import { existsSync } from 'node:fs';

if (process.env.PUSTAKA_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../core/cli/main.ts');
} else {
  const cli = new URL('../build/app/cli.js', import.meta.url);
  if (!existsSync(cli)) {
    process.stderr.write('pustaka: not built — run `npm run build:app`\n');
    process.exit(1);
  }
  // Stack traces name the TypeScript sources (build/app/*.js.map): readable bug reports.
  process.setSourceMapsEnabled(true);
  await import(cli.href);
}
