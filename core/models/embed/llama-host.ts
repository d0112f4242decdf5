/**
 * The model process: loads a GGUF embedding model with node-llama-cpp and embeds texts for the
 * engine (core/models/embed/llama.ts), which forks it (core/models/llm/child-host.ts) and talks
 * over IPC ('advanced' serialization, so Float32Arrays travel as such). llama.cpp can abort this process (exit 134) on
 * a bad model; the engine survives that and restarts it.
 *
 * Throughput: node-llama-cpp's embedding context evaluates one text at a time behind a lock (and
 * reads only sequence 0's embedding), so texts are spread over several contexts, each with its
 * share of the threads. Measured on a 2-core machine: 2 contexts × 1 thread beat 1 × 2 (4.7× on a
 * tiny model, about even on a 100M one).
 */
import { loadLlamaRuntime } from '../llm/llama-runtime.ts';
import type { LlamaEmbeddingContext, LlamaModel, Token } from 'node-llama-cpp';
import type { HostInit, HostRequest, HostResponse } from './llama-protocol.ts';

interface Loaded {
  model: LlamaModel;
  contexts: LlamaEmbeddingContext[];
  maxTokens: number;
}

let loaded: Loaded | undefined;
const aborted = new Set<number>();

function send(msg: HostResponse): void {
  process.send?.(msg);
}

function normalize(vector: readonly number[]): Float32Array {
  const out = Float32Array.from(vector);
  let sum = 0;
  for (const v of out) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm;
  return out;
}

async function init(msg: HostInit): Promise<void> {
  const t0 = performance.now();
  const llama = await loadLlamaRuntime({ gpu: msg.gpu, threads: msg.threads });
  const model = await llama.loadModel({ modelPath: msg.modelPath });
  const trainContextSize = model.trainContextSize;
  const contextSize = Math.max(
    16,
    Math.min(msg.contextSize ?? Math.min(trainContextSize, 2048), trainContextSize),
  );
  const contextCount = Math.max(1, msg.contexts);
  const threadsPerContext = Math.max(1, Math.floor(msg.threads / contextCount));
  const contexts: LlamaEmbeddingContext[] = [];
  for (let i = 0; i < contextCount; i++) {
    // batchSize = contextSize: non-causal (BERT-like) models need the whole text in one batch.
    contexts.push(
      await model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads: threadsPerContext }),
    );
  }
  // getEmbeddingFor adds BOS/EOS and needs the input shorter than the context.
  const maxTokens = contextSize - 3;
  loaded = { model, contexts, maxTokens };
  send({
    type: 'ready',
    dim: model.embeddingVectorSize,
    trainContextSize,
    contextSize,
    maxTokens,
    contexts: contextCount,
    threadsPerContext,
    gpu: llama.gpu,
    loadMs: Math.round(performance.now() - t0),
    calibrationTokens: msg.calibration.map((t) => model.tokenize(t).length),
  });
}

async function embed(id: number, texts: string[]): Promise<void> {
  const { model, contexts, maxTokens } = loaded!;
  const vectors = new Array<Float32Array>(texts.length);
  let next = 0;
  let truncated = 0;
  await Promise.all(
    contexts.map(async (ctx) => {
      while (next < texts.length && !aborted.has(id)) {
        const i = next++;
        let tokens: Token[] = model.tokenize(texts[i]!);
        if (tokens.length === 0) tokens = model.tokenize(' ');
        if (tokens.length > maxTokens) {
          tokens = tokens.slice(0, maxTokens);
          truncated++;
        }
        vectors[i] = normalize((await ctx.getEmbeddingFor(tokens)).vector);
      }
    }),
  );
  if (aborted.delete(id)) send({ type: 'aborted', id });
  else send({ type: 'embedded', id, vectors, truncated });
}

async function handle(msg: HostRequest): Promise<void> {
  const id = 'id' in msg ? msg.id : null;
  try {
    switch (msg.type) {
      case 'init':
        return await init(msg);
      case 'embed':
        return await embed(msg.id, msg.texts);
      case 'count':
        return send({
          type: 'counted',
          id: msg.id,
          counts: msg.texts.map((t) => loaded!.model.tokenize(t).length),
        });
      case 'abort':
        aborted.add(msg.id);
        return;
      case 'close':
        for (const ctx of loaded?.contexts ?? []) await ctx.dispose();
        await loaded?.model.dispose();
        process.exit(0);
    }
  } catch (err) {
    send({ type: 'error', id, message: err instanceof Error ? err.message : String(err) });
  }
}

process.on('message', (msg: HostRequest) => void handle(msg));
// The engine went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
