import { importModel, removeModel, useModel } from '../../models/llm/models.ts';
import {
  modelsCatalog,
  modelsDownload,
  modelsHardware,
  modelsInspect,
  modelsList,
} from '../../models/llm/models-api.ts';
import type { Handlers } from '../handler.ts';

/** The chat and embedding models methods: thin adapters from validated params to the engine's modules. */
export const modelsHandlers = {
  'models.list': (_p, { engine }) => modelsList(engine),
  'models.inspect': (p, { engine }) => modelsInspect(engine, p.model),
  'models.import': (p, { engine, signal, emit }) =>
    importModel(
      engine,
      { path: p.path, mode: p.link ? 'link' : 'copy', ...(p.name ? { name: p.name } : {}) },
      { signal, emit },
    ),
  'models.download': (p, { engine, signal, emit }) =>
    modelsDownload(engine, p.name, { allowUnverified: p.allowUnverified, signal, emit }),
  'models.catalog': (_p, { engine }) => modelsCatalog(engine),
  'models.use': (p, { engine }) => useModel(engine, p.model, p.role),
  'models.remove': (p, { engine }) => removeModel(engine, p.model),
  'models.hardware': (_p, { engine }) => modelsHardware(engine),
} satisfies Partial<Handlers>;
