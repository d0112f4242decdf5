import { loadMigrations } from '../core/db/migrations.ts';
import { buildTemplate, DEFAULT_TEMPLATE_DIR } from '../core/db/template.ts';

/** Tests open many new data dirs: make sure the template cluster matches the current migrations. */
export default async function setup(): Promise<void> {
  await buildTemplate(DEFAULT_TEMPLATE_DIR, loadMigrations());
}
