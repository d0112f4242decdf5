// `npm run template` (and postinstall): builds the template cluster new data dirs are copied from.
import { loadMigrations } from './migrations.ts';
import { buildTemplate, DEFAULT_TEMPLATE_DIR } from './template.ts';

const started = performance.now();
const info = await buildTemplate(process.argv[2] ?? DEFAULT_TEMPLATE_DIR, loadMigrations());
console.log(
  `pustaka: template cluster ready (schema ${info.schemaVersion}, PGlite ${info.pglite}) in ${Math.round(performance.now() - started)} ms`,
);
