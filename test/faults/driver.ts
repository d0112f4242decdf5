// Child process for the fault tests: opens a data dir, performs one long operation and prints a
// line at every step, so the parent can SIGKILL it at a chosen point. Run with tsx:
//   driver.ts import  <dataDir> <folder>   finish interrupted jobs, then import the folder
//   driver.ts reembed <dataDir> <model>    finish interrupted jobs, then switch to the model
//   driver.ts backup  <dataDir> -          take a backup
//   driver.ts worker  <dataDir> -          run the nightly worker (every step) now
// It exits 0 after printing `done <json>`; anything else is on stderr.
import { createApiClient } from '../../core/contract/client.ts';
import { createDispatcher } from '../../core/api/dispatcher.ts';
import { createBackup } from '../../core/operations/backup/index.ts';
import { openEngine } from '../../core/startup/open-engine.ts';
import { runWorker } from '../../core/operations/nightly/run.ts';

const FAULT_COLLECTION = 'Faults';

const [op, dataDir, arg] = process.argv.slice(2);
if (!op || !dataDir || !arg) {
  process.stderr.write('usage: driver.ts import|reembed|backup|worker <dataDir> <folder|model|->\n');
  process.exit(2);
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const engine = await openEngine({ dataDir });
say('opened');
const dispatcher = createDispatcher(engine);
const client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
const onEvent = (e: { type: string }) => say(`event ${e.type}`);

const resumed = await client.call('import.resume', {}, { onEvent });
say('resumed');
let result: unknown;
if (op === 'import') {
  result = await client.call(
    'import.run',
    { collection: FAULT_COLLECTION, create: true, paths: [arg] },
    { onEvent },
  );
} else if (op === 'reembed') {
  result = await client.call(
    'collections.setEmbedder',
    { collection: FAULT_COLLECTION, model: arg },
    { onEvent },
  );
} else if (op === 'backup') {
  result = await createBackup(engine, { kind: 'manual' }, { onProgress: (e) => onEvent(e) });
} else if (op === 'worker') {
  result = await runWorker(engine, { trigger: 'manual', onEvent });
} else {
  throw new Error(`unknown operation ${op}`);
}
await engine.close();
say(`done ${JSON.stringify({ resumed, result })}`);
