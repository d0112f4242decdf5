// Builds the PGlite template cluster so a new data dir opens in ~1 s instead of a 3–4 s initdb.
// Never fails the install: without a template the engine falls back to initdb and builds it lazily.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const script = new URL('../core/stores/pg/build-template.ts', import.meta.url);
if (existsSync(script)) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', script.pathname], { stdio: 'inherit' });
  if (res.status !== 0)
    console.warn('pustaka: template cluster not built; first start will run initdb instead.');
}
