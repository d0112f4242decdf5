/**
 * Embeddings from a GGUF model, computed in a child process (core/models/embed/llama-host.ts) so that a
 * llama.cpp abort (exit 134 on some malformed files) or any native crash never takes the engine
 * and its databases down (DESIGN.md, "model isolation").
 *
 * - The file is checked with validateGguf before llama.cpp ever sees it (in this process, before
 *   forking): not GGUF, truncated, or missing metadata llama.cpp would abort on → GgufError.
 * - id = 'gguf:' + the first 16 hex digits of the file's SHA-256 (streamed, cached per
 *   path + size + mtime); dim = the model's embedding length.
 * - Threads = os.availableParallelism() (node-llama-cpp's default of 4 on a 2-core machine is
 *   ~35× slower), spread over `contexts` parallel embedding contexts (2 by default).
 * - countTokens is synchronous (the chunker calls it per piece), so it is the fast text
 *   approximation of core/base/tokens.ts scaled by a ratio measured once against the model's
 *   tokenizer at start-up (a mixed English/Indonesian/number sample). embed() truncates by real
 *   tokens in the host, so an undercount costs only the tail of a text, and reports it
 *   (stats.truncated, onWarning). countTokensExact() asks the model's tokenizer (batched RPC).
 * - Outputs are L2-normalised Float32Arrays, in input order.
 * - abort: embed(texts, signal) rejects with signal.reason at once; the host stops after the text
 *   it is evaluating.
 * - Crashes: if the process dies, pending calls reject with "the embedding model process crashed
 *   (signal SIGABRT) while embedding; the model file may be damaged", and the next call starts a
 *   new process. A process that crashes again before any call succeeds is not restarted again.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { validateGguf } from '../gguf/reader.ts';
import type { GgufInfo } from '../gguf/reader.ts';
import { sha256File } from '../../base/hash-file.ts';
import { countTokens as approximateTokens } from '../../base/tokens.ts';
import { ChildHost, childHostStarts } from '../llm/child-host.ts';
import type { HostInit, HostReady, HostRequest, HostResponse } from './llama-protocol.ts';
import type { Embedder } from './types.ts';
import { entryPoint } from '../../base/app-files.ts';

export interface LlamaEmbedderOptions {
  modelPath: string;
  /** Threads for llama.cpp in total; default os.availableParallelism(). */
  threads?: number;
  /** Embedding contexts working in parallel (threads are split between them); default min(2, threads). */
  contexts?: number;
  /** Tokens per context (longer texts are truncated); default min(the model's training context, 2048). */
  contextSize?: number;
  /** Default 'auto' (Metal/CUDA/Vulkan when present, else CPU). */
  gpu?: 'auto' | false;
  /** Texts per embed() call the importer should send; default 16. */
  batchSize?: number;
  /** Called when texts were truncated to fit the context (and other non-fatal news). */
  onWarning?: (message: string) => void;
  /** How long the model may take to load; default 5 minutes. */
  loadTimeoutMs?: number;
  /** Tests only: skip validateGguf (to watch llama.cpp crash on a bad file). */
  skipValidation?: boolean;
}

export interface LlamaEmbedderInfo {
  modelPath: string;
  /** The validated header (undefined only with skipValidation). */
  gguf: GgufInfo | undefined;
  contextSize: number;
  maxTokens: number;
  contexts: number;
  threadsPerContext: number;
  gpu: string | false;
  /** Model load time in the child (ms), the last time it started. */
  loadMs: number;
  /** Model tokens per approximate token (see countTokens). */
  tokenRatio: number;
}

export interface LlamaEmbedder extends Embedder {
  readonly info: LlamaEmbedderInfo;
  /** Texts truncated so far, process restarts so far. */
  readonly stats: { truncated: number; restarts: number };
  /** The model process's pid (undefined while none runs). */
  readonly pid: number | undefined;
  /** Token counts from the model's own tokenizer. */
  countTokensExact(texts: string[], signal?: AbortSignal): Promise<number[]>;
}

export class EmbedModelCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbedModelCrashError';
  }
}

/** Counts model processes started (tests check that a bad file never gets that far). */
export function llamaHostStarts(): number {
  return childHostStarts();
}

const HOST_ENTRY = entryPoint('llama-host');

const CALIBRATION = [
  'The sponsor company applies for the work permit (KITAS) before the foreign worker arrives; ' +
    'the immigration office needs a passport valid for 18 months, a photo, and form B-211A.',
  'Perusahaan wajib melaporkan SPT Tahunan PPh Badan paling lambat 30 April 2025; denda ' +
    'keterlambatan Rp 1.000.000 per laporan, ditambah bunga 2,2% per bulan.',
  'Q: How long does a visa-on-arrival extension take? A: 3–5 working days, USD 35 (≈ IDR 550,000).',
];

// ---------------------------------------------------------------------------------------------
// File identity

const hashCache = new Map<string, string>();

/** SHA-256 of a model file, computed once per path + size + mtime. */
export async function modelFileHash(file: string): Promise<string> {
  const abs = path.resolve(file);
  const st = await fs.stat(abs);
  const key = `${abs}\0${st.size}\0${st.mtimeMs}`;
  let hash = hashCache.get(key);
  if (!hash) {
    hash = await sha256File(abs);
    hashCache.set(key, hash);
  }
  return hash;
}

// ---------------------------------------------------------------------------------------------
// The child process (supervised by core/models/llm/child-host.ts)

type Host = ChildHost<HostRequest, HostResponse>;

// ---------------------------------------------------------------------------------------------

/** The supervised model process of one embedder and what survives its restarts. */
interface EmbedderState {
  init: HostInit;
  loadTimeoutMs: number;
  /** The running process, if any (cleared when it exits). */
  host: Host | undefined;
  /** Restarts since the last successful call. */
  failedStarts: number;
  closed: boolean;
  stats: { truncated: number; restarts: number };
  /** Set once the first process is ready. */
  info: LlamaEmbedderInfo | undefined;
}

/** The init message for the model process. */
function hostInit(opts: LlamaEmbedderOptions, modelPath: string): HostInit {
  const threads = Math.max(1, opts.threads ?? os.availableParallelism());
  return {
    type: 'init' as const,
    modelPath,
    threads,
    contexts: Math.max(1, Math.min(opts.contexts ?? 2, threads)),
    contextSize: opts.contextSize,
    gpu: opts.gpu ?? ('auto' as const),
    calibration: CALIBRATION,
  };
}

/** Starts a model process and makes it the current one. */
function startHost(s: EmbedderState): Host {
  const h: Host = new ChildHost<HostRequest, HostResponse>({
    entry: HOST_ENTRY,
    init: s.init,
    label: 'the embedding model',
    loadTimeoutMs: s.loadTimeoutMs,
    crashError: (m) => new EmbedModelCrashError(m),
    onExit: (gone) => {
      if (s.host === gone) s.host = undefined;
    },
  });
  s.host = h;
  return h;
}

/** Model tokens per approximate token, measured on the calibration texts (with a 5% margin). */
function tokenRatioOf(ready: HostReady): number {
  const approxSample = CALIBRATION.reduce((n, t) => n + approximateTokens(t), 0);
  const realSample = ready.calibrationTokens.reduce((n, t) => n + t, 0);
  // A 5% margin: the chunker should rather cut a little early than have the host truncate.
  return Math.max(0.25, Math.min(8, (realSample / Math.max(1, approxSample)) * 1.05));
}

/** The embedder's info, from the loaded model's ready message. */
function embedderInfo(modelPath: string, gguf: GgufInfo | undefined, ready: HostReady): LlamaEmbedderInfo {
  return {
    modelPath,
    gguf,
    contextSize: ready.contextSize,
    maxTokens: ready.maxTokens,
    contexts: ready.contexts,
    threadsPerContext: ready.threadsPerContext,
    gpu: ready.gpu,
    loadMs: ready.loadMs,
    tokenRatio: tokenRatioOf(ready),
  };
}

/** The running process, starting a new one after a crash (not again after a second crash in a row). */
async function runningHost(s: EmbedderState): Promise<Host> {
  if (s.closed) throw new Error('the embedding model was closed');
  if (s.host && !s.host.exited) {
    await s.host.ready;
    return s.host;
  }
  if (s.failedStarts >= 1) {
    throw new EmbedModelCrashError(
      'the embedding model process crashed again after a restart; not restarting it (the model file may be damaged)',
    );
  }
  s.failedStarts++;
  s.stats.restarts++;
  const h = startHost(s);
  const r = await h.ready;
  s.info!.loadMs = r.loadMs;
  return h;
}

/** Sends one request to the model process and returns its reply (an error reply throws). */
async function callHost<T extends HostResponse['type']>(
  s: EmbedderState,
  type: 'embed' | 'count',
  texts: string[],
  what: string,
  signal?: AbortSignal,
): Promise<Extract<HostResponse, { type: T }>> {
  signal?.throwIfAborted();
  const h = await runningHost(s);
  signal?.throwIfAborted();
  const res = await h.request({ type, id: h.newId(), texts }, what, { signal });
  if (res.type === 'error') throw new Error(`the embedding model failed: ${res.message}`);
  s.failedStarts = 0;
  return res as Extract<HostResponse, { type: T }>;
}

/** Embeds texts, counting and reporting any that were truncated. */
async function embedTexts(
  s: EmbedderState,
  texts: string[],
  onWarning: ((message: string) => void) | undefined,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  const res = await callHost<'embedded'>(s, 'embed', texts, 'embedding', signal);
  if (res.truncated > 0) {
    s.stats.truncated += res.truncated;
    onWarning?.(
      `${res.truncated} of ${texts.length} texts were longer than ${s.info!.maxTokens} tokens and were truncated`,
    );
  }
  return res.vectors;
}

/** Closes the embedder: stops its process and refuses further calls. */
async function closeEmbedder(s: EmbedderState): Promise<void> {
  s.closed = true;
  await s.host?.close();
  s.host = undefined;
}

/** Validates the model file, starts the model process and returns the embedder once it loaded. */
export async function createLlamaEmbedder(opts: LlamaEmbedderOptions): Promise<LlamaEmbedder> {
  const modelPath = path.resolve(opts.modelPath);
  // Checked here, before any llama.cpp code touches the file.
  const gguf = opts.skipValidation ? undefined : await validateGguf(modelPath);
  const s: EmbedderState = {
    init: hostInit(opts, modelPath),
    loadTimeoutMs: opts.loadTimeoutMs ?? 300_000,
    host: undefined,
    failedStarts: 0,
    closed: false,
    stats: { truncated: 0, restarts: 0 },
    info: undefined,
  };
  let hash: string;
  let ready: HostReady;
  try {
    [hash, ready] = await Promise.all([modelFileHash(modelPath), startHost(s).ready]);
  } catch (err) {
    s.host?.kill();
    throw err;
  }
  const info = embedderInfo(modelPath, gguf, ready);
  s.info = info;
  const tokenRatio = info.tokenRatio;
  return {
    id: `gguf:${hash.slice(0, 16)}`,
    dim: ready.dim,
    batchSize: opts.batchSize ?? 16,
    info,
    stats: s.stats,
    get pid() {
      return s.host && !s.host.exited ? s.host.child.pid : undefined;
    },
    countTokens(text: string): number {
      return text.length === 0 ? 0 : Math.ceil(approximateTokens(text) * tokenRatio);
    },
    async countTokensExact(texts: string[], signal?: AbortSignal): Promise<number[]> {
      if (texts.length === 0) return [];
      return (await callHost<'counted'>(s, 'count', texts, 'counting tokens', signal)).counts;
    },
    embed: (texts: string[], signal?: AbortSignal) => embedTexts(s, texts, opts.onWarning, signal),
    close: () => closeEmbedder(s),
  };
}
