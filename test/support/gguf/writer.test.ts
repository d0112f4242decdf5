import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainBpe, preTokenize } from './bpe.ts';
import { f16BitsToF32, f32ToF16Bits } from './quant.ts';
import { inspectGguf } from '../../../core/models/gguf/reader.ts';
import { makeTempDir } from './test-helpers.ts';
import { writeTinyLlama } from './tiny-llama.ts';
import { GgmlType } from '../../../core/models/gguf/types.ts';
import { decodeTensor, encodeBF16, encodeF16, encodeQ4_0, encodeQ8_0, gguf, writeGguf } from './writer.ts';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function pseudoRandom(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = (x / 2 ** 32) * 4 - 2;
  }
  return out;
}

describe('encoders', () => {
  it('converts to half precision with round-to-nearest-even', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to infinity
      [1 / 3, 0x3555],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // a tie: rounds to even (zero)
      [3 * 2 ** -25, 0x0002], // a tie: rounds to even
      [1 + 2 ** -11, 0x3c00], // a tie: rounds to even
      [1 + 3 * 2 ** -11, 0x3c02],
      [Infinity, 0x7c00],
    ];
    for (const [v, bits] of cases) expect(f32ToF16Bits(v), String(v)).toBe(bits);
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    for (const v of [1, -2, 0.5, 65504, 2 ** -24, 1 / 1024]) expect(f16BitsToF32(f32ToF16Bits(v))).toBe(v);
    const xs = pseudoRandom(1000);
    const back = decodeTensor(GgmlType.F16, encodeF16(xs), xs.length);
    for (let i = 0; i < xs.length; i++) expect(Math.abs(back[i]! - xs[i]!)).toBeLessThanOrEqual(2 ** -10);
    const bf = decodeTensor(GgmlType.BF16, encodeBF16(xs), xs.length);
    for (let i = 0; i < xs.length; i++) expect(Math.abs(bf[i]! - xs[i]!)).toBeLessThanOrEqual(2 ** -7);
  });

  it('Q8_0: within half a step of the block scale', () => {
    const xs = pseudoRandom(32 * 20, 3);
    const bytes = encodeQ8_0(xs);
    expect(bytes.length).toBe(20 * 34);
    const back = decodeTensor(GgmlType.Q8_0, bytes, xs.length);
    for (let b = 0; b < 20; b++) {
      const block = xs.subarray(b * 32, b * 32 + 32);
      const d = Math.max(...block.map(Math.abs)) / 127;
      for (let j = 0; j < 32; j++)
        expect(Math.abs(back[b * 32 + j]! - block[j]!)).toBeLessThanOrEqual(d * 0.51 + 1e-3);
    }
    expect(() => encodeQ8_0(new Float32Array(31))).toThrow(/multiple of 32/);
  });

  it('Q4_0: ggml layout (low nibbles first 16, high nibbles last 16), exact on its grid', () => {
    const grid = Float32Array.from({ length: 32 }, (_, i) => ((i % 16) - 8) * 0.5);
    const bytes = encodeQ4_0(grid);
    expect(bytes.length).toBe(18);
    expect(f16BitsToF32(bytes[0]! | (bytes[1]! << 8))).toBe(0.5); // d = max / -8 with max = -4
    expect(bytes[2]).toBe(0x00); // values 0 and 16 are both -4 → q 0
    expect(bytes[17]).toBe(0xff); // values 15 and 31 are 3.5 → q 15
    expect(Array.from(decodeTensor(GgmlType.Q4_0, bytes, 32))).toEqual(Array.from(grid));
    const xs = pseudoRandom(32 * 10, 5);
    const back = decodeTensor(GgmlType.Q4_0, encodeQ4_0(xs), xs.length);
    for (let b = 0; b < 10; b++) {
      const block = xs.subarray(b * 32, b * 32 + 32);
      // Half a step, except a full step for values clipped at q = 15 (the side opposite the max).
      const step = Math.max(...block.map(Math.abs)) / 8;
      for (let j = 0; j < 32; j++)
        expect(Math.abs(back[b * 32 + j]! - block[j]!)).toBeLessThanOrEqual(step * 1.01 + 1e-3);
    }
  });
});

describe('writer', () => {
  it('streams producer data, pads every tensor, and checks sizes', async () => {
    const f = path.join(dir, 'stream.gguf');
    const res = await writeGguf(f, {
      metadata: [['general.architecture', gguf.str('x')]],
      tensors: [
        {
          name: 'big',
          dims: [64, 1000],
          type: GgmlType.F32,
          data: async (write) => {
            for (let r = 0; r < 1000; r += 100) await write(new Uint8Array(64 * 100 * 4).fill(r / 100));
          },
        },
        { name: 'odd', dims: [3], type: GgmlType.F32, data: new Uint8Array(12).fill(7) },
      ],
    });
    const info = await inspectGguf(f);
    expect(info.tensors.map((t) => t.offset)).toEqual([0, 256_000]);
    expect(res.bytes).toBe(info.dataOffset + 256_000 + 32);
    const fh = await fs.open(f);
    const probe = Buffer.alloc(1);
    await fh.read(probe, 0, 1, info.dataOffset + 64 * 100 * 4 * 3);
    await fh.close();
    expect(probe[0]).toBe(3);

    await expect(
      writeGguf(path.join(dir, 'short.gguf'), {
        metadata: [],
        tensors: [{ name: 'w', dims: [32, 2], type: GgmlType.Q8_0, data: new Uint8Array(34) }],
      }),
    ).rejects.toThrow("tensor 'w': 34 bytes of data for a Q8_0 tensor of 68 bytes");
    await expect(
      writeGguf(path.join(dir, 'ragged.gguf'), {
        metadata: [],
        tensors: [{ name: 'w', dims: [30], type: GgmlType.Q4_0, data: new Uint8Array(0) }],
      }),
    ).rejects.toThrow(/not a multiple of the Q4_0 block size 32/);
  });

  it('tiny models: quantized weights decode close to the f32 ones of the same seed', async () => {
    const f32 = await writeTinyLlama(path.join(dir, 'a-f32.gguf'), { quant: 'f32', seed: 3 });
    const q8 = await writeTinyLlama(path.join(dir, 'a-q8.gguf'), { quant: 'q8_0', seed: 3 });
    const q4 = await writeTinyLlama(path.join(dir, 'a-q4.gguf'), { quant: 'q4_0', seed: 3 });
    const read = async (file: string, name: string) => {
      const info = await inspectGguf(file);
      const t = info.tensors.find((x) => x.name === name)!;
      const fh = await fs.open(file);
      const buf = Buffer.alloc(t.byteSize!);
      await fh.read(buf, 0, buf.length, t.fileOffset);
      await fh.close();
      return decodeTensor(t.type, buf, t.nElements);
    };
    const ref = await read(f32.path, 'blk.1.ffn_up.weight');
    const scale = Math.sqrt(3 / 64);
    expect(Math.max(...ref.map(Math.abs))).toBeLessThanOrEqual(scale);
    for (const [file, tol] of [
      [q8.path, (scale / 127) * 0.51],
      [q4.path, (scale / 8) * 1.01],
    ] as const) {
      const got = await read(file, 'blk.1.ffn_up.weight');
      let maxErr = 0;
      for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - ref[i]!));
      expect(maxErr).toBeLessThanOrEqual(tol + 1e-3);
    }
    expect(q4.bytes).toBeLessThan(q8.bytes);
    expect(q8.bytes).toBeLessThan(f32.bytes);
  });
});

describe('BPE vocabulary', () => {
  it('learns merges deterministically, with unique tokens', () => {
    const a = trainBpe(undefined, 300);
    const b = trainBpe(undefined, 300);
    expect(a).toEqual(b);
    expect(a.merges.length).toBe(300);
    expect(new Set(a.tokens).size).toBe(a.tokens.length);
    expect(a.tokens[32]).toBe('Ġ');
    expect(a.tokens).toContain('Ġthe');
    expect(preTokenize("Don't pay 12345 fees!\n\nOK")).toEqual([
      'Don',
      "'t",
      ' pay',
      ' ',
      '123',
      '45',
      ' fees',
      '!\n\n',
      'OK',
    ]);
  });
});
