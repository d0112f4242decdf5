import type { Handlers } from '../handler.ts';
import { assistantHandlers } from './assistant.ts';
import { businessHandlers } from './business.ts';
import { knowledgeHandlers } from './knowledge.ts';
import { modelsHandlers } from './models.ts';
import { operationsHandlers } from './operations.ts';
import { workerHandlers } from './worker.ts';

/** Every API method's handler, one group per feature area; the type makes sure none is missing. */
export const handlers: Handlers = {
  ...knowledgeHandlers,
  ...assistantHandlers,
  ...businessHandlers,
  ...modelsHandlers,
  ...operationsHandlers,
  ...workerHandlers,
};
