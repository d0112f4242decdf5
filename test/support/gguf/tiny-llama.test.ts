// Generated tiny models load in the real node-llama-cpp: embeddings and chat generation work.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { getLlama, LlamaChatSession, LlamaLogLevel } from 'node-llama-cpp';
import type { Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateGguf } from '../../../core/models/gguf/reader.ts';
import { makeTempDir } from './test-helpers.ts';
import { SPECIAL_TOKENS, writeTinyLlama } from './tiny-llama.ts';
import type { TinyQuant } from './tiny-llama.ts';

const threads = os.availableParallelism();
let dir: string;
let llama: Llama;

beforeAll(async () => {
  dir = await makeTempDir();
  llama = await getLlama({ gpu: false, maxThreads: threads, logLevel: LlamaLogLevel.error, build: 'never' });
});
afterAll(async () => {
  await llama?.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('tiny llama in node-llama-cpp', () => {
  for (const quant of ['f32', 'q8_0', 'q4_0'] as TinyQuant[]) {
    it(`${quant}: loads, tokenizes, embeds and generates`, async () => {
      const file = path.join(dir, `tiny-${quant}.gguf`);
      const written = await writeTinyLlama(file, { quant, seed: 11 });
      const info = await validateGguf(file);
      const model = await llama.loadModel({ modelPath: file });
      try {
        expect(model.embeddingVectorSize).toBe(64);
        expect(model.trainContextSize).toBe(2048);
        expect(model.fileInfo.metadata.general.architecture).toBe('llama');
        expect(info.vocabSize).toBe(written.nVocab);

        const text = 'Visa izin tinggal 2024 — ✓ ok';
        const tokens = model.tokenize(text);
        expect(tokens.length).toBeGreaterThan(3);
        expect(tokens.length).toBeLessThan(Buffer.byteLength(text));
        expect(model.detokenize(tokens)).toBe(text);
        expect(model.tokenize('<|eot_id|>', true)).toEqual([written.nVocab - SPECIAL_TOKENS.length + 4]);

        const ectx = await model.createEmbeddingContext({ contextSize: 256, threads });
        const a = await ectx.getEmbeddingFor('The consultant answers questions about visas.');
        const b = await ectx.getEmbeddingFor('The consultant answers questions about visas.');
        const c = await ectx.getEmbeddingFor('Perusahaan baru mendaftar melalui sistem daring.');
        expect(a.vector.length).toBe(64);
        expect(a.vector.every(Number.isFinite)).toBe(true);
        expect(b.vector).toEqual(a.vector);
        expect(c.vector).not.toEqual(a.vector);
        await ectx.dispose();

        const ctx = await model.createContext({ contextSize: 256, threads });
        const session = new LlamaChatSession({ contextSequence: ctx.getSequence() });
        expect(session.chatWrapper.wrapperName).toBe('Llama 3');
        let generated = 0;
        await session.prompt('Hello', { maxTokens: 8, onToken: (t) => (generated += t.length) });
        expect(generated).toBeGreaterThan(0);
        await ctx.dispose();
      } finally {
        await model.dispose();
      }
    });
  }
});

describe('make-tiny CLI', () => {
  it('writes a model of the named shape and quantization', async () => {
    const out = path.join(dir, 'cli.gguf');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'make-tiny.ts'),
        out,
        '--quant',
        'q4_0',
        '--seed',
        '5',
      ],
      { cwd: path.join(import.meta.dirname, '..', '..', '..') },
    );
    expect(stdout).toMatch(/tiny q4_0, 0\.1M parameters, vocab \d+/);
    const info = await validateGguf(out);
    expect(info).toMatchObject({ quantization: 'Q4_0', embeddingLength: 64, layers: 2 });
  });
});
