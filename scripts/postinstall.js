// `npm ci` leaves a checkout that runs: it builds the app (build/app, build/electron: the CLI
// cannot start without them, so a failed build fails the install) and the PGlite template cluster
// (never fails the install: without it a new data folder runs initdb and builds it lazily).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = (...args) =>
  spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: 'inherit' });

// Not a source checkout (nothing to build from): nothing to do.
if (existsSync(new URL('./build.ts', import.meta.url))) {
  const app = tsx('scripts/build.ts', '--app');
  if (app.status !== 0) {
    console.error('pustaka: building the app failed (see above); `npm run build:app` retries it.');
    process.exit(app.status ?? 1);
  }
  const template = tsx('core/stores/pg/build-template.ts');
  if (template.status !== 0)
    console.warn('pustaka: template cluster not built; first start will run initdb instead.');
}
