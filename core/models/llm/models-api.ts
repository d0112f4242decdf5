/** The models.* API methods' results, shaped as their contracts say (core/contract/methods/models.ts). */
import type { ResultOf } from '../../contract/contract.ts';
import type { Contracts } from '../../contract/methods/index.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { findCatalogEntry, loadCatalog } from './catalog.ts';
import { downloadModel, type DownloadModelOptions } from './download.ts';
import { detectHardware, planModelLoad } from './hardware.ts';
import { activeModel, inspectModel, listModels, modelKind } from './models.ts';

type Result<M extends keyof Contracts> = ResultOf<Contracts[M]>;

export async function modelsList(engine: Engine): Promise<Result<'models.list'>> {
  const [models, chat, embedding] = await Promise.all([
    listModels(engine),
    activeModel(engine, 'chat'),
    activeModel(engine, 'embedding'),
  ]);
  return {
    models,
    active: { chat: chat?.name ?? null, embedding: embedding?.name ?? null },
    modelsDir: engine.paths.models,
  };
}

export async function modelsInspect(engine: Engine, ref: number | string): Promise<Result<'models.inspect'>> {
  const { model, info } = await inspectModel(engine, ref);
  return {
    model,
    file: {
      path: info.path,
      sizeBytes: info.fileSize,
      ggufVersion: info.version,
      architecture: info.architecture ?? null,
      name: info.name ?? null,
      parameters: info.parameterCount,
      quantization: info.quantization ?? null,
      contextLength: info.contextLength ?? null,
      embeddingLength: info.embeddingLength ?? null,
      layers: info.layers ?? null,
      heads: info.heads ?? null,
      headsKv: info.headsKv ?? null,
      vocabSize: info.vocabSize ?? null,
      tokenizer: info.tokenizerModel ?? null,
      chatTemplate: info.chatTemplate ?? null,
      kind: modelKind(info),
      tensors: info.tensors.length,
      issues: info.issues.map((i) => ({ severity: i.severity, message: i.message })),
    },
  };
}

export async function modelsCatalog(engine: Engine): Promise<Result<'models.catalog'>> {
  const installed = new Set<string>();
  for (const m of await listModels(engine)) {
    installed.add(m.sha256);
    if (m.sourceUri) installed.add(m.sourceUri);
  }
  return loadCatalog().map((e) => ({
    name: e.name,
    role: e.role,
    title: e.title,
    fileName: e.fileName,
    sizeBytes: e.sizeBytes ?? e.approxBytes,
    quantization: e.quantization,
    licence: e.licence,
    uri: e.uri,
    sha256: e.sha256,
    verified: e.verified,
    installed: (e.sha256 !== null && installed.has(e.sha256)) || installed.has(e.uri),
  }));
}

export async function modelsDownload(
  engine: Engine,
  name: string,
  opts: DownloadModelOptions,
): Promise<Result<'models.download'>> {
  const entry = findCatalogEntry(name);
  if (!entry) {
    throw new PustakaError(
      'not_found',
      `no model "${name}" in the catalog; choose one of: ${loadCatalog()
        .map((e) => e.name)
        .join(', ')}`,
      { name },
    );
  }
  return downloadModel(engine, entry, opts);
}

export async function modelsHardware(engine: Engine): Promise<Result<'models.hardware'>> {
  const [hardware, models] = await Promise.all([detectHardware(), listModels(engine)]);
  const plans = [];
  for (const m of models) {
    if (!m.fileExists) continue;
    let shape;
    try {
      const { info } = await inspectModel(engine, m.id);
      shape = {
        fileSize: info.fileSize,
        layers: info.layers,
        contextLength: info.contextLength,
        embeddingLength: info.embeddingLength,
        heads: info.heads,
        headsKv: info.headsKv,
      };
    } catch {
      continue;
    }
    plans.push({ model: m.name, ...planModelLoad(shape, hardware) });
  }
  return { hardware, plans };
}
