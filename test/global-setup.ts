import { loadMigrations } from '../core/stores/pg/migrations.ts';
import { buildTemplate, DEFAULT_TEMPLATE_DIR } from '../core/stores/pg/template.ts';

/** Tests open many new data dirs: make sure the template cluster matches the current migrations. */
export default async function setup(): Promise<void> {
  await buildTemplate(DEFAULT_TEMPLATE_DIR, loadMigrations());
}
