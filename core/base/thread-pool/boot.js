// Worker-thread entry for a TypeScript task module (the source tree only: pool.ts starts a built
// `.js` task directly). Under plain Node the worker does not inherit the parent's tsx loader, so
// it registers one; tsx is a dev dependency and the build never reaches this file.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
