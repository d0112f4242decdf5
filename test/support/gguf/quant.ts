/**
 * Tensor data encoders (F32, F16, BF16, Q8_0, Q4_0) following ggml's reference quantizers
 * (ggml-quants.c: quantize_row_q8_0_ref / quantize_row_q4_0_ref), plus decoders used by tests.
 * Input length must be a multiple of the block size (32 for Q8_0 and Q4_0).
 */
import { GgmlType, ggmlTypeTraits } from '../../../core/models/gguf/types.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half-precision bits of a float, rounded to nearest even (like the F16C instruction). */
export function f32ToF16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    // Subnormal half (or zero).
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // may carry into the exponent: fine
  e = half >>> 10;
  return sign | (e >= 0x1f ? 0x7c00 : half);
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function f32ToBf16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((x + (0x7fff + ((x >>> 16) & 1))) >>> 16) & 0xffff;
}

function checkBlocks(values: Float32Array, block: number, name: string): void {
  if (values.length % block !== 0) {
    throw new RangeError(`${name} needs a multiple of ${block} values, got ${values.length}`);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeF32(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.slice().buffer);
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i]!, true);
  return out;
}

export function encodeF16(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const h = f32ToF16Bits(values[i]!);
    out[i * 2] = h & 0xff;
    out[i * 2 + 1] = h >>> 8;
  }
  return out;
}

export function encodeBF16(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const h = f32ToBf16Bits(values[i]!);
    out[i * 2] = h & 0xff;
    out[i * 2 + 1] = h >>> 8;
  }
  return out;
}

/** Q8_0: per 32 values an f16 scale d = max|x|/127 and 32 int8 round(x/d). */
export function encodeQ8_0(values: Float32Array): Uint8Array {
  checkBlocks(values, 32, 'Q8_0');
  const nb = values.length / 32;
  const out = new Uint8Array(nb * 34);
  for (let b = 0; b < nb; b++) {
    const x0 = b * 32;
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(values[x0 + j]!));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    const o = b * 34;
    const h = f32ToF16Bits(d);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
    for (let j = 0; j < 32; j++) {
      const v = values[x0 + j]! * id;
      out[o + 2 + j] = (v < 0 ? -Math.round(-v) : Math.round(v)) & 0xff; // roundf: halves away from 0
    }
  }
  return out;
}

/**
 * Q4_0: per 32 values an f16 scale d = max/-8 (max = the value of largest magnitude) and 4-bit
 * q = min(15, trunc(x/d + 8.5)); byte j holds value j (low nibble) and value j+16 (high nibble).
 */
export function encodeQ4_0(values: Float32Array): Uint8Array {
  checkBlocks(values, 32, 'Q4_0');
  const nb = values.length / 32;
  const out = new Uint8Array(nb * 18);
  for (let b = 0; b < nb; b++) {
    const x0 = b * 32;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 32; j++) {
      const v = values[x0 + j]!;
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = max / -8;
    const id = d ? 1 / d : 0;
    const o = b * 18;
    const h = f32ToF16Bits(d);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
    for (let j = 0; j < 16; j++) {
      const q0 = Math.min(15, Math.trunc(values[x0 + j]! * id + 8.5));
      const q1 = Math.min(15, Math.trunc(values[x0 + 16 + j]! * id + 8.5));
      out[o + 2 + j] = (q0 & 0xf) | ((q1 & 0xf) << 4);
    }
  }
  return out;
}

export type EncodableType = 'F32' | 'F16' | 'BF16' | 'Q8_0' | 'Q4_0';

export const ENCODERS: Record<EncodableType, (values: Float32Array) => Uint8Array> = {
  F32: encodeF32,
  F16: encodeF16,
  BF16: encodeBF16,
  Q8_0: encodeQ8_0,
  Q4_0: encodeQ4_0,
};

export function encodeTensor(type: EncodableType, values: Float32Array): Uint8Array {
  return ENCODERS[type](values);
}

/** Decodes F32/F16/BF16/Q8_0/Q4_0 data back to floats (for tests and debugging). */
export function decodeTensor(type: number, bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const traits = ggmlTypeTraits(type);
  if (!traits || bytes.byteLength < Math.ceil(n / traits.blockSize) * traits.typeSize) {
    throw new RangeError(`cannot decode ${n} values of type ${type} from ${bytes.byteLength} bytes`);
  }
  switch (type) {
    case GgmlType.F32:
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    case GgmlType.F16:
      for (let i = 0; i < n; i++) out[i] = f16BitsToF32(dv.getUint16(i * 2, true));
      return out;
    case GgmlType.BF16:
      for (let i = 0; i < n; i++) {
        u32[0] = dv.getUint16(i * 2, true) << 16;
        out[i] = f32[0]!;
      }
      return out;
    case GgmlType.Q8_0:
      for (let b = 0; b * 32 < n; b++) {
        const d = f16BitsToF32(dv.getUint16(b * 34, true));
        for (let j = 0; j < 32 && b * 32 + j < n; j++) out[b * 32 + j] = d * dv.getInt8(b * 34 + 2 + j);
      }
      return out;
    case GgmlType.Q4_0:
      for (let b = 0; b * 32 < n; b++) {
        const d = f16BitsToF32(dv.getUint16(b * 18, true));
        for (let j = 0; j < 16; j++) {
          const byte = dv.getUint8(b * 18 + 2 + j);
          out[b * 32 + j] = d * ((byte & 0xf) - 8);
          out[b * 32 + 16 + j] = d * ((byte >>> 4) - 8);
        }
      }
      return out;
    default:
      throw new RangeError(`decoding ggml type ${type} is not supported`);
  }
}
