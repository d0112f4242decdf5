import { loadMigrations } from '../core/stores/pg/migrations.ts';
import { buildTemplate, DEFAULT_TEMPLATE_DIR } from '../core/stores/pg/template.ts';
import { buildApp, buildElectron } from '../scripts/build-app.ts';

/**
 * Tests open many new data dirs: make sure the template cluster matches the current migrations.
 * Tests that spawn `pustaka` (test/support/cli.ts) run bin/pustaka.js, i.e. build/app/cli.js:
 * the app is built first (a second or two; an unchanged build rewrites nothing), so they test
 * exactly the JavaScript that ships. The Electron main and preload too: the packaged-app smoke test
 * packs them. Chunks of earlier builds stay a day (scripts/build-app.ts `retire`): a `pustaka serve`
 * or another test run started from them may still load them.
 */
export default async function setup(): Promise<void> {
  await Promise.all([buildApp(), buildElectron(), buildTemplate(DEFAULT_TEMPLATE_DIR, loadMigrations())]);
}
