/**
 * Vector helpers shared by the vector store and its tests.
 *
 * Stored vectors are L2-normalized float32 so that L2 distance ranks exactly like cosine similarity
 * (for unit vectors, ‖a−b‖² = 2 − 2·cos(a,b)), and the coarse pass uses one sign bit per dimension.
 */

/** Throws unless every component is finite; returns a new unit-length copy (a zero vector stays zero). */
export function normalizeL2(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) throw new RangeError(`embedding has a non-finite value at index ${i} (${x})`);
    sum += x * x;
  }
  const out = new Float32Array(v.length);
  if (sum === 0) return out;
  const norm = Math.sqrt(sum);
  if (!Number.isFinite(norm)) throw new RangeError('embedding norm overflows float range');
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

/** The bytes of a Float32Array as a Buffer (zero-copy view), ready to bind as a SQLite BLOB. */
export function f32Blob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Decodes a float32 BLOB read back from SQLite. */
export function blobToF32(b: Uint8Array): Float32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

/**
 * Sign-bit quantization with the same bit layout as sqlite-vec's `vec_quantize_binary`:
 * bit i is set when v[i] > 0, packed least-significant-bit first within each byte.
 */
export function binaryQuantize(v: Float32Array): Uint8Array {
  if (v.length % 8 !== 0)
    throw new RangeError(`binary quantization needs a dimension divisible by 8, got ${v.length}`);
  const out = new Uint8Array(v.length / 8);
  for (let i = 0; i < v.length; i++) if (v[i]! > 0) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** Number of differing bits between two equally long bit vectors. */
export function hammingDistance(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError('bit vectors differ in length');
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i]! ^ b[i]!;
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}

/** Euclidean distance (for tests and JS-side rescoring). */
export function l2Distance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError('vectors differ in length');
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
