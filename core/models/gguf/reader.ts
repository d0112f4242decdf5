/**
 * Reads and checks a GGUF file's header in JS, without loading the model: llama.cpp aborts the
 * whole process (exit 134, uncatchable) on some malformed files, so every model file is read here
 * first. Only the header is read, through a small buffered cursor over a file handle; large arrays
 * (tokenizer.ggml.tokens, merges, scores) are walked once and kept as a count plus a sample, with
 * readGgufArray() to read any slice of them later.
 *
 * - inspectGguf(path): the parsed header plus a summary (architecture, sizes, quantization,
 *   tokenizer, chat template) and a list of issues (errors and warnings). It throws only when the
 *   file cannot be parsed at all (not GGUF, unsupported version, header truncated or corrupt).
 * - validateGguf(path): the same, but throws a GgufError naming the first error: anything llama.cpp
 *   would refuse or abort on.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  FILE_TYPE_NAMES,
  GGML_MAX_DIMS,
  GGML_MAX_NAME,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_SCALAR_SIZE,
  GGUF_VALUE_TYPE_NAMES,
  GgufValueType,
  ggmlTypeName,
  ggmlTypeTraits,
  isGgufValueType,
} from './types.ts';
import type { GgufValueTypeId } from './types.ts';

export type GgufErrorCode =
  | 'not_gguf'
  | 'unsupported_version'
  | 'truncated'
  | 'corrupt'
  | 'missing_metadata'
  | 'invalid_metadata'
  | 'invalid_tensor'
  | 'invalid_tokenizer';

export class GgufError extends Error {
  readonly code: GgufErrorCode;
  readonly file: string;
  /** Every error found (validateGguf), the first of which is the message. */
  readonly issues: readonly GgufIssue[];

  constructor(code: GgufErrorCode, file: string, message: string, issues: readonly GgufIssue[] = []) {
    super(message);
    this.name = 'GgufError';
    this.code = code;
    this.file = file;
    this.issues = issues;
  }
}

export function isGgufError(err: unknown): err is GgufError {
  return err instanceof GgufError;
}

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | GgufArray;

export interface GgufArray {
  readonly kind: 'array';
  readonly itemType: GgufValueTypeId;
  readonly length: number;
  /** The whole array when it is small (see maxArrayItems), otherwise its first items as a sample. */
  readonly items: readonly GgufValue[];
  /** True when `items` holds every item. */
  readonly complete: boolean;
  /** File offset of the first item: readGgufArray() reads any slice from there. */
  readonly dataOffset: number;
  /** Bytes the items take in the file. */
  readonly byteLength: number;
}

export interface GgufKv {
  readonly key: string;
  readonly type: GgufValueTypeId;
  /** u64/i64 values are bigint; every other number is a number. */
  readonly value: GgufValue;
}

export interface GgufTensorInfo {
  readonly name: string;
  /** ne[0] first: ne[0] is the row length (the contiguous dimension). */
  readonly dims: readonly number[];
  readonly type: number;
  readonly typeName: string;
  /** Offset relative to the start of the data section, as stored. */
  readonly offset: number;
  /** Absolute offset in the file. */
  readonly fileOffset: number;
  readonly nElements: number;
  /** Bytes of tensor data; undefined when the ggml type is unknown. */
  readonly byteSize: number | undefined;
}

export interface GgufIssue {
  readonly severity: 'error' | 'warning';
  readonly code: GgufErrorCode;
  readonly message: string;
}

export interface GgufInfo {
  readonly path: string;
  readonly fileSize: number;
  readonly version: number;
  readonly alignment: number;
  /** Absolute offset of the tensor data section. */
  readonly dataOffset: number;
  readonly metadata: ReadonlyMap<string, GgufKv>;
  readonly tensors: readonly GgufTensorInfo[];

  readonly architecture: string | undefined;
  readonly name: string | undefined;
  /** Sum of the tensors' element counts (tied embeddings count once). */
  readonly parameterCount: number;
  /** Quantization name from general.file_type (Q4_K_M, F16 …), else the dominant tensor type. */
  readonly quantization: string | undefined;
  readonly fileType: number | undefined;
  readonly contextLength: number | undefined;
  readonly embeddingLength: number | undefined;
  readonly layers: number | undefined;
  readonly heads: number | undefined;
  readonly headsKv: number | undefined;
  readonly feedForwardLength: number | undefined;
  /** `<arch>.pooling_type` (0 none, 1 mean, 2 cls, 3 last, 4 rank) when the file says. */
  readonly poolingType: number | undefined;
  readonly hasChatTemplate: boolean;
  readonly chatTemplate: string | undefined;
  readonly tokenizerModel: string | undefined;
  readonly tokenizerPre: string | undefined;
  readonly vocabSize: number | undefined;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  /** Problems found: errors make validateGguf throw; warnings are informational. */
  readonly issues: readonly GgufIssue[];
}

export interface ReadOptions {
  /** Arrays with at most this many items are read whole; longer ones keep a sample. Default 1024. */
  maxArrayItems?: number;
  /** Items kept from a longer array. Default 16. */
  sampleItems?: number;
}

const DEFAULT_MAX_ARRAY_ITEMS = 1024;
const DEFAULT_SAMPLE_ITEMS = 16;
const CHUNK = 1 << 20;
/** llama.cpp's LLAMA_MAX_LAYERS: block_count outside [1, 512] trips a GGML_ASSERT (abort). */
const LLAMA_MAX_LAYERS = 512;
/** Tokens are checked for duplicates (a GGML_ASSERT in llama.cpp) in this array. */
const TOKENS_KEY = 'tokenizer.ggml.tokens';

/** Formats the first bytes of a file the way a person can read them: 'PK\x03\x04'. */
function showBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0').toUpperCase();
  }
  return `'${s}'`;
}

/** A forward-only buffered reader over a file handle. Reads are synchronous once `ensure`d. */
class Cursor {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  pos = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly file: string,
  ) {}

  has(n: number): boolean {
    return this.pos >= this.start && this.pos + n <= this.end;
  }

  /** Makes n bytes at pos readable; throws a 'truncated' GgufError when the file ends first. */
  async fill(n: number, what: () => string): Promise<void> {
    if (this.pos + n > this.size) {
      throw new GgufError(
        'truncated',
        this.file,
        `${path.basename(this.file)} is truncated: ${what()} ends at byte ${this.pos + n} but the file has ${this.size} bytes`,
      );
    }
    const len = Math.max(n, Math.min(CHUNK, this.size - this.pos));
    if (this.buf.length < len) this.buf = Buffer.allocUnsafe(Math.max(len, CHUNK));
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(this.buf, got, len - got, this.pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.start = this.pos;
    this.end = this.pos + got;
    if (got < n) {
      throw new GgufError(
        'truncated',
        this.file,
        `${path.basename(this.file)} is truncated: ${what()} ends at byte ${this.pos + n} but only ${this.pos + got} bytes could be read`,
      );
    }
  }

  async ensure(n: number, what: () => string): Promise<void> {
    if (!this.has(n)) await this.fill(n, what);
  }

  private at(): number {
    return this.pos - this.start;
  }

  u8(): number {
    const v = this.buf[this.at()]!;
    this.pos += 1;
    return v;
  }
  i8(): number {
    const v = this.buf.readInt8(this.at());
    this.pos += 1;
    return v;
  }
  u16(): number {
    const v = this.buf.readUInt16LE(this.at());
    this.pos += 2;
    return v;
  }
  i16(): number {
    const v = this.buf.readInt16LE(this.at());
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32LE(this.at());
    this.pos += 4;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32LE(this.at());
    this.pos += 4;
    return v;
  }
  f32(): number {
    const v = this.buf.readFloatLE(this.at());
    this.pos += 4;
    return v;
  }
  f64(): number {
    const v = this.buf.readDoubleLE(this.at());
    this.pos += 8;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64LE(this.at());
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    const v = this.buf.readBigInt64LE(this.at());
    this.pos += 8;
    return v;
  }
  /** A u64 as a number; Infinity when it does not fit in 2^53 (callers treat that as corrupt). */
  u64n(): number {
    const lo = this.buf.readUInt32LE(this.at());
    const hi = this.buf.readUInt32LE(this.at() + 4);
    this.pos += 8;
    return hi >= 0x200000 ? Infinity : hi * 0x1_0000_0000 + lo;
  }
  /** n bytes at pos (must be `has(n)`). */
  text(n: number, encoding: BufferEncoding): string {
    const s = this.buf.toString(encoding, this.at(), this.at() + n);
    this.pos += n;
    return s;
  }
  head(n: number): Buffer {
    return this.buf.subarray(this.at(), this.at() + n);
  }
}

interface ParseState {
  readonly cur: Cursor;
  readonly file: string;
  readonly base: string;
  readonly maxArrayItems: number;
  readonly sampleItems: number;
  readonly issues: GgufIssue[];
}

async function readLength(st: ParseState, what: () => string): Promise<number> {
  const { cur } = st;
  await cur.ensure(8, what);
  const n = cur.u64n();
  if (n > cur.size - cur.pos) {
    throw new GgufError(
      'truncated',
      st.file,
      `${st.base} is truncated: ${what()} (${n === Infinity ? 'over 2^53' : n} bytes) ends past the end of the file (${cur.size} bytes)`,
    );
  }
  return n;
}

async function readString(
  st: ParseState,
  what: () => string,
  encoding: BufferEncoding = 'utf8',
): Promise<string> {
  const n = await readLength(st, what);
  await st.cur.ensure(n, what);
  return st.cur.text(n, encoding);
}

function readScalarSync(cur: Cursor, type: GgufValueTypeId): GgufScalar {
  switch (type) {
    case GgufValueType.UINT8:
      return cur.u8();
    case GgufValueType.INT8:
      return cur.i8();
    case GgufValueType.UINT16:
      return cur.u16();
    case GgufValueType.INT16:
      return cur.i16();
    case GgufValueType.UINT32:
      return cur.u32();
    case GgufValueType.INT32:
      return cur.i32();
    case GgufValueType.FLOAT32:
      return cur.f32();
    case GgufValueType.BOOL:
      return cur.u8() !== 0;
    case GgufValueType.UINT64:
      return cur.u64();
    case GgufValueType.INT64:
      return cur.i64();
    case GgufValueType.FLOAT64:
      return cur.f64();
    default:
      throw new Error(`not a scalar type: ${type}`);
  }
}

async function readValueType(st: ParseState, what: () => string): Promise<GgufValueTypeId> {
  await st.cur.ensure(4, what);
  const t = st.cur.u32();
  if (!isGgufValueType(t)) {
    throw new GgufError('corrupt', st.file, `${st.base} is corrupt: ${what()} has invalid value type ${t}`);
  }
  return t;
}

/** Called with every string of an array (latin1, i.e. the raw bytes) when set. */
type StringSink = (s: string, index: number) => void;

async function readValue(
  st: ParseState,
  type: GgufValueTypeId,
  what: () => string,
  sink?: StringSink,
): Promise<GgufValue> {
  const { cur } = st;
  if (type === GgufValueType.STRING) return readString(st, what);
  if (type !== GgufValueType.ARRAY) {
    await cur.ensure(GGUF_SCALAR_SIZE[type]!, what);
    return readScalarSync(cur, type);
  }
  const itemType = await readValueType(st, () => `${what()} (array item type)`);
  await cur.ensure(8, what);
  const length = cur.u64n();
  const dataOffset = cur.pos;
  const itemSize = GGUF_SCALAR_SIZE[itemType];
  const minBytes = itemSize ?? 8;
  if (length * minBytes > cur.size - cur.pos) {
    throw new GgufError(
      'truncated',
      st.file,
      `${st.base} is truncated: ${what()} has ${length === Infinity ? 'over 2^53' : length} items that cannot fit in the ${cur.size - cur.pos} bytes left`,
    );
  }
  const complete = length <= st.maxArrayItems;
  const keep = complete ? length : Math.min(length, st.sampleItems);
  const items: GgufValue[] = [];
  if (itemSize !== undefined) {
    for (let i = 0; i < keep; i++) {
      await cur.ensure(itemSize, what);
      items.push(readScalarSync(cur, itemType));
    }
    cur.pos = dataOffset + length * itemSize;
  } else if (itemType === GgufValueType.STRING) {
    for (let i = 0; i < length; i++) {
      if (!cur.has(8)) await cur.fill(8, () => `${what()} item ${i}`);
      const n = cur.u64n();
      if (n > cur.size - cur.pos) {
        throw new GgufError(
          'truncated',
          st.file,
          `${st.base} is truncated: ${what()} item ${i} ends past the end of the file (${cur.size} bytes)`,
        );
      }
      if (!cur.has(n)) await cur.fill(n, () => `${what()} item ${i}`);
      if (sink) {
        const raw = cur.text(n, 'latin1');
        if (i < keep) items.push(Buffer.from(raw, 'latin1').toString('utf8'));
        sink(raw, i);
      } else if (i < keep) {
        items.push(cur.text(n, 'utf8'));
      } else {
        cur.pos += n;
      }
    }
  } else {
    // Arrays of arrays (rare): read each one, keeping the first few.
    for (let i = 0; i < length; i++) {
      const v = await readValue(st, itemType, () => `${what()} item ${i}`);
      if (i < keep) items.push(v);
    }
  }
  return { kind: 'array', itemType, length, items, complete, dataOffset, byteLength: cur.pos - dataOffset };
}

interface Parsed {
  version: number;
  metadata: Map<string, GgufKv>;
  tensors: GgufTensorInfo[];
  alignment: number;
  dataOffset: number;
  fileSize: number;
  duplicateToken: { index: number; firstIndex: number; text: string } | undefined;
}

async function parse(file: string, opts: ReadOptions, issues: GgufIssue[]): Promise<Parsed> {
  const base = path.basename(file);
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const cur = new Cursor(fh, size, file);
    const st: ParseState = {
      cur,
      file,
      base,
      maxArrayItems: opts.maxArrayItems ?? DEFAULT_MAX_ARRAY_ITEMS,
      sampleItems: opts.sampleItems ?? DEFAULT_SAMPLE_ITEMS,
      issues,
    };

    // Magic and version.
    if (size < 4) {
      throw new GgufError(
        'not_gguf',
        file,
        size === 0
          ? `${base} is not a GGUF file (it is empty)`
          : `${base} is not a GGUF file (it has only ${size} bytes)`,
      );
    }
    await cur.fill(Math.min(size, 24), () => 'the header');
    const magic = cur.head(4);
    if (magic.toString('latin1') !== 'GGUF') {
      throw new GgufError('not_gguf', file, `${base} is not a GGUF file (starts with ${showBytes(magic)})`);
    }
    cur.pos = 4;
    await cur.ensure(4, () => 'the version');
    const version = cur.u32();
    if (version === 1) {
      throw new GgufError(
        'unsupported_version',
        file,
        `${base} is GGUF version 1, which llama.cpp no longer reads`,
      );
    }
    if (version !== 2 && version !== 3) {
      const hint = (version & 0xffff) === 0 ? ' (a big-endian file?)' : '';
      throw new GgufError(
        'unsupported_version',
        file,
        `${base} has GGUF version ${version}${hint}; only versions 2 and 3 are supported`,
      );
    }
    await cur.ensure(16, () => 'the header');
    const tensorCount = cur.u64n();
    const kvCount = cur.u64n();
    // Every tensor info takes at least 8+4+4+8 bytes, every key-value pair at least 8+4+1.
    if (tensorCount * 24 + kvCount * 13 > size) {
      throw new GgufError(
        'corrupt',
        file,
        `${base} is corrupt: its header claims ${tensorCount} tensors and ${kvCount} metadata entries, more than ${size} bytes can hold`,
      );
    }

    // Metadata.
    const metadata = new Map<string, GgufKv>();
    let duplicateToken: Parsed['duplicateToken'];
    for (let i = 0; i < kvCount; i++) {
      const key = await readString(st, () => `metadata key #${i}`);
      if (key.length === 0)
        throw new GgufError('corrupt', file, `${base} is corrupt: metadata key #${i} is empty`);
      const type = await readValueType(st, () => `metadata value '${key}'`);
      let sink: StringSink | undefined;
      if (key === TOKENS_KEY) {
        const seen = new Map<string, number>();
        sink = (s, index) => {
          const first = seen.get(s);
          if (first !== undefined) duplicateToken ??= { index, firstIndex: first, text: s };
          else seen.set(s, index);
        };
      }
      const value = await readValue(st, type, () => `metadata value '${key}'`, sink);
      if (metadata.has(key)) {
        issues.push({
          severity: 'error',
          code: 'invalid_metadata',
          message: `${base} has the metadata key '${key}' twice; llama.cpp refuses it`,
        });
      }
      metadata.set(key, { key, type, value });
    }

    // Alignment.
    let alignment = GGUF_DEFAULT_ALIGNMENT;
    const alignKv = metadata.get('general.alignment');
    if (alignKv) {
      if (alignKv.type !== GgufValueType.UINT32) {
        issues.push({
          severity: 'error',
          code: 'invalid_metadata',
          message: `${base}: general.alignment must be a u32 but is ${GGUF_VALUE_TYPE_NAMES[alignKv.type]}; llama.cpp refuses it`,
        });
      } else {
        const a = alignKv.value as number;
        if (a === 0 || (a & (a - 1)) !== 0) {
          throw new GgufError(
            'corrupt',
            file,
            `${base} is corrupt: general.alignment ${a} is not a power of 2`,
          );
        }
        alignment = a;
      }
    }

    // Tensor infos.
    const tensors: GgufTensorInfo[] = [];
    const raw: { name: string; dims: number[]; type: number; offset: number }[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await readString(st, () => `tensor info #${i}`);
      const what = () => `tensor info '${name}'`;
      await cur.ensure(4, what);
      const nDims = cur.u32();
      if (nDims > GGML_MAX_DIMS) {
        throw new GgufError(
          'corrupt',
          file,
          `${base} is corrupt: tensor '${name}' has ${nDims} dimensions (at most 4)`,
        );
      }
      await cur.ensure(8 * nDims + 12, what);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(cur.u64n());
      const type = cur.u32();
      const offset = cur.u64n();
      if (dims.some((d) => !Number.isFinite(d)) || !Number.isFinite(offset)) {
        throw new GgufError(
          'corrupt',
          file,
          `${base} is corrupt: tensor '${name}' has an impossible shape or offset`,
        );
      }
      raw.push({ name, dims, type, offset });
    }
    const dataOffset = tensorCount > 0 ? Math.ceil(cur.pos / alignment) * alignment : cur.pos;

    for (const t of raw) {
      const nElements = t.dims.reduce((a, b) => a * b, 1);
      const traits = ggmlTypeTraits(t.type);
      const byteSize = traits ? Math.ceil(nElements / traits.blockSize) * traits.typeSize : undefined;
      tensors.push({
        name: t.name,
        dims: t.dims,
        type: t.type,
        typeName: ggmlTypeName(t.type),
        offset: t.offset,
        fileOffset: dataOffset + t.offset,
        nElements,
        byteSize,
      });
    }
    return { version, metadata, tensors, alignment, dataOffset, fileSize: size, duplicateToken };
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Metadata helpers

function kvNumber(kv: GgufKv | undefined): number | undefined {
  if (!kv) return undefined;
  const v = kv.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'object' && v.items.length > 0) {
    // Per-layer arrays (head_count, feed_forward_length): the largest value.
    let max: number | undefined;
    for (const item of v.items) {
      const n = typeof item === 'number' ? item : typeof item === 'bigint' ? Number(item) : undefined;
      if (n !== undefined && (max === undefined || n > max)) max = n;
    }
    return max;
  }
  return undefined;
}

function kvString(kv: GgufKv | undefined): string | undefined {
  return kv && typeof kv.value === 'string' ? kv.value : undefined;
}

function isNumericType(t: GgufValueTypeId): boolean {
  return t !== GgufValueType.STRING && t !== GgufValueType.ARRAY && t !== GgufValueType.BOOL;
}

/**
 * A key llama.cpp needs. Missing `required` keys make it refuse the file (a catchable error);
 * `abort` keys it reads as optional, but a missing or zero value becomes a zero tensor dimension
 * and trips GGML_ASSERT(ne >= 1) in the model loader (process abort, exit 134: measured).
 */
interface RequiredKey {
  readonly suffix: string;
  readonly abort: boolean;
  /** The value must be > 0. */
  readonly positive: boolean;
}
const K = (suffix: string, abort = false, positive = true): RequiredKey => ({ suffix, abort, positive });
const BASE_KEYS = [K('context_length'), K('embedding_length'), K('block_count')];
const DECODER_KEYS = [
  ...BASE_KEYS,
  K('feed_forward_length', true),
  K('attention.head_count', true),
  K('attention.layer_norm_rms_epsilon', false, false),
];
const BERT_KEYS = [
  ...BASE_KEYS,
  K('feed_forward_length', true),
  K('attention.head_count', true),
  K('attention.layer_norm_epsilon', false, false),
];

/** Architectures whose required metadata is checked (others get a warning, not an error). */
export const CHECKED_ARCHITECTURES: Readonly<Record<string, readonly RequiredKey[]>> = {
  llama: DECODER_KEYS,
  mistral3: DECODER_KEYS,
  qwen2: DECODER_KEYS,
  qwen3: DECODER_KEYS,
  gemma: DECODER_KEYS,
  gemma2: DECODER_KEYS,
  gemma3: DECODER_KEYS,
  'gemma-embedding': [...DECODER_KEYS, K('attention.sliding_window')],
  phi3: DECODER_KEYS,
  smollm3: DECODER_KEYS,
  granite: DECODER_KEYS,
  bert: BERT_KEYS,
  'nomic-bert': BERT_KEYS,
  'jina-bert-v2': BERT_KEYS,
  'modern-bert': BERT_KEYS,
};

function dominantTensorType(tensors: readonly GgufTensorInfo[]): string | undefined {
  const bytes = new Map<string, number>();
  for (const t of tensors) {
    if (t.dims.length < 2) continue;
    bytes.set(t.typeName, (bytes.get(t.typeName) ?? 0) + (t.byteSize ?? 0));
  }
  let best: string | undefined;
  let bestBytes = -1;
  for (const [name, b] of bytes) {
    if (b > bestBytes) [best, bestBytes] = [name, b];
  }
  return best;
}

function checkTensors(p: Parsed, base: string, issues: GgufIssue[]): void {
  const names = new Set<string>();
  let expected = 0;
  let sequential = true;
  for (const t of p.tensors) {
    if (names.has(t.name)) {
      issues.push({
        severity: 'error',
        code: 'invalid_tensor',
        message: `${base} has the tensor '${t.name}' twice; llama.cpp refuses it`,
      });
    }
    names.add(t.name);
    if (t.name.length >= GGML_MAX_NAME) {
      issues.push({
        severity: 'error',
        code: 'invalid_tensor',
        message: `${base}: tensor name '${t.name}' is ${t.name.length} bytes long (llama.cpp allows ${GGML_MAX_NAME - 1})`,
      });
    }
    const traits = ggmlTypeTraits(t.type);
    if (!traits) {
      issues.push({
        severity: 'warning',
        code: 'invalid_tensor',
        message: `${base}: tensor '${t.name}' has ggml type ${t.type}, which this reader does not know; its size is not checked`,
      });
      sequential = false;
      if (p.dataOffset + t.offset > p.fileSize) {
        issues.push({
          severity: 'error',
          code: 'truncated',
          message: `${base} is truncated: tensor ${t.name} starts at byte ${p.dataOffset + t.offset} but the file has ${p.fileSize} bytes`,
        });
      }
      continue;
    }
    const ne0 = t.dims[0] ?? 1;
    if (ne0 % traits.blockSize !== 0) {
      issues.push({
        severity: 'error',
        code: 'invalid_tensor',
        message: `${base}: tensor '${t.name}' of type ${traits.name} has rows of ${ne0} elements, not a multiple of its block size ${traits.blockSize}`,
      });
    }
    const size = t.byteSize!;
    const end = p.dataOffset + t.offset + size;
    if (end > p.fileSize) {
      issues.push({
        severity: 'error',
        code: 'truncated',
        message: `${base} is truncated: tensor ${t.name} ends at byte ${end} but the file has ${p.fileSize} bytes`,
      });
    }
    if (sequential && t.offset !== expected) {
      issues.push({
        severity: 'error',
        code: 'invalid_tensor',
        message: `${base}: tensor '${t.name}' has offset ${t.offset}, expected ${expected} (llama.cpp needs tensor data packed in order, ${p.alignment}-byte aligned)`,
      });
      sequential = false;
    }
    expected += Math.ceil(size / p.alignment) * p.alignment;
  }
}

function checkMetadata(p: Parsed, base: string, arch: string | undefined, issues: GgufIssue[]): void {
  const md = p.metadata;
  const err = (code: GgufErrorCode, message: string) => issues.push({ severity: 'error', code, message });
  if (!arch) {
    err('missing_metadata', `${base} lacks general.architecture; llama.cpp cannot load it`);
    return;
  }
  const required = CHECKED_ARCHITECTURES[arch];
  if (!required) {
    issues.push({
      severity: 'warning',
      code: 'missing_metadata',
      message: `${base}: architecture '${arch}' is not one this validator knows; its metadata is not checked`,
    });
  }
  for (const { suffix, abort, positive } of required ?? []) {
    const key = `${arch}.${suffix}`;
    const kv = md.get(key);
    const consequence = abort ? 'llama.cpp would abort on it' : 'llama.cpp cannot load it';
    if (!kv) {
      err('missing_metadata', `${arch} model lacks ${key}; ${consequence}`);
      continue;
    }
    const numeric =
      isNumericType(kv.type) ||
      (kv.type === GgufValueType.ARRAY && isNumericType((kv.value as GgufArray).itemType));
    if (!numeric) {
      err(
        'invalid_metadata',
        `${arch} model has ${key} of type ${GGUF_VALUE_TYPE_NAMES[kv.type]}, not a number; ${consequence}`,
      );
      continue;
    }
    const n = kvNumber(kv);
    if (positive && (n === undefined || !(n > 0))) {
      err('invalid_metadata', `${arch} model has ${key} = ${n}; llama.cpp would abort on it`);
    }
  }

  const layers = kvNumber(md.get(`${arch}.block_count`));
  if (layers !== undefined && (layers < 1 || layers > LLAMA_MAX_LAYERS || !Number.isInteger(layers))) {
    err(
      'invalid_metadata',
      `${arch} model has ${arch}.block_count = ${layers} (must be 1–${LLAMA_MAX_LAYERS}); llama.cpp would abort on it`,
    );
  }
  const heads = kvNumber(md.get(`${arch}.attention.head_count`));
  const headsKv = kvNumber(md.get(`${arch}.attention.head_count_kv`));
  if (heads && headsKv !== undefined && (headsKv < 1 || heads % headsKv !== 0)) {
    err(
      'invalid_metadata',
      `${arch} model has ${heads} attention heads and ${headsKv} key/value heads (must divide them); llama.cpp would abort on it`,
    );
  }
  const embd = kvNumber(md.get(`${arch}.embedding_length`));
  if (required && heads && embd && !md.has(`${arch}.attention.key_length`) && embd % heads !== 0) {
    err(
      'invalid_metadata',
      `${arch} model has embedding length ${embd}, not a multiple of its ${heads} attention heads`,
    );
  }
  const tokEmbd = p.tensors.find((t) => t.name === 'token_embd.weight');
  if (required && embd && tokEmbd && tokEmbd.dims[0] !== embd) {
    err(
      'invalid_tensor',
      `${base}: token_embd.weight has rows of ${tokEmbd.dims[0]} but ${arch}.embedding_length is ${embd}`,
    );
  }

  // Tokenizer.
  if (arch === 'clip') return;
  const model = kvString(md.get('tokenizer.ggml.model'));
  if (model === undefined) {
    err('invalid_tokenizer', `${base} has no tokenizer (tokenizer.ggml.model); llama.cpp cannot load it`);
    return;
  }
  if (model === 'none' || model === 'no_vocab') return;
  const tokensKv = md.get(TOKENS_KEY);
  const tokens = tokensKv?.value;
  if (!tokensKv || typeof tokens !== 'object' || tokens.itemType !== GgufValueType.STRING) {
    err('invalid_tokenizer', `${base} lacks a ${TOKENS_KEY} string array; llama.cpp cannot load it`);
    return;
  }
  const nVocab = tokens.length;
  if (p.duplicateToken) {
    const { index, firstIndex, text } = p.duplicateToken;
    const shown = JSON.stringify(Buffer.from(text, 'latin1').toString('utf8'));
    err(
      'invalid_tokenizer',
      `${base}: token ${index} ${shown} repeats token ${firstIndex}; llama.cpp would abort on it`,
    );
  }
  if (model === 'gpt2') {
    const merges = md.get('tokenizer.ggml.merges')?.value;
    if (typeof merges !== 'object' || merges.itemType !== GgufValueType.STRING) {
      err(
        'invalid_tokenizer',
        `${base}: a gpt2 (BPE) tokenizer needs tokenizer.ggml.merges; llama.cpp cannot load it`,
      );
    }
  }
  for (const [key, itemTypes] of [
    ['tokenizer.ggml.token_type', [GgufValueType.INT32]],
    ['tokenizer.ggml.scores', [GgufValueType.FLOAT32, GgufValueType.INT32]],
  ] as const) {
    const v = md.get(key)?.value;
    if (v === undefined) continue;
    if (typeof v !== 'object' || !(itemTypes as readonly number[]).includes(v.itemType)) {
      err('invalid_tokenizer', `${base}: ${key} has the wrong type; llama.cpp cannot load it`);
    } else if (v.length < nVocab) {
      err(
        'invalid_tokenizer',
        `${base}: ${key} has ${v.length} entries for ${nVocab} tokens; llama.cpp cannot load it`,
      );
    }
  }
  for (const key of ['bos', 'eos', 'unknown', 'seperator', 'padding'].map(
    (k) => `tokenizer.ggml.${k}_token_id`,
  )) {
    const id = kvNumber(md.get(key));
    if (id !== undefined && (id < 0 || id >= nVocab)) {
      issues.push({
        severity: 'warning',
        code: 'invalid_tokenizer',
        message: `${base}: ${key} = ${id} is outside the ${nVocab}-token vocabulary (llama.cpp ignores it)`,
      });
    }
  }
  if (tokEmbd && tokEmbd.dims[1] !== undefined && tokEmbd.dims[1] !== nVocab) {
    err(
      'invalid_tensor',
      `${base}: token_embd.weight has ${tokEmbd.dims[1]} rows but the tokenizer has ${nVocab} tokens`,
    );
  }
}

function summarize(file: string, p: Parsed, issues: GgufIssue[]): GgufInfo {
  const md = p.metadata;
  const arch = kvString(md.get('general.architecture'));
  const a = (suffix: string) => (arch ? kvNumber(md.get(`${arch}.${suffix}`)) : undefined);
  const fileType = kvNumber(md.get('general.file_type'));
  const chatTemplate = kvString(md.get('tokenizer.chat_template'));
  const tokens = md.get(TOKENS_KEY)?.value;
  let parameterCount = 0;
  for (const t of p.tensors) parameterCount += t.nElements;
  return {
    path: file,
    fileSize: p.fileSize,
    version: p.version,
    alignment: p.alignment,
    dataOffset: p.dataOffset,
    metadata: md,
    tensors: p.tensors,
    architecture: arch,
    name: kvString(md.get('general.name')),
    parameterCount,
    quantization:
      fileType !== undefined
        ? (FILE_TYPE_NAMES[fileType] ?? `file type ${fileType}`)
        : dominantTensorType(p.tensors),
    fileType,
    contextLength: a('context_length'),
    embeddingLength: a('embedding_length'),
    layers: a('block_count'),
    heads: a('attention.head_count'),
    headsKv: a('attention.head_count_kv') ?? a('attention.head_count'),
    feedForwardLength: a('feed_forward_length'),
    poolingType: a('pooling_type'),
    hasChatTemplate: chatTemplate !== undefined && chatTemplate.length > 0,
    chatTemplate,
    tokenizerModel: kvString(md.get('tokenizer.ggml.model')),
    tokenizerPre: kvString(md.get('tokenizer.ggml.pre')),
    vocabSize:
      typeof tokens === 'object' ? tokens.length : (kvNumber(md.get(`${arch}.vocab_size`)) ?? undefined),
    bosTokenId: kvNumber(md.get('tokenizer.ggml.bos_token_id')),
    eosTokenId: kvNumber(md.get('tokenizer.ggml.eos_token_id')),
    issues,
  };
}

/**
 * Reads a GGUF file's header and summarizes it. Throws a GgufError only when the header cannot be
 * parsed; everything else that is wrong is listed in `issues`.
 */
export async function inspectGguf(file: string, opts: ReadOptions = {}): Promise<GgufInfo> {
  const issues: GgufIssue[] = [];
  const p = await parse(file, opts, issues);
  const base = path.basename(file);
  checkTensors(p, base, issues);
  checkMetadata(p, base, kvString(p.metadata.get('general.architecture')), issues);
  return summarize(file, p, issues);
}

/**
 * Like inspectGguf, but throws a GgufError (with every error in `.issues`) when the file has
 * anything llama.cpp would refuse or abort on. Run this before a model file reaches llama.cpp.
 */
export async function validateGguf(file: string, opts: ReadOptions = {}): Promise<GgufInfo> {
  const info = await inspectGguf(file, opts);
  const errors = info.issues.filter((i) => i.severity === 'error');
  const first = errors[0];
  if (first) throw new GgufError(first.code, file, first.message, errors);
  return info;
}

/**
 * Reads items [start, start+count) of an array from the file (for arrays inspectGguf kept only a
 * sample of). Fixed-size items are read directly; strings are walked from the array's start.
 */
export async function readGgufArray(
  file: string,
  arr: GgufArray,
  start = 0,
  count = arr.length - start,
): Promise<GgufValue[]> {
  const end = Math.min(arr.length, start + Math.max(0, count));
  if (start >= end) return [];
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const cur = new Cursor(fh, size, file);
    const st: ParseState = {
      cur,
      file,
      base: path.basename(file),
      maxArrayItems: Infinity,
      sampleItems: Infinity,
      issues: [],
    };
    const itemSize = GGUF_SCALAR_SIZE[arr.itemType];
    const out: GgufValue[] = [];
    const what = () => 'array item';
    if (itemSize !== undefined) {
      cur.pos = arr.dataOffset + start * itemSize;
      for (let i = start; i < end; i++) {
        if (!cur.has(itemSize)) await cur.fill(itemSize, what);
        out.push(readScalarSync(cur, arr.itemType));
      }
      return out;
    }
    cur.pos = arr.dataOffset;
    for (let i = 0; i < end; i++) {
      if (arr.itemType === GgufValueType.STRING) {
        if (!cur.has(8)) await cur.fill(8, what);
        const n = cur.u64n();
        if (!cur.has(n)) await cur.fill(n, what);
        if (i >= start) out.push(cur.text(n, 'utf8'));
        else cur.pos += n;
      } else {
        const v = await readValue(st, arr.itemType, what);
        if (i >= start) out.push(v);
      }
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** A metadata value as a plain number (bigint converted, per-layer arrays → their largest value). */
export function ggufNumber(info: GgufInfo, key: string): number | undefined {
  return kvNumber(info.metadata.get(key));
}

export function ggufString(info: GgufInfo, key: string): string | undefined {
  return kvString(info.metadata.get(key));
}
