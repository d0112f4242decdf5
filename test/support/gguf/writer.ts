/**
 * Writes GGUF v3 files: header, typed metadata (arrays included), tensor infos and the tensor data
 * section with every tensor aligned (general.alignment, default 32). Tensor data is either given
 * as bytes or produced chunk by chunk by a callback and streamed to disk, so a multi-GB model
 * never sits in memory.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GgufValueType,
  ggmlTypeName,
  ggmlTypeTraits,
} from '../../../core/models/gguf/types.ts';
import type { GgufValueTypeId } from '../../../core/models/gguf/types.ts';

export {
  encodeTensor,
  encodeF32,
  encodeF16,
  encodeBF16,
  encodeQ8_0,
  encodeQ4_0,
  decodeTensor,
} from './quant.ts';
export type { EncodableType } from './quant.ts';

export type GgufScalarTypeName =
  'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'string' | 'u64' | 'i64' | 'f64';

export type GgufMetaValue =
  | { type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64'; value: number }
  | { type: 'u64' | 'i64'; value: bigint | number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: GgufScalarTypeName; value: readonly (number | bigint | boolean | string)[] };

/** Shorthands: gguf.u32(4), gguf.str('llama'), gguf.arr('string', tokens) … */
export const gguf = {
  u8: (value: number): GgufMetaValue => ({ type: 'u8', value }),
  i8: (value: number): GgufMetaValue => ({ type: 'i8', value }),
  u16: (value: number): GgufMetaValue => ({ type: 'u16', value }),
  i16: (value: number): GgufMetaValue => ({ type: 'i16', value }),
  u32: (value: number): GgufMetaValue => ({ type: 'u32', value }),
  i32: (value: number): GgufMetaValue => ({ type: 'i32', value }),
  f32: (value: number): GgufMetaValue => ({ type: 'f32', value }),
  f64: (value: number): GgufMetaValue => ({ type: 'f64', value }),
  u64: (value: bigint | number): GgufMetaValue => ({ type: 'u64', value }),
  i64: (value: bigint | number): GgufMetaValue => ({ type: 'i64', value }),
  bool: (value: boolean): GgufMetaValue => ({ type: 'bool', value }),
  str: (value: string): GgufMetaValue => ({ type: 'string', value }),
  arr: (
    itemType: GgufScalarTypeName,
    value: readonly (number | bigint | boolean | string)[],
  ): GgufMetaValue => ({
    type: 'array',
    itemType,
    value,
  }),
};

export const GGUF_TYPE_IDS: Record<GgufScalarTypeName | 'array', GgufValueTypeId> = {
  u8: GgufValueType.UINT8,
  i8: GgufValueType.INT8,
  u16: GgufValueType.UINT16,
  i16: GgufValueType.INT16,
  u32: GgufValueType.UINT32,
  i32: GgufValueType.INT32,
  f32: GgufValueType.FLOAT32,
  bool: GgufValueType.BOOL,
  string: GgufValueType.STRING,
  array: GgufValueType.ARRAY,
  u64: GgufValueType.UINT64,
  i64: GgufValueType.INT64,
  f64: GgufValueType.FLOAT64,
};

/** Receives a tensor's encoded bytes in order; the returned promise applies back-pressure. */
export type TensorSink = (chunk: Uint8Array) => Promise<void>;

export interface GgufTensorInput {
  name: string;
  /** ne[0] first (the row length). */
  dims: readonly number[];
  /** ggml type id (GgmlType.Q8_0 …). */
  type: number;
  /** The encoded bytes, or a producer that emits them in chunks (streamed to disk). */
  data: Uint8Array | ((write: TensorSink) => Promise<void>);
}

export interface GgufWriteInput {
  /** In file order. `general.alignment` here (as u32) sets the alignment. */
  metadata: ReadonlyArray<readonly [string, GgufMetaValue]>;
  tensors: readonly GgufTensorInput[];
  /** GGUF version to write (3, or 2 for tests). */
  version?: 2 | 3;
}

export interface GgufWriteResult {
  bytes: number;
  dataOffset: number;
  alignment: number;
}

/** Growable little-endian byte buffer for the header. */
class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf.writeUInt8(v & 0xff, this.length);
    this.length += 1;
  }
  i8(v: number): void {
    this.room(1);
    this.buf.writeInt8(v, this.length);
    this.length += 1;
  }
  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
  }
  i16(v: number): void {
    this.room(2);
    this.buf.writeInt16LE(v, this.length);
    this.length += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.room(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }
  f32(v: number): void {
    this.room(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
  }
  u64(v: bigint | number): void {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  i64(v: bigint | number): void {
    this.room(8);
    this.buf.writeBigInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.u64(n);
    this.room(n);
    this.buf.write(s, this.length, 'utf8');
    this.length += n;
  }
  pad(alignment: number): void {
    const target = Math.ceil(this.length / alignment) * alignment;
    this.room(target - this.length);
    this.buf.fill(0, this.length, target);
    this.length = target;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeScalar(
  w: ByteWriter,
  type: GgufScalarTypeName,
  v: number | bigint | boolean | string,
  key: string,
): void {
  const bad = () => new TypeError(`GGUF metadata '${key}': ${String(v)} is not a valid ${type}`);
  switch (type) {
    case 'string':
      if (typeof v !== 'string') throw bad();
      return w.str(v);
    case 'bool':
      if (typeof v !== 'boolean') throw bad();
      return w.u8(v ? 1 : 0);
    case 'u64':
      if (typeof v !== 'bigint' && typeof v !== 'number') throw bad();
      return w.u64(v);
    case 'i64':
      if (typeof v !== 'bigint' && typeof v !== 'number') throw bad();
      return w.i64(v);
  }
  if (typeof v !== 'number') throw bad();
  switch (type) {
    case 'u8':
      return w.u8(v);
    case 'i8':
      return w.i8(v);
    case 'u16':
      return w.u16(v);
    case 'i16':
      return w.i16(v);
    case 'u32':
      return w.u32(v);
    case 'i32':
      return w.i32(v);
    case 'f32':
      return w.f32(v);
    case 'f64':
      return w.f64(v);
  }
}

/** Bytes of a tensor's data for its type and shape (throws for an unknown type or a ragged row). */
export function tensorByteSize(name: string, type: number, dims: readonly number[]): number {
  const traits = ggmlTypeTraits(type);
  if (!traits) throw new RangeError(`tensor '${name}': unknown ggml type ${type}`);
  const n = dims.reduce((a, b) => a * b, 1);
  if ((dims[0] ?? 1) % traits.blockSize !== 0) {
    throw new RangeError(
      `tensor '${name}': rows of ${dims[0]} are not a multiple of the ${ggmlTypeName(type)} block size ${traits.blockSize}`,
    );
  }
  return (n / traits.blockSize) * traits.typeSize;
}

/** Buffers small writes into big ones. */
class FileSink {
  private readonly buf = Buffer.allocUnsafe(4 << 20);
  private used = 0;
  written = 0;

  constructor(private readonly fh: FileHandle) {}

  async write(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      if (this.used === 0 && chunk.length - off >= this.buf.length) {
        await this.writeAll(chunk.subarray(off));
        this.written += chunk.length - off;
        return;
      }
      const n = Math.min(chunk.length - off, this.buf.length - this.used);
      this.buf.set(chunk.subarray(off, off + n), this.used);
      this.used += n;
      off += n;
      this.written += n;
      if (this.used === this.buf.length) await this.flush();
    }
  }

  async zeros(n: number): Promise<void> {
    if (n > 0) await this.write(new Uint8Array(n));
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
  }
}

/** Writes a GGUF file. Tensors are laid out in the order given, each padded to the alignment. */
export async function writeGguf(file: string, input: GgufWriteInput): Promise<GgufWriteResult> {
  const alignEntry = input.metadata.find(([k]) => k === 'general.alignment')?.[1];
  const alignment = alignEntry && alignEntry.type === 'u32' ? alignEntry.value : GGUF_DEFAULT_ALIGNMENT;
  if (alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    throw new RangeError(`alignment ${alignment} is not a power of 2`);
  }
  const seen = new Set<string>();
  for (const [key] of input.metadata) {
    if (seen.has(key)) throw new Error(`GGUF metadata key '${key}' given twice`);
    seen.add(key);
  }

  const w = new ByteWriter();
  w.u8(0x47); // 'G'
  w.u8(0x47); // 'G'
  w.u8(0x55); // 'U'
  w.u8(0x46); // 'F'
  w.u32(input.version ?? 3);
  w.u64(input.tensors.length);
  w.u64(input.metadata.length);
  for (const [key, mv] of input.metadata) {
    w.str(key);
    w.u32(GGUF_TYPE_IDS[mv.type]);
    if (mv.type === 'array') {
      w.u32(GGUF_TYPE_IDS[mv.itemType]);
      w.u64(mv.value.length);
      for (const item of mv.value) writeScalar(w, mv.itemType, item, key);
    } else {
      writeScalar(w, mv.type, mv.value, key);
    }
  }

  const sizes: number[] = [];
  let offset = 0;
  for (const t of input.tensors) {
    const size = tensorByteSize(t.name, t.type, t.dims);
    sizes.push(size);
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(offset);
    offset += Math.ceil(size / alignment) * alignment;
  }
  w.pad(alignment);
  const dataOffset = w.length;

  const fh = await open(file, 'w');
  try {
    const sink = new FileSink(fh);
    await sink.write(w.bytes());
    for (const [i, t] of input.tensors.entries()) {
      const size = sizes[i]!;
      const before = sink.written;
      if (t.data instanceof Uint8Array) await sink.write(t.data);
      else await t.data((chunk) => sink.write(chunk));
      const got = sink.written - before;
      if (got !== size) {
        throw new Error(
          `tensor '${t.name}': ${got} bytes of data for a ${ggmlTypeName(t.type)} tensor of ${size} bytes`,
        );
      }
      await sink.zeros(Math.ceil(size / alignment) * alignment - size);
    }
    await sink.flush();
    return { bytes: sink.written, dataOffset, alignment };
  } finally {
    await fh.close();
  }
}
