/**
 * Generates llama-architecture GGUF models with deterministic pseudo-random weights and a real
 * byte-level BPE tokenizer, for tests and benchmarks (no download needed). They load in
 * node-llama-cpp: embeddings have the model's embedding length, and generation produces tokens
 * (garbage text). Tensor data is produced and written in chunks, so large shapes stream to disk.
 */
import { trainBpe } from './bpe.ts';
import { ENCODERS } from './quant.ts';
import type { EncodableType } from './quant.ts';
import { FILE_TYPE_FOR_TENSOR_TYPE, GgmlType, TokenType } from '../../../core/models/gguf/types.ts';
import { gguf, writeGguf } from './writer.ts';
import type { GgufMetaValue, GgufTensorInput, GgufWriteResult, TensorSink } from './writer.ts';

export type TinyQuant = 'f32' | 'f16' | 'q8_0' | 'q4_0';

export interface TinyLlamaOptions {
  nEmbd?: number;
  nLayer?: number;
  nHead?: number;
  /** Key/value heads (grouped-query attention); defaults to nHead. */
  nHeadKv?: number;
  /** Feed-forward width; defaults to 2 × nEmbd. */
  nFf?: number;
  /** Training context length recorded in the file. */
  ctx?: number;
  /** Type of the 2-D weight tensors (norms stay F32). */
  quant?: TinyQuant;
  seed?: number;
  /** BPE merges to learn from the built-in corpus (the vocabulary grows by about as many tokens). */
  merges?: number;
  /** Reuse the token embedding as the output layer (like Llama 3.2 1B). Default true. */
  tieEmbeddings?: boolean;
  name?: string;
  /** `llama.pooling_type` to record (1 = mean, 3 = last …); absent by default. */
  poolingType?: number;
  /** Metadata keys to leave out (to make broken files for tests). */
  omitMetadata?: readonly string[];
  /** Extra or replacement metadata entries. */
  metadata?: ReadonlyArray<readonly [string, GgufMetaValue]>;
}

/** Named shapes: `tiny` for tests, `100m` for benchmarks that must stay short, `1b` like Llama 3.2 1B. */
export const TINY_SHAPES = {
  tiny: { nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 4, nFf: 128 },
  '100m': { nEmbd: 768, nLayer: 12, nHead: 12, nHeadKv: 12, nFf: 3072 },
  '1b': { nEmbd: 2048, nLayer: 16, nHead: 32, nHeadKv: 8, nFf: 8192 },
} as const satisfies Record<string, TinyLlamaOptions>;
export type TinyShape = keyof typeof TINY_SHAPES;

export const SPECIAL_TOKENS = [
  '<|begin_of_text|>',
  '<|end_of_text|>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
] as const;

/** The Llama 3 (8B Instruct) chat template; node-llama-cpp maps it to its Llama 3 chat wrapper. */
export const LLAMA3_CHAT_TEMPLATE =
  "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

const QUANT_TYPE: Record<TinyQuant, EncodableType> = { f32: 'F32', f16: 'F16', q8_0: 'Q8_0', q4_0: 'Q4_0' };

export interface TinyLlamaResult extends GgufWriteResult {
  path: string;
  nVocab: number;
  nParams: number;
  /** The metadata written, in file order. */
  metadata: [string, GgufMetaValue][];
  /** Tensor names, shapes and types, in file order. */
  tensors: { name: string; dims: readonly number[]; type: number }[];
  options: Required<Omit<TinyLlamaOptions, 'poolingType' | 'omitMetadata' | 'metadata'>>;
}

/** FNV-1a of a string, mixed with a seed: one independent PRNG stream per tensor. */
function streamSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h || 0x9e3779b9;
}

/** Fills `out` with uniform values in [-scale, scale) from an xorshift32 stream; returns the new state. */
function fillUniform(out: Float32Array, state: number, scale: number): number {
  let x = state;
  const k = (2 * scale) / 4294967296;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) * k - scale;
  }
  return x;
}

/** A producer that generates a 2-D weight [ne0, ne1] chunk by chunk and encodes it. */
function randomTensor(
  seed: number,
  name: string,
  dims: [number, number] | [number],
  type: EncodableType,
  scale: number,
): GgufTensorInput['data'] {
  const [ne0, ne1 = 1] = dims;
  const encode = ENCODERS[type];
  return async (write: TensorSink) => {
    let state = streamSeed(seed, name);
    const rowsPerChunk = Math.max(1, Math.floor((1 << 20) / ne0));
    const buf = new Float32Array(rowsPerChunk * ne0);
    for (let row = 0; row < ne1; row += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, ne1 - row);
      const view = rows === rowsPerChunk ? buf : buf.subarray(0, rows * ne0);
      state = fillUniform(view, state, scale);
      await write(encode(view));
    }
  };
}

function ones(n: number): Uint8Array {
  return ENCODERS.F32(new Float32Array(n).fill(1));
}

/** Writes a llama-architecture GGUF model (see TinyLlamaOptions; defaults are the `tiny` shape). */
export async function writeTinyLlama(file: string, opts: TinyLlamaOptions = {}): Promise<TinyLlamaResult> {
  const nEmbd = opts.nEmbd ?? 64;
  const nLayer = opts.nLayer ?? 2;
  const nHead = opts.nHead ?? 4;
  const nHeadKv = opts.nHeadKv ?? nHead;
  const nFf = opts.nFf ?? nEmbd * 2;
  const ctx = opts.ctx ?? 2048;
  const quant = opts.quant ?? 'f32';
  const seed = opts.seed ?? 1;
  const mergeCount = opts.merges ?? 400;
  const tie = opts.tieEmbeddings ?? true;
  const name = opts.name ?? `pustaka-tiny-llama-${nEmbd}x${nLayer}-${quant}`;
  if (nEmbd % nHead !== 0) throw new RangeError(`nEmbd ${nEmbd} is not a multiple of nHead ${nHead}`);
  if (nHead % nHeadKv !== 0) throw new RangeError(`nHead ${nHead} is not a multiple of nHeadKv ${nHeadKv}`);
  const headDim = nEmbd / nHead;
  const type = QUANT_TYPE[quant];
  for (const [what, n] of [
    ['nEmbd', nEmbd],
    ['nFf', nFf],
  ] as const) {
    if (type !== 'F32' && type !== 'F16' && n % 32 !== 0) {
      throw new RangeError(`${what} ${n} must be a multiple of 32 for ${quant}`);
    }
  }

  // Tokenizer: byte tokens, merges, then special tokens.
  const bpe = trainBpe(undefined, mergeCount);
  const tokens = [...bpe.tokens, ...SPECIAL_TOKENS];
  const tokenTypes = tokens.map((_, i) => (i < bpe.tokens.length ? TokenType.NORMAL : TokenType.CONTROL));
  const special = (t: (typeof SPECIAL_TOKENS)[number]) => bpe.tokens.length + SPECIAL_TOKENS.indexOf(t);
  const nVocab = tokens.length;

  const metadata: [string, GgufMetaValue][] = [
    ['general.architecture', gguf.str('llama')],
    ['general.name', gguf.str(name)],
    ['general.file_type', gguf.u32(FILE_TYPE_FOR_TENSOR_TYPE[type]!)],
    ['general.quantization_version', gguf.u32(2)],
    ['general.alignment', gguf.u32(32)],
    ['llama.vocab_size', gguf.u32(nVocab)],
    ['llama.context_length', gguf.u32(ctx)],
    ['llama.embedding_length', gguf.u32(nEmbd)],
    ['llama.block_count', gguf.u32(nLayer)],
    ['llama.feed_forward_length', gguf.u32(nFf)],
    ['llama.rope.dimension_count', gguf.u32(headDim)],
    ['llama.rope.freq_base', gguf.f32(10000)],
    ['llama.attention.head_count', gguf.u32(nHead)],
    ['llama.attention.head_count_kv', gguf.u32(nHeadKv)],
    ['llama.attention.layer_norm_rms_epsilon', gguf.f32(1e-5)],
    ...(opts.poolingType !== undefined
      ? [['llama.pooling_type', gguf.u32(opts.poolingType)] as [string, GgufMetaValue]]
      : []),
    ['tokenizer.ggml.model', gguf.str('gpt2')],
    ['tokenizer.ggml.pre', gguf.str('llama-bpe')],
    ['tokenizer.ggml.tokens', gguf.arr('string', tokens)],
    ['tokenizer.ggml.token_type', gguf.arr('i32', tokenTypes)],
    ['tokenizer.ggml.merges', gguf.arr('string', bpe.merges)],
    ['tokenizer.ggml.bos_token_id', gguf.u32(special('<|begin_of_text|>'))],
    ['tokenizer.ggml.eos_token_id', gguf.u32(special('<|eot_id|>'))],
    ['tokenizer.ggml.padding_token_id', gguf.u32(special('<|end_of_text|>'))],
    ['tokenizer.ggml.add_bos_token', gguf.bool(true)],
    ['tokenizer.chat_template', gguf.str(LLAMA3_CHAT_TEMPLATE)],
  ];
  for (const [key, value] of opts.metadata ?? []) {
    const i = metadata.findIndex(([k]) => k === key);
    if (i >= 0) metadata[i] = [key, value];
    else metadata.push([key, value]);
  }
  const omit = new Set(opts.omitMetadata ?? []);

  const tensors: GgufTensorInput[] = [];
  const weight = (tname: string, ne0: number, ne1: number, scale = Math.sqrt(3 / ne0)) =>
    tensors.push({
      name: tname,
      dims: [ne0, ne1],
      type: GgmlType[type],
      data: randomTensor(seed, tname, [ne0, ne1], type, scale),
    });
  const norm = (tname: string) =>
    tensors.push({ name: tname, dims: [nEmbd], type: GgmlType.F32, data: ones(nEmbd) });

  weight('token_embd.weight', nEmbd, nVocab, 1);
  for (let i = 0; i < nLayer; i++) {
    norm(`blk.${i}.attn_norm.weight`);
    weight(`blk.${i}.attn_q.weight`, nEmbd, nEmbd);
    weight(`blk.${i}.attn_k.weight`, nEmbd, nHeadKv * headDim);
    weight(`blk.${i}.attn_v.weight`, nEmbd, nHeadKv * headDim);
    weight(`blk.${i}.attn_output.weight`, nEmbd, nEmbd);
    norm(`blk.${i}.ffn_norm.weight`);
    weight(`blk.${i}.ffn_gate.weight`, nEmbd, nFf);
    weight(`blk.${i}.ffn_up.weight`, nEmbd, nFf);
    weight(`blk.${i}.ffn_down.weight`, nFf, nEmbd);
  }
  norm('output_norm.weight');
  if (!tie) weight('output.weight', nEmbd, nVocab);

  const nParams = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  const written = metadata.filter(([k]) => !omit.has(k));
  const result = await writeGguf(file, { metadata: written, tensors });
  return {
    ...result,
    path: file,
    nVocab,
    nParams,
    metadata: written,
    tensors: tensors.map(({ name: n, dims, type: t }) => ({ name: n, dims, type: t })),
    options: {
      nEmbd,
      nLayer,
      nHead,
      nHeadKv,
      nFf,
      ctx,
      quant,
      seed,
      merges: mergeCount,
      tieEmbeddings: tie,
      name,
    },
  };
}
