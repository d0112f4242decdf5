import { pathToFileURL } from 'node:url';
import { entryPoint } from '../../base/app-files.ts';
import { createWorkerPool, type WorkerPool } from '../../base/thread-pool/pool.ts';
import { defineService } from '../../engine/services.ts';
import type { FileTaskInput, FileTaskOutput, FileTaskProgress } from './file-task-types.ts';

/** Worker threads that extract, chunk and embed files: started on first use, closed with the engine. */
export const ingestPoolService = defineService<WorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>>(
  'ingest-pool',
  () =>
    createWorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>({
      entry: pathToFileURL(entryPoint('file-task')),
      // A hostile file can make a parser balloon; cap each worker's heap.
      resourceLimits: { maxOldGenerationSizeMb: 1536 },
    }),
  (pool) => pool.close(),
);
