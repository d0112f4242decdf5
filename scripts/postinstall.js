// `npm ci` leaves a checkout that runs: it builds the app (build/app, build/electron: the CLI
// cannot start without them, so a failed build fails the install) and the PGlite template cluster
// (never fails the install: without it a new data folder runs initdb and builds it lazily).
// Building takes tsx and esbuild, dev dependencies: under `npm ci --omit=dev` (or
// `npm install --production`) an existing build is kept as it is, and without one the install
// fails saying what to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = (...args) =>
  spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: 'inherit' });

/** The build tools that cannot be found from the checkout (dev dependencies omitted). */
function missingBuildTools() {
  return ['tsx', 'esbuild'].filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

function build() {
  const missing = missingBuildTools();
  if (missing.length > 0) {
    if (existsSync(new URL('../build/app/cli.js', import.meta.url))) {
      console.log(
        `pustaka: dev dependencies (${missing.join(', ')}) not installed: using the existing build in build/app, not rebuilt.`,
      );
      if (!existsSync(new URL('../build/pg-template', import.meta.url)))
        console.warn('pustaka: template cluster not built; first start will run initdb instead.');
      return;
    }
    console.error(
      `pustaka: dev dependencies are needed to build Pustaka: run npm ci without --omit=dev (${missing.join(', ')} not installed).`,
    );
    process.exit(1);
  }
  const app = tsx('scripts/build.ts', '--app');
  if (app.status !== 0) {
    console.error('pustaka: building the app failed (see above); `npm run build:app` retries it.');
    process.exit(app.status ?? 1);
  }
  const template = tsx('core/stores/pg/build-template.ts');
  if (template.status !== 0)
    console.warn('pustaka: template cluster not built; first start will run initdb instead.');
}

// Not a source checkout (nothing to build from): nothing to do.
if (existsSync(new URL('./build.ts', import.meta.url))) build();
