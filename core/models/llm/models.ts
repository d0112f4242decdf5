/**
 * The model registry: GGUF files in `<data>/models/` (copied there, downloaded there, or linked
 * in place), recorded in the `models` table with their hash and header summary, and the chat /
 * embedding roles in `active_models`. A file in `<data>/models/` is stored by its name and
 * resolved against this data folder's `models/` (model-location.ts); a linked file elsewhere by
 * its absolute path.
 *
 * Every file is checked with validateGguf BEFORE anything else happens to it: a file that is not
 * GGUF, is truncated, or lacks metadata llama.cpp would abort on is refused with the reader's
 * specific message, and nothing is copied or recorded.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inspectGguf, isGgufError, validateGguf } from '../gguf/reader.ts';
import type { GgufInfo } from '../gguf/reader.ts';
import type { ModelInfo, ModelProgressEvent, ModelRole } from '../../contract/methods/models.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import type { Engine } from '../../engine/engine.ts';
import { recordAudit } from '../../stores/audit/audit.ts';
import { PustakaError } from '../../base/errors.ts';
import { sha256File } from '../../base/hash-file.ts';
import { modelFilePath, modelReference, referencesOf, whyModelFileKept } from './model-location.ts';

/** Where the registry lies: its table, and the data folder's `models/` its names resolve against. */
export interface ModelStore {
  db: Queryable;
  paths: { models: string };
}

export interface ModelOpOptions {
  signal?: AbortSignal;
  emit?: (event: ModelProgressEvent) => void;
}

interface ModelRow {
  id: number;
  name: string;
  kind: ModelRole;
  file_name: string;
  /** A name in `<data>/models/`, or the absolute path of a file elsewhere (model-location.ts). */
  path: string;
  linked: boolean;
  sha256: string;
  size_bytes: number | bigint;
  architecture: string | null;
  quantization: string | null;
  parameters: number | bigint | null;
  context_length: number | null;
  chat_template: boolean;
  source: 'imported' | 'downloaded';
  source_uri: string | null;
  created_at: Date;
  roles: ModelRole[] | null;
}

const SELECT = `
SELECT m.*, (SELECT array_agg(a.role ORDER BY a.role) FROM active_models a WHERE a.model_id = m.id) AS roles
FROM models m`;

/** Architectures that only embed (no causal language-model head). */
const ENCODER_ARCHITECTURES = new Set([
  'bert',
  'nomic-bert',
  'nomic-bert-moe',
  'jina-bert-v2',
  'modern-bert',
  't5encoder',
]);

export function embedderIdOf(sha256: string): string {
  return `gguf:${sha256.slice(0, 16)}`;
}

/** What a file is for, from its header: encoders and pooled models without a chat template embed. */
export function modelKind(info: GgufInfo): ModelRole {
  if (info.architecture && ENCODER_ARCHITECTURES.has(info.architecture)) return 'embedding';
  if (info.poolingType !== undefined && !info.hasChatTemplate) return 'embedding';
  return 'chat';
}

function toModel(row: ModelRow, modelsDir: string): ModelInfo {
  const file = modelFilePath(modelsDir, row.path);
  return {
    id: Number(row.id),
    name: row.name,
    kind: row.kind,
    fileName: row.file_name,
    path: file,
    linked: row.linked,
    sha256: row.sha256,
    embedderId: embedderIdOf(row.sha256),
    sizeBytes: Number(row.size_bytes),
    architecture: row.architecture,
    quantization: row.quantization,
    parameters: row.parameters === null ? null : Number(row.parameters),
    contextLength: row.context_length,
    chatTemplate: row.chat_template,
    source: row.source,
    sourceUri: row.source_uri,
    activeFor: row.roles ?? [],
    fileExists: fs.existsSync(file),
    createdAt: row.created_at.toISOString(),
  };
}

/** validateGguf with the failure turned into a clear, user-facing error. */
export async function validateModelFile(file: string): Promise<GgufInfo> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch {
    throw new PustakaError('not_found', `no file at ${file}`, { path: file });
  }
  if (!st.isFile()) throw new PustakaError('invalid_params', `${file} is not a file`, { path: file });
  try {
    return await validateGguf(file);
  } catch (err) {
    if (!isGgufError(err)) throw err;
    throw new PustakaError(
      'invalid_params',
      `${err.message}; it cannot be used as a model, and nothing was imported`,
      { path: file, reason: err.code },
      { cause: err },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Look-ups

export async function listModels(engine: Engine): Promise<ModelInfo[]> {
  const rows = await engine.db.query<ModelRow>(`${SELECT} ORDER BY m.kind, lower(m.name)`);
  return rows.map((r) => toModel(r, engine.paths.models));
}

/** A model by id, name, file name or SHA-256 prefix (8+ hex digits). */
export async function findModel(store: ModelStore, ref: number | string): Promise<ModelInfo | null> {
  const { db } = store;
  const toInfo = (row: ModelRow) => toModel(row, store.paths.models);
  if (typeof ref === 'number') {
    const rows = await db.query<ModelRow>(`${SELECT} WHERE m.id = $1`, [ref]);
    return rows[0] ? toInfo(rows[0]) : null;
  }
  const s = ref.trim();
  const byName = await db.query<ModelRow>(
    `${SELECT} WHERE lower(m.name) = lower($1) OR lower(m.file_name) = lower($1) OR lower(m.file_name) = lower($1 || '.gguf')`,
    [s],
  );
  if (byName[0]) return toInfo(byName[0]);
  if (/^\d+$/.test(s)) return findModel(store, Number(s));
  if (/^[0-9a-f]{8,64}$/i.test(s)) {
    const byHash = await db.query<ModelRow>(`${SELECT} WHERE m.sha256 LIKE $1 || '%'`, [s.toLowerCase()]);
    if (byHash.length > 1) {
      throw new PustakaError('invalid_params', `"${s}" matches ${byHash.length} models; give more digits`);
    }
    if (byHash[0]) return toInfo(byHash[0]);
  }
  return null;
}

export async function getModel(store: ModelStore, ref: number | string): Promise<ModelInfo> {
  const m = await findModel(store, ref);
  if (!m) {
    throw new PustakaError('not_found', `no model "${ref}" (see \`pustaka models list\`)`, { model: ref });
  }
  return m;
}

/** The model chosen for a role, or null. */
export async function activeModel(store: ModelStore, role: ModelRole): Promise<ModelInfo | null> {
  const rows = await store.db.query<ModelRow>(
    `${SELECT} JOIN active_models r ON r.model_id = m.id WHERE r.role = $1`,
    [role],
  );
  return rows[0] ? toModel(rows[0], store.paths.models) : null;
}

// ---------------------------------------------------------------------------------------------
// Import

/** Emits progress at most every 200 ms (and at the end). */
function progress(
  emit: ModelOpOptions['emit'],
  phase: ModelProgressEvent['phase'],
  bytesTotal: number,
): (bytesDone: number, force?: boolean) => void {
  const t0 = performance.now();
  let last = -Infinity;
  return (bytesDone, force = false) => {
    const now = performance.now();
    if (!emit || (!force && now - last < 200)) return;
    last = now;
    emit({ type: 'progress', phase, bytesDone, bytesTotal, elapsedMs: Math.round(now - t0) });
  };
}

/** Copies a file while hashing what was read; the copy is written under a temporary name first. */
async function copyHashed(src: string, dest: string, size: number, opts: ModelOpOptions): Promise<string> {
  const hash = crypto.createHash('sha256');
  const report = progress(opts.emit, 'copy', size);
  let done = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      done += chunk.length;
      report(done);
      cb(null, chunk);
    },
  });
  const tmp = `${dest}.importing-${process.pid}`;
  try {
    await pipeline(
      fs.createReadStream(src, { highWaterMark: 1 << 20 }),
      tap,
      fs.createWriteStream(tmp, { flags: 'wx' }),
      ...(opts.signal ? [{ signal: opts.signal }] : []),
    );
    const fh = await fs.promises.open(tmp, 'r+');
    await fh.sync();
    await fh.close();
    if ((await fs.promises.stat(tmp)).size !== size) throw new Error(`the copy of ${src} is incomplete`);
    await fs.promises.rename(tmp, dest);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  report(done, true);
  return hash.digest('hex');
}

async function hashWithProgress(file: string, size: number, opts: ModelOpOptions): Promise<string> {
  const report = progress(opts.emit, 'hash', size);
  report(0, true);
  const sha = await sha256File(file, size, opts.signal);
  report(size, true);
  return sha;
}

/** A file name in the models folder not yet taken: name.gguf, name-2.gguf … */
function freeFileName(dir: string, fileName: string): string {
  const ext = path.extname(fileName) || '.gguf';
  const stem = path.basename(fileName, path.extname(fileName));
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? `${stem}${ext}` : `${stem}-${i}${ext}`;
    if (!fs.existsSync(path.join(dir, candidate))) return candidate;
  }
}

async function freeName(db: Queryable, wanted: string): Promise<string> {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? wanted : `${wanted}-${i}`;
    const rows = await db.query('SELECT 1 FROM models WHERE lower(name) = lower($1)', [candidate]);
    if (!rows.length) return candidate;
  }
}

export interface ImportModelInput {
  path: string;
  /** 'copy' into the models folder (default), 'link' in place, or 'move' (a finished download). */
  mode?: 'copy' | 'link' | 'move';
  name?: string;
  /** File name in the models folder ('move' only); default the source's. */
  fileName?: string;
  source?: 'imported' | 'downloaded';
  sourceUri?: string | null;
  /** Already computed (a download verified it). */
  sha256?: string;
}

export interface ImportModelResult {
  model: ModelInfo;
  alreadyPresent: boolean;
  durationMs: number;
}

export async function importModel(
  engine: Engine,
  input: ImportModelInput,
  opts: ModelOpOptions = {},
): Promise<ImportModelResult> {
  const t0 = performance.now();
  const src = path.resolve(input.path);
  // First of all: is this a model llama.cpp can load without aborting?
  const info = await validateModelFile(src);
  opts.signal?.throwIfAborted();
  const mode = input.mode ?? 'copy';
  const dir = engine.paths.models;
  await fs.promises.mkdir(dir, { recursive: true });
  const size = info.fileSize;

  let dest = src;
  let sha: string;
  if (mode === 'copy') {
    const existing = await findBySize(engine.db, size);
    // A cheap pre-check: a same-size model may be this very file; hash before copying then.
    if (existing.length) {
      sha = await hashWithProgress(src, size, opts);
      const same = await findModel(engine, sha);
      if (same) return { model: same, alreadyPresent: true, durationMs: performance.now() - t0 };
    }
    dest = path.join(dir, freeFileName(dir, path.basename(src)));
    sha = await copyHashed(src, dest, size, opts);
  } else if (mode === 'move') {
    sha = input.sha256 ?? (await hashWithProgress(src, size, opts));
    const same = await findModel(engine, sha);
    if (same) {
      await fs.promises.rm(src, { force: true });
      return { model: same, alreadyPresent: true, durationMs: performance.now() - t0 };
    }
    dest = path.join(dir, freeFileName(dir, input.fileName ?? path.basename(src)));
    await fs.promises.rename(src, dest);
  } else {
    sha = await hashWithProgress(src, size, opts);
  }

  const same = await findModel(engine, sha);
  if (same) {
    if (mode === 'copy') await fs.promises.rm(dest, { force: true });
    return { model: same, alreadyPresent: true, durationMs: performance.now() - t0 };
  }
  const name = await freeName(
    engine.db,
    input.name ?? path.basename(dest, path.extname(dest)).replace(/\.part$/, ''),
  );
  try {
    const rows = await engine.db.query<{ id: number }>(
      `INSERT INTO models (name, kind, file_name, path, linked, sha256, size_bytes, architecture, quantization,
                           parameters, context_length, chat_template, source, source_uri)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
      [
        name,
        modelKind(info),
        path.basename(dest),
        modelReference(dir, dest),
        mode === 'link',
        sha,
        size,
        info.architecture ?? null,
        info.quantization ?? null,
        info.parameterCount,
        info.contextLength ?? null,
        info.hasChatTemplate,
        input.source ?? 'imported',
        input.sourceUri ?? null,
      ],
    );
    const model = await getModel(engine, Number(rows[0]!.id));
    await recordAudit(engine.db, {
      action: 'model.import',
      targetType: 'model',
      targetId: model.id,
      details: { name: model.name, sha256: sha, sizeBytes: size, mode, source: input.source ?? 'imported' },
    });
    return { model, alreadyPresent: false, durationMs: performance.now() - t0 };
  } catch (err) {
    if (mode === 'copy') await fs.promises.rm(dest, { force: true });
    throw err;
  }
}

async function findBySize(db: Queryable, size: number): Promise<{ id: number }[]> {
  return db.query<{ id: number }>('SELECT id FROM models WHERE size_bytes = $1', [size]);
}

// ---------------------------------------------------------------------------------------------
// Inspect, choose, remove

export interface InspectedFile {
  model: ModelInfo | null;
  info: GgufInfo;
}

/** A registered model (by ref) or, when `ref` is a path to a file, any GGUF file: header only. */
export async function inspectModel(engine: Engine, ref: number | string): Promise<InspectedFile> {
  const model = await findModel(engine, ref);
  const file = model?.path ?? (typeof ref === 'string' ? path.resolve(ref) : null);
  if (!file || (!model && !fs.existsSync(file))) {
    throw new PustakaError('not_found', `no model or file "${ref}" (see \`pustaka models list\`)`, {
      model: ref,
    });
  }
  if (!fs.existsSync(file)) {
    throw new PustakaError('not_found', `the file of model "${model!.name}" is gone: ${file}`, {
      path: file,
    });
  }
  // Found by the API fuzz: a folder reached inspectGguf and came back as an internal EISDIR.
  if (!fs.statSync(file).isFile()) {
    throw new PustakaError('invalid_params', `${file} is a folder, not a model file`, { path: file });
  }
  try {
    return { model, info: await inspectGguf(file) };
  } catch (err) {
    if (!isGgufError(err)) throw err;
    throw new PustakaError('invalid_params', err.message, { path: file, reason: err.code }, { cause: err });
  }
}

export async function useModel(engine: Engine, ref: number | string, role: ModelRole): Promise<ModelInfo> {
  const model = await getModel(engine, ref);
  if (!model.fileExists) {
    throw new PustakaError('not_found', `the file of model "${model.name}" is gone: ${model.path}`, {
      path: model.path,
    });
  }
  const info = await validateModelFile(model.path);
  if (role === 'chat' && modelKind(info) === 'embedding') {
    throw new PustakaError(
      'invalid_params',
      `"${model.name}" is an embedding model (${info.architecture ?? 'unknown architecture'}); it cannot chat`,
      { model: model.name },
    );
  }
  await engine.db.query(
    `INSERT INTO active_models (role, model_id) VALUES ($1, $2)
     ON CONFLICT (role) DO UPDATE SET model_id = EXCLUDED.model_id`,
    [role, model.id],
  );
  await recordAudit(engine.db, {
    action: 'model.use',
    targetType: 'model',
    targetId: model.id,
    details: { name: model.name, role },
  });
  await engine.events.emit('model-changed', { role });
  return getModel(engine, model.id);
}

export async function removeModel(
  engine: Engine,
  ref: number | string,
): Promise<{ model: ModelInfo; fileDeleted: boolean }> {
  const model = await getModel(engine, ref);
  const dir = engine.paths.models;
  // Collections refer to the file by its name in models/, or (older rows) by its absolute path.
  const users = await engine.db.query<{ name: string }>(
    `SELECT name FROM collections WHERE settings->>'embedderModel' = ANY($1::text[]) OR embedder_id = $2 ORDER BY lower(name)`,
    [referencesOf(dir, model.path), model.embedderId],
  );
  if (users.length) {
    const names = users.map((u) => `"${u.name}"`).join(', ');
    throw new PustakaError(
      'conflict',
      `"${model.name}" embeds the collection${users.length > 1 ? 's' : ''} ${names}; switch ${users.length > 1 ? 'them' : 'it'} to another embedder first (pustaka collections embedder NAME --builtin)`,
      { model: model.name, collections: users.map((u) => u.name) },
    );
  }
  await engine.db.query('DELETE FROM models WHERE id = $1', [model.id]);
  // A linked file is the user's; any other is deleted only when it is a regular file in this
  // data folder's models/ by its real path (not a link, not another folder's file).
  const kept = model.linked ? 'it is linked' : whyModelFileKept(dir, model.path);
  if (kept === null) await fs.promises.rm(model.path, { force: true });
  const fileDeleted = kept === null;
  await recordAudit(engine.db, {
    action: 'model.remove',
    targetType: 'model',
    targetId: model.id,
    details: { name: model.name, path: model.path, fileDeleted, ...(kept ? { fileKept: kept } : {}) },
  });
  // Whatever role it had, nothing may keep serving from it (golden questions are matched with it).
  for (const role of model.activeFor) await engine.events.emit('model-changed', { role });
  return { model: { ...model, activeFor: [] }, fileDeleted };
}
