/**
 * One Tesseract (tesseract.js's WASM build) in a worker thread of its own, spoken to directly.
 *
 * tesseract.js's own `createWorker` is not used: it loads language data from one folder or URL
 * (ours ship as two npm packages, and nothing may ever be fetched), writes a cache file into the
 * working folder unless told not to, throws from its message handler when a job fails, and never
 * settles when language data fails to load. Its worker script (the part that runs Tesseract) is
 * used as it is, over the same messages its `createWorker` sends: `load` (the WASM core),
 * `loadLanguage` (given the bytes, so no path or URL is involved and no cache written),
 * `initialize`, `recognize`. Every failure is a rejected promise; `terminate` ends the thread,
 * which is also how a page over its time budget is stopped. Those messages are tesseract.js's own:
 * package.json pins it to 7.0.x, and the OCR tests read real pages through them.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** tesseract.js's script that hosts Tesseract in a worker thread (resolved in every layout). */
function workerScript(): string {
  return require.resolve('tesseract.js/src/worker-script/node/index.js');
}

/** OEM 1: the LSTM recogniser only (the language data shipped carries no legacy models). */
const OEM_LSTM_ONLY = 1;

export interface LanguageData {
  /** Tesseract's code: 'eng', 'ind'. */
  code: string;
  /** The .traineddata file's bytes (gzipped or not). */
  data: Uint8Array;
}

export interface Recognition {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
}

export interface RecognizeOptions {
  /** Tesseract parameters for this page (strings, as Tesseract takes them). */
  params?: Record<string, string>;
}

export interface TesseractWorker {
  recognize(image: Uint8Array, opts?: RecognizeOptions): Promise<Recognition>;
  terminate(): Promise<void>;
  /** False once terminated or crashed: a new one must be started. */
  readonly alive: boolean;
}

interface Reply {
  jobId: string;
  action: string;
  status: 'resolve' | 'reject' | 'progress';
  data: unknown;
}

let workers = 0;
/** The Tesseract threads running now (started, not yet ended). */
const live = new Set<number>();

/** How many Tesseract threads are running now: tests check that one over its budget is ended. */
export function liveTesseracts(): number {
  return live.size;
}

/** Starts Tesseract with these languages ('eng+ind' order: the first is tried first). */
export async function startTesseract(languages: LanguageData[]): Promise<TesseractWorker> {
  const workerNo = ++workers;
  const workerId = `pustaka-ocr-${process.pid}-${workerNo}`;
  const thread = new Worker(workerScript(), { stdout: true, stderr: true });
  live.add(workerNo);
  // Tesseract prints notes ("Estimating resolution as …") to stdout: not ours to show.
  thread.stdout.resume();
  thread.stderr.resume();
  let alive = true;
  let jobs = 0;
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const failAll = (err: Error) => {
    alive = false;
    live.delete(workerNo);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  thread.on('message', (reply: Reply) => {
    if (reply.status === 'progress') return;
    const p = pending.get(`${reply.action}-${reply.jobId}`);
    if (!p) return;
    pending.delete(`${reply.action}-${reply.jobId}`);
    if (reply.status === 'resolve') p.resolve(reply.data);
    else p.reject(new Error(`Tesseract ${reply.action} failed: ${String(reply.data)}`));
  });
  thread.on('error', (err) => failAll(new Error(`Tesseract crashed: ${err.message}`)));
  thread.on('exit', (code) => failAll(new Error(`Tesseract stopped (exit code ${code})`)));

  const send = (action: string, payload: unknown): Promise<unknown> => {
    if (!alive) return Promise.reject(new Error('Tesseract is not running'));
    const jobId = `job-${++jobs}`;
    return new Promise((resolve, reject) => {
      pending.set(`${action}-${jobId}`, { resolve, reject });
      thread.postMessage({ workerId, jobId, action, payload });
    });
  };

  const terminate = async () => {
    if (!alive) return;
    alive = false;
    await thread.terminate();
    live.delete(workerNo);
  };

  try {
    // The script picks its WASM build by comparing `lstmOnly` with OEM numbers: 1 gets the smaller
    // LSTM-only build (a boolean, as tesseract.js itself sends, would get the full one).
    await send('load', { options: { lstmOnly: OEM_LSTM_ONLY, logging: false } });
    await send('loadLanguage', {
      langs: languages.map((l) => ({ code: l.code, data: l.data })),
      // 'none': no cache is read or written; the bytes given are all it uses.
      options: { cacheMethod: 'none', gzip: true, lstmOnly: true },
    });
    await send('initialize', {
      langs: languages.map((l) => l.code).join('+'),
      oem: OEM_LSTM_ONLY,
      config: {},
    });
  } catch (err) {
    await terminate();
    throw err;
  }

  return {
    get alive() {
      return alive;
    },
    async recognize(image, opts = {}) {
      const data = (await send('recognize', {
        image,
        options: { ...opts.params },
        output: { text: true },
      })) as { text: string | null; confidence: number | null };
      return { text: data.text ?? '', confidence: data.confidence ?? 0 };
    },
    terminate,
  };
}
