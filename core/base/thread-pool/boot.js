// Worker-thread entry: loads the TypeScript task module named in workerData. Under plain Node the
// worker does not inherit the parent's tsx loader, so it registers one (a built app ships .js).
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
