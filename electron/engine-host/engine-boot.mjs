// utilityProcess entry: the engine is TypeScript run through tsx, as under the CLI
// (bin/pustaka.js), so every path core/ derives from import.meta.url (model hosts, workers,
// catalog) stays valid; a single-file bundle would break them (see README).
import { register } from 'tsx/esm/api';

register();
const { startEngineHost } = await import('./engine-host.ts');
startEngineHost();
