import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgufError } from '../gguf/reader.ts';
import { writeTinyLlama } from '../../../test/support/gguf/tiny-llama.ts';
import { createLlamaEmbedder, llamaHostStarts } from './llama.ts';
import type { LlamaEmbedder } from './llama.ts';

let dir: string;
let modelPath: string;
let embedder: LlamaEmbedder;
const warnings: string[] = [];

const TEXTS = [
  'The sponsor company applies for the work permit.',
  'Perusahaan baru mendaftar melalui sistem daring.',
  'Tax residents report their worldwide income every year.',
  'Berapa lama prosesnya?',
  '',
  '   ',
  '2024-03-31: Rp 1.000.000 ✓',
];

/** Plenty of work: a call the process is still busy with when its abort arrives. */
const MANY = Array.from({ length: 3000 }, (_, i) => `text ${i}: ` + 'visa izin tinggal pajak '.repeat(20));

function norm(v: Float32Array): number {
  return Math.hypot(...v);
}

/**
 * Freezes the embedder's process (SIGSTOP) until `thaw`: a call sent to it stays in flight for as
 * long as the test needs, however fast or busy the machine is.
 */
function freeze(e: LlamaEmbedder): number {
  const pid = e.pid!;
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, 'SIGSTOP');
  return pid;
}
const thaw = (pid: number) => process.kill(pid, 'SIGCONT');

/** One turn of the event loop: a call begun before it has sent its request (that takes only microtasks). */
const requestSent = () => new Promise<void>((r) => setImmediate(r));

/**
 * Starts a call on a frozen process and kills the process with `signal` while the call is in flight
 * (the kill is delivered when the process is thawed; SIGKILL at once). The texts are few, so the
 * request fits the IPC pipe even while the process is frozen.
 */
async function killDuring(
  e: LlamaEmbedder,
  signal: NodeJS.Signals,
): Promise<{ pid: number; call: Promise<unknown> }> {
  const pid = freeze(e);
  const call = e.embed(TEXTS);
  call.catch(() => {});
  await requestSent();
  process.kill(pid, signal);
  thaw(pid);
  return { pid, call };
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pustaka-llama-'));
  modelPath = path.join(dir, 'tiny.gguf');
  await writeTinyLlama(modelPath, { quant: 'q8_0', seed: 21 });
  embedder = await createLlamaEmbedder({ modelPath, contextSize: 128, onWarning: (m) => warnings.push(m) });
});
afterAll(async () => {
  await embedder?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('llama embedder (tiny model, child process)', () => {
  it('names the model by its hash and reports its shape', async () => {
    const sha = createHash('sha256')
      .update(await fs.readFile(modelPath))
      .digest('hex');
    expect(embedder.id).toBe(`gguf:${sha.slice(0, 16)}`);
    expect(embedder.dim).toBe(64);
    expect(embedder.info).toMatchObject({ contextSize: 128, maxTokens: 125, gpu: false });
    expect(embedder.info.contexts * embedder.info.threadsPerContext).toBeLessThanOrEqual(
      Math.max(os.availableParallelism(), embedder.info.contexts),
    );
    expect(embedder.pid).not.toBe(process.pid);
  });

  it('returns unit vectors, deterministic, in input order', async () => {
    const batch = await embedder.embed(TEXTS);
    expect(batch).toHaveLength(TEXTS.length);
    for (const v of batch) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(64);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    const again = await embedder.embed([...TEXTS].reverse());
    expect(again.reverse()).toEqual(batch);
    const one = await embedder.embed([TEXTS[2]!]);
    expect(one[0]).toEqual(batch[2]);
    expect(batch[0]).not.toEqual(batch[1]);
    expect(await embedder.embed([])).toEqual([]);
  });

  it('counts tokens (approximate and exact) and truncates long texts with a warning', async () => {
    const text = 'The immigration office issues the visa after the sponsor applies.';
    const [exact] = await embedder.countTokensExact([text]);
    const approx = embedder.countTokens(text);
    expect(exact).toBeGreaterThan(5);
    expect(approx).toBeGreaterThanOrEqual(exact! * 0.8);
    expect(approx).toBeLessThanOrEqual(exact! * 2);
    expect(embedder.countTokens('')).toBe(0);

    const long = 'visa '.repeat(400);
    const before = embedder.stats.truncated;
    const [v] = await embedder.embed([long, 'short']);
    expect(norm(v!)).toBeCloseTo(1, 5);
    expect(embedder.stats.truncated).toBe(before + 1);
    expect(warnings.at(-1)).toBe('1 of 2 texts were longer than 125 tokens and were truncated');
  });

  it('aborts a call in flight at once, and keeps working afterwards', async () => {
    const [expected] = await embedder.embed([TEXTS[0]!]);

    // The process is frozen, so the call is still in flight when the abort comes, and the
    // rejection cannot have waited for the process to answer.
    const pid = freeze(embedder);
    try {
      const ac = new AbortController();
      let settled = false;
      const call = embedder.embed(MANY, ac.signal);
      call.then(
        () => (settled = true),
        () => (settled = true),
      );
      await requestSent();
      expect(settled).toBe(false);
      ac.abort();
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      thaw(pid);
    }

    // Aborted before the call: rejected without a request.
    const pre = new AbortController();
    pre.abort();
    await expect(embedder.embed(['x'], pre.signal)).rejects.toMatchObject({ name: 'AbortError' });

    // The same process answers the next call, with the same vector as before.
    const [v] = await embedder.embed([TEXTS[0]!]);
    expect(v).toEqual(expected);
    expect(norm(v!)).toBeCloseTo(1, 5);
    expect(embedder.pid).toBe(pid);
    expect(embedder.stats.restarts).toBe(0);
  });
});

describe('llama embedder: bad files never reach llama.cpp', () => {
  it('rejects a file that is not GGUF before starting a process', async () => {
    const f = path.join(dir, 'notes.gguf');
    await fs.writeFile(f, Buffer.from('PK\x03\x04 a zip file really', 'latin1'));
    const starts = llamaHostStarts();
    const err = await createLlamaEmbedder({ modelPath: f }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GgufError);
    expect((err as Error).message).toBe("notes.gguf is not a GGUF file (starts with 'PK\\x03\\x04')");
    expect(llamaHostStarts()).toBe(starts);
  });

  it('rejects a llama model without llama.attention.head_count (llama.cpp would abort)', async () => {
    const f = path.join(dir, 'noheads.gguf');
    await writeTinyLlama(f, { omitMetadata: ['llama.attention.head_count'] });
    const starts = llamaHostStarts();
    await expect(createLlamaEmbedder({ modelPath: f })).rejects.toThrow(
      'llama model lacks llama.attention.head_count; llama.cpp would abort on it',
    );
    expect(llamaHostStarts()).toBe(starts);
  });

  it('survives llama.cpp really aborting on such a file (validation skipped)', async () => {
    const f = path.join(dir, 'noheads.gguf');
    await expect(createLlamaEmbedder({ modelPath: f, skipValidation: true })).rejects.toThrow(
      /^the embedding model process crashed \(signal SIGABRT\) while loading the model; the model file may be damaged \(.*GGML_ASSERT/,
    );
  });
});

describe('llama embedder: crashes', () => {
  it('rejects calls in flight when the process dies, then restarts it once', async () => {
    const e = await createLlamaEmbedder({ modelPath, contextSize: 128 });
    try {
      const expected = await e.embed([TEXTS[0]!]);

      const { pid: firstPid, call } = await killDuring(e, 'SIGABRT');
      await expect(call).rejects.toThrow(
        'the embedding model process crashed (signal SIGABRT) while embedding; the model file may be damaged',
      );
      expect(e.pid).toBeUndefined();

      // The next call starts a new process and succeeds.
      expect(await e.embed([TEXTS[0]!])).toEqual(expected);
      expect(e.pid).not.toBe(firstPid);
      expect(e.stats.restarts).toBe(1);

      // It dies again (SIGKILL this time): the next call restarts it, and that one dies too before
      // any call succeeded (killed as soon as it is started, while it loads the model): no endless
      // restarts.
      const { call: call2 } = await killDuring(e, 'SIGKILL');
      await expect(call2).rejects.toThrow(/crashed \(signal SIGKILL\) while embedding/);
      const call3 = e.embed(TEXTS);
      call3.catch(() => {});
      const restarted = e.pid!;
      expect(restarted).toBeGreaterThan(0);
      process.kill(restarted, 'SIGKILL');
      await expect(call3).rejects.toThrow(/crashed \(signal SIGKILL\) while loading the model/);
      expect(e.stats.restarts).toBe(2);
      await expect(e.embed(['x'])).rejects.toThrow(/crashed again after a restart; not restarting it/);
    } finally {
      await e.close();
    }
    expect(e.pid).toBeUndefined();
    await expect(e.embed(['x'])).rejects.toThrow('the embedding model was closed');
  });
});
