import { afterEach } from 'vitest';
import { createApiClient, type ApiClient } from '../../core/contract/client.ts';
import { createDispatcher, type Dispatcher } from '../../core/api/dispatcher.ts';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { tempDir } from './temp-dir.ts';

const open: Engine[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

export interface TestEngine {
  engine: Engine;
  dispatcher: Dispatcher;
  client: ApiClient;
  dataDir: string;
}

/** The typed API client over an engine's dispatcher, as the carriers build it. */
export function engineClient(engine: Engine): ApiClient {
  const dispatcher = createDispatcher(engine);
  return createApiClient((m, p, o) => dispatcher.call(m, p, o));
}

/** A real engine (PGlite + SQLite + sqlite-vec) on a fresh data dir, closed after the test. */
export async function openTestEngine(dataDir = tempDir()): Promise<TestEngine> {
  const engine = await openEngine({ dataDir });
  open.push(engine);
  const dispatcher = createDispatcher(engine);
  const client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
  return { engine, dispatcher, client, dataDir };
}
