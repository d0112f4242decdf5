/**
 * Embeddings from a GGUF model, computed in a child process (core/embed/llama-host.ts) so that a
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
 *   approximation of core/ingest/tokens.ts scaled by a ratio measured once against the model's
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
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { validateGguf } from '../../models/gguf/reader.ts';
import type { GgufInfo } from '../../models/gguf/reader.ts';
import { sha256File } from '../ingest/hash-file.ts';
import { countTokens as approximateTokens } from '../ingest/tokens.ts';
import type { HostReady, HostRequest, HostResponse } from './llama-protocol.ts';
import type { Embedder } from './types.ts';

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

/** Counts child processes started (tests check that a bad file never gets that far). */
let hostStarts = 0;
export function llamaHostStarts(): number {
  return hostStarts;
}

const HOST_ENTRY = fileURLToPath(new URL('./llama-host.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

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
// The child process

interface Pending {
  resolve: (msg: HostResponse) => void;
  reject: (err: Error) => void;
  what: string;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal ${signal}`;
  if (code === 134) return 'exit code 134, an abort';
  return `exit code ${code}`;
}

const FAILURE_LINE = /GGML_ASSERT|GGML_ABORT|terminate called/;

/** What llama.cpp said before dying (its first GGML_ASSERT line, else the last error line), if anything. */
function crashDetail(firstFailure: string | undefined, stderr: string): string {
  const hit =
    firstFailure ??
    stderr
      .split('\n')
      .reverse()
      .find((l) => /error|abort/i.test(l));
  if (!hit) return '';
  const short = hit
    .trim()
    .replace(/^.*\/(llama\.cpp|ggml)\//, '')
    .slice(0, 240);
  return ` (${short})`;
}

class Host {
  readonly child: ChildProcess;
  readonly ready: Promise<HostReady>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';
  /** The first GGML_ASSERT / abort line llama.cpp printed. */
  private firstFailure: string | undefined;
  exited = false;
  private closing = false;

  constructor(
    init: Extract<HostRequest, { type: 'init' }>,
    loadTimeoutMs: number,
    private readonly onExit: (host: Host) => void,
  ) {
    hostStarts++;
    this.child = fork(HOST_ENTRY, [], {
      execArgv: ['--import', TSX_LOADER],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        ...process.env,
        // On an abort, ggml would otherwise attach gdb (when installed) to print a backtrace:
        // seconds of delay and pages of stderr.
        GGML_NO_BACKTRACE: '1',
        // Inside Electron (utilityProcess), process.execPath is Electron itself: run it as Node.
        ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
      },
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-8192);
      this.firstFailure ??= s.split('\n').find((l) => FAILURE_LINE.test(l));
    });
    this.ready = new Promise<HostReady>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the embedding model did not load within ${Math.round(loadTimeoutMs / 1000)} s`));
        this.kill();
      }, loadTimeoutMs);
      this.pending.set(0, {
        what: 'loading the model',
        resolve: (msg) => {
          clearTimeout(timer);
          if (msg.type === 'ready') resolve(msg);
          else
            reject(
              new Error(
                `the embedding model could not be loaded: ${msg.type === 'error' ? msg.message : msg.type}`,
              ),
            );
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
    this.ready.catch(() => {});
    this.child.on('message', (msg: HostResponse) => this.onMessage(msg));
    this.child.on('error', (err) => this.onGone(`could not run (${err.message})`));
    this.child.on('exit', (code, signal) => this.onGone(describeExit(code, signal)));
    this.child.send(init);
  }

  private onMessage(msg: HostResponse): void {
    const id =
      msg.type === 'ready' || (msg.type === 'error' && msg.id === null) ? 0 : (msg as { id: number }).id;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.updateRef();
    p.resolve(msg);
  }

  private onGone(how: string): void {
    if (this.exited) return;
    this.exited = true;
    const closing = this.closing;
    for (const p of this.pending.values()) {
      const detail = crashDetail(this.firstFailure, this.stderr);
      p.reject(
        new EmbedModelCrashError(
          closing
            ? 'the embedding model was closed'
            : `the embedding model process crashed (${how}) while ${p.what}; the model file may be damaged${detail}`,
        ),
      );
    }
    this.pending.clear();
    this.onExit(this);
  }

  /** Keeps the engine's event loop alive only while calls are in flight. */
  private updateRef(): void {
    const busy = this.pending.size > 0;
    type Refable = { ref?: () => void; unref?: () => void } | null | undefined;
    const handles = [this.child.channel as Refable, this.child.stderr as Refable];
    if (busy) {
      this.child.ref();
      for (const h of handles) h?.ref?.();
    } else {
      this.child.unref();
      for (const h of handles) h?.unref?.();
    }
  }

  request(msg: HostRequest & { id: number }, what: string, signal?: AbortSignal): Promise<HostResponse> {
    if (this.exited)
      return Promise.reject(new EmbedModelCrashError('the embedding model process is not running'));
    return new Promise<HostResponse>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(msg.id)) return;
        this.updateRef();
        if (!this.exited) this.child.send({ type: 'abort', id: msg.id } satisfies HostRequest);
        reject(signal!.reason);
      };
      this.pending.set(msg.id, {
        what,
        resolve: (res) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(res);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
      this.updateRef();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.child.send(msg);
    });
  }

  newId(): number {
    return this.nextId++;
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.ref();
    try {
      this.child.send({ type: 'close' } satisfies HostRequest);
    } catch {
      this.kill();
    }
    const timer = setTimeout(() => this.kill(), 5000);
    await gone;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------

/** Validates the model file, starts the model process and returns the embedder once it loaded. */
export async function createLlamaEmbedder(opts: LlamaEmbedderOptions): Promise<LlamaEmbedder> {
  const modelPath = path.resolve(opts.modelPath);
  // Checked here, before any llama.cpp code touches the file.
  const gguf = opts.skipValidation ? undefined : await validateGguf(modelPath);

  const threads = Math.max(1, opts.threads ?? os.availableParallelism());
  const init = {
    type: 'init' as const,
    modelPath,
    threads,
    contexts: Math.max(1, Math.min(opts.contexts ?? 2, threads)),
    contextSize: opts.contextSize,
    gpu: opts.gpu ?? ('auto' as const),
    calibration: CALIBRATION,
  };
  const loadTimeoutMs = opts.loadTimeoutMs ?? 300_000;

  let host: Host | undefined;
  let failedStarts = 0;
  let closed = false;
  const stats = { truncated: 0, restarts: 0 };

  const start = (): Host => {
    const h = new Host(init, loadTimeoutMs, (gone) => {
      if (host === gone) host = undefined;
    });
    host = h;
    return h;
  };

  let hash: string;
  let ready: HostReady;
  try {
    [hash, ready] = await Promise.all([modelFileHash(modelPath), start().ready]);
  } catch (err) {
    host?.kill();
    throw err;
  }
  const approxSample = CALIBRATION.reduce((n, t) => n + approximateTokens(t), 0);
  const realSample = ready.calibrationTokens.reduce((n, t) => n + t, 0);
  // A 5% margin: the chunker should rather cut a little early than have the host truncate.
  const tokenRatio = Math.max(0.25, Math.min(8, (realSample / Math.max(1, approxSample)) * 1.05));

  const info: LlamaEmbedderInfo = {
    modelPath,
    gguf,
    contextSize: ready.contextSize,
    maxTokens: ready.maxTokens,
    contexts: ready.contexts,
    threadsPerContext: ready.threadsPerContext,
    gpu: ready.gpu,
    loadMs: ready.loadMs,
    tokenRatio,
  };

  /** The running process, starting a new one after a crash (not again after a second crash in a row). */
  const running = async (): Promise<Host> => {
    if (closed) throw new Error('the embedding model was closed');
    if (host && !host.exited) {
      await host.ready;
      return host;
    }
    if (failedStarts >= 1) {
      throw new EmbedModelCrashError(
        'the embedding model process crashed again after a restart; not restarting it (the model file may be damaged)',
      );
    }
    failedStarts++;
    stats.restarts++;
    const h = start();
    const r = await h.ready;
    info.loadMs = r.loadMs;
    return h;
  };

  const call = async <T extends HostResponse['type']>(
    type: 'embed' | 'count',
    texts: string[],
    what: string,
    signal?: AbortSignal,
  ): Promise<Extract<HostResponse, { type: T }>> => {
    signal?.throwIfAborted();
    const h = await running();
    signal?.throwIfAborted();
    const res = await h.request({ type, id: h.newId(), texts }, what, signal);
    if (res.type === 'error') throw new Error(`the embedding model failed: ${res.message}`);
    failedStarts = 0;
    return res as Extract<HostResponse, { type: T }>;
  };

  const embedder: LlamaEmbedder = {
    id: `gguf:${hash.slice(0, 16)}`,
    dim: ready.dim,
    batchSize: opts.batchSize ?? 16,
    info,
    stats,
    get pid() {
      return host && !host.exited ? host.child.pid : undefined;
    },
    countTokens(text: string): number {
      return text.length === 0 ? 0 : Math.ceil(approximateTokens(text) * tokenRatio);
    },
    async countTokensExact(texts: string[], signal?: AbortSignal): Promise<number[]> {
      if (texts.length === 0) return [];
      return (await call<'counted'>('count', texts, 'counting tokens', signal)).counts;
    },
    async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
      if (texts.length === 0) return [];
      const res = await call<'embedded'>('embed', texts, 'embedding', signal);
      if (res.truncated > 0) {
        stats.truncated += res.truncated;
        opts.onWarning?.(
          `${res.truncated} of ${texts.length} texts were longer than ${info.maxTokens} tokens and were truncated`,
        );
      }
      return res.vectors;
    },
    async close(): Promise<void> {
      closed = true;
      await host?.close();
      host = undefined;
    },
  };
  return embedder;
}
