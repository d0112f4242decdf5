import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgufError, inspectGguf, readGgufArray, validateGguf } from './reader.ts';
import type { GgufArray } from './reader.ts';
import { makeTempDir, metadataMismatches } from '../../../test/support/gguf/test-helpers.ts';
import { writeTinyLlama } from '../../../test/support/gguf/tiny-llama.ts';
import type { TinyLlamaResult } from '../../../test/support/gguf/tiny-llama.ts';
import { GgmlType, GgufValueType } from './types.ts';
import { gguf, writeGguf } from '../../../test/support/gguf/writer.ts';
import type { GgufMetaValue } from '../../../test/support/gguf/writer.ts';

let dir: string;
let tiny: TinyLlamaResult;

beforeAll(async () => {
  dir = await makeTempDir();
  tiny = await writeTinyLlama(path.join(dir, 'tiny.gguf'), { quant: 'q8_0', seed: 7 });
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const file = (name: string) => path.join(dir, name);

async function rejection(p: Promise<unknown>): Promise<GgufError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GgufError);
    return err as GgufError;
  }
  throw new Error('expected a GgufError');
}

/** Byte position of a tensor info's type field (to corrupt it). */
function tensorTypePos(bytes: Buffer, name: string, nDims: number): number {
  const at = bytes.indexOf(Buffer.from(name));
  expect(at).toBeGreaterThan(0);
  return at + name.length + 4 + 8 * nDims;
}

describe('GGUF reader: every value type', () => {
  const metadata: [string, GgufMetaValue][] = [
    ['general.architecture', gguf.str('test-arch')],
    ['t.u8', gguf.u8(250)],
    ['t.i8', gguf.i8(-120)],
    ['t.u16', gguf.u16(65000)],
    ['t.i16', gguf.i16(-32000)],
    ['t.u32', gguf.u32(4_000_000_000)],
    ['t.i32', gguf.i32(-2_000_000_000)],
    ['t.f32', gguf.f32(0.1)],
    ['t.bool.true', gguf.bool(true)],
    ['t.bool.false', gguf.bool(false)],
    ['t.string', gguf.str('héllo — ✓ 日本')],
    ['t.empty', gguf.str('')],
    ['t.u64', gguf.u64(2n ** 63n + 5n)],
    ['t.i64', gguf.i64(-(2n ** 62n))],
    ['t.f64', gguf.f64(Math.PI)],
    ['t.arr.u8', gguf.arr('u8', [1, 2, 255])],
    ['t.arr.i16', gguf.arr('i16', [-1, 2, -3])],
    ['t.arr.i32', gguf.arr('i32', [-5, 0, 5])],
    ['t.arr.f32', gguf.arr('f32', [0.5, -1.25, 3.3])],
    ['t.arr.bool', gguf.arr('bool', [true, false, true])],
    ['t.arr.u64', gguf.arr('u64', [1n, 2n ** 60n])],
    ['t.arr.f64', gguf.arr('f64', [1e-300, 2.5])],
    ['t.arr.empty', gguf.arr('string', [])],
    ['t.arr.strings', gguf.arr('string', ['a', 'bé', ''])],
    // Larger than maxArrayItems: kept as a sample, read back lazily.
    [
      't.big.strings',
      gguf.arr(
        'string',
        Array.from({ length: 5000 }, (_, i) => `tok${i}`),
      ),
    ],
    [
      't.big.f32',
      gguf.arr(
        'f32',
        Array.from({ length: 5000 }, (_, i) => i / 8),
      ),
    ],
  ];

  it('round-trips metadata and tensor infos, and keeps large arrays as count + sample', async () => {
    const f = file('types.gguf');
    const res = await writeGguf(f, {
      metadata,
      tensors: [
        { name: 'a', dims: [4], type: GgmlType.F32, data: new Uint8Array(16) },
        { name: 'b', dims: [32, 3], type: GgmlType.Q8_0, data: new Uint8Array(3 * 34) },
        { name: 'c', dims: [64, 2, 2], type: GgmlType.F16, data: new Uint8Array(512) },
      ],
    });
    const info = await inspectGguf(f);
    expect(await metadataMismatches(info, metadata)).toEqual([]);
    expect(info.version).toBe(3);
    expect(info.alignment).toBe(32);
    expect(info.dataOffset).toBe(res.dataOffset);
    expect(info.dataOffset % 32).toBe(0);
    expect(info.fileSize).toBe(res.bytes);
    expect(info.tensors.map((t) => [t.name, t.dims, t.typeName, t.offset, t.byteSize])).toEqual([
      ['a', [4], 'F32', 0, 16],
      ['b', [32, 3], 'Q8_0', 32, 102],
      ['c', [64, 2, 2], 'F16', 160, 512],
    ]);
    const big = info.metadata.get('t.big.strings')!.value as GgufArray;
    expect(big).toMatchObject({ length: 5000, complete: false, itemType: GgufValueType.STRING });
    expect(big.items).toEqual(Array.from({ length: 16 }, (_, i) => `tok${i}`));
    expect(await readGgufArray(f, big, 4990, 3)).toEqual(['tok4990', 'tok4991', 'tok4992']);
    const bigF = info.metadata.get('t.big.f32')!.value as GgufArray;
    expect(await readGgufArray(f, bigF, 4000, 2)).toEqual([500, 500.125]);
    expect(info.parameterCount).toBe(4 + 96 + 256);
    // An unknown architecture is a warning, not an error (the missing tokenizer is one).
    expect(info.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual([
      'invalid_tokenizer',
    ]);
    expect(info.issues.map((i) => i.message).join('\n')).toMatch(
      /architecture 'test-arch' is not one this validator knows/,
    );
  });

  it('reads GGUF v2 and honours general.alignment', async () => {
    const f = file('v2.gguf');
    await writeGguf(f, {
      version: 2,
      metadata: [
        ['general.architecture', gguf.str('x')],
        ['general.alignment', gguf.u32(64)],
      ],
      tensors: [
        { name: 'a', dims: [3], type: GgmlType.F32, data: new Uint8Array(12) },
        { name: 'b', dims: [3], type: GgmlType.F32, data: new Uint8Array(12) },
      ],
    });
    const info = await inspectGguf(f);
    expect(info.version).toBe(2);
    expect(info.alignment).toBe(64);
    expect(info.dataOffset % 64).toBe(0);
    expect(info.tensors[1]!.offset).toBe(64);
  });
});

describe('GGUF reader: a tiny llama', () => {
  it('summarizes the model', async () => {
    const info = await validateGguf(tiny.path);
    expect(info).toMatchObject({
      architecture: 'llama',
      name: 'pustaka-tiny-llama-64x2-q8_0',
      quantization: 'Q8_0',
      fileType: 7,
      contextLength: 2048,
      embeddingLength: 64,
      layers: 2,
      heads: 4,
      headsKv: 4,
      feedForwardLength: 128,
      hasChatTemplate: true,
      tokenizerModel: 'gpt2',
      tokenizerPre: 'llama-bpe',
      vocabSize: tiny.nVocab,
      parameterCount: tiny.nParams,
      fileSize: tiny.bytes,
    });
    expect(info.chatTemplate).toContain('<|start_header_id|>');
    expect(info.issues).toEqual([]);
  });

  it('round-trips every metadata key and tensor info', async () => {
    const info = await inspectGguf(tiny.path);
    expect(await metadataMismatches(info, tiny.metadata)).toEqual([]);
    expect(info.tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type }))).toEqual(tiny.tensors);
    expect((info.metadata.get('tokenizer.ggml.tokens')!.value as GgufArray).complete).toBe(true);
    const sampled = await inspectGguf(tiny.path, { maxArrayItems: 100 });
    expect(await metadataMismatches(sampled, tiny.metadata)).toEqual([]);
    const tokens = sampled.metadata.get('tokenizer.ggml.tokens')!.value as GgufArray;
    expect(tokens.complete).toBe(false);
    expect(tokens.items.length).toBe(16);
    const all = await readGgufArray(tiny.path, tokens);
    expect(all.at(-1)).toBe('<|eot_id|>');
  });
});

describe('GGUF validator: files llama.cpp would refuse or abort on', () => {
  it('rejects a file that is not GGUF, naming its first bytes', async () => {
    const f = file('x.gguf');
    await fs.writeFile(f, Buffer.from('PK\x03\x04rest of a zip file', 'latin1'));
    const err = await rejection(validateGguf(f));
    expect(err.code).toBe('not_gguf');
    expect(err.message).toBe("x.gguf is not a GGUF file (starts with 'PK\\x03\\x04')");
    await fs.writeFile(f, '');
    expect((await rejection(inspectGguf(f))).message).toBe('x.gguf is not a GGUF file (it is empty)');
  });

  it('rejects unsupported versions', async () => {
    const bytes = await fs.readFile(tiny.path);
    bytes.writeUInt32LE(1, 4);
    await fs.writeFile(file('v1.gguf'), bytes);
    expect((await rejection(validateGguf(file('v1.gguf')))).message).toMatch(
      /version 1, which llama.cpp no longer reads/,
    );
    bytes.writeUInt32BE(3, 4);
    await fs.writeFile(file('be.gguf'), bytes);
    expect((await rejection(validateGguf(file('be.gguf')))).code).toBe('unsupported_version');
  });

  it('reports a truncated file by the first tensor that does not fit', async () => {
    const info = await inspectGguf(tiny.path);
    const t = info.tensors[5]!;
    const cut = t.fileOffset + 10;
    await fs.copyFile(tiny.path, file('cut.gguf'));
    await fs.truncate(file('cut.gguf'), cut);
    const err = await rejection(validateGguf(file('cut.gguf')));
    expect(err.code).toBe('truncated');
    expect(err.message).toBe(
      `cut.gguf is truncated: tensor ${t.name} ends at byte ${t.fileOffset + t.byteSize!} but the file has ${cut} bytes`,
    );
    // Cut inside the header: the parser itself says so.
    await fs.truncate(file('cut.gguf'), 2000);
    const err2 = await rejection(inspectGguf(file('cut.gguf')));
    expect(err2.code).toBe('truncated');
    expect(err2.message).toMatch(/^cut\.gguf is truncated: metadata value 'tokenizer\.ggml\.tokens'/);
  });

  it('rejects llama files missing metadata that make llama.cpp abort', async () => {
    for (const key of ['llama.attention.head_count', 'llama.feed_forward_length']) {
      const f = file(`no-${key}.gguf`);
      await writeTinyLlama(f, { omitMetadata: [key] });
      const err = await rejection(validateGguf(f));
      expect(err.code).toBe('missing_metadata');
      expect(err.message).toBe(`llama model lacks ${key}; llama.cpp would abort on it`);
    }
    const f = file('no-ctx.gguf');
    await writeTinyLlama(f, { omitMetadata: ['llama.context_length'] });
    expect((await rejection(validateGguf(f))).message).toBe(
      'llama model lacks llama.context_length; llama.cpp cannot load it',
    );
  });

  it('rejects zero or impossible hyper-parameters and broken tokenizers', async () => {
    const cases: [string, [string, GgufMetaValue][], RegExp][] = [
      ['blk0', [['llama.block_count', gguf.u32(0)]], /block_count = 0 .*would abort/],
      ['heads0', [['llama.attention.head_count', gguf.u32(0)]], /head_count = 0; llama.cpp would abort/],
      ['kv3', [['llama.attention.head_count_kv', gguf.u32(3)]], /4 attention heads and 3 key\/value heads/],
      ['ctxstr', [['llama.context_length', gguf.str('2048')]], /llama.context_length of type string/],
      [
        'dup',
        [['tokenizer.ggml.tokens', gguf.arr('string', ['a', 'b', 'a'])]],
        /token 2 "a" repeats token 0; llama.cpp would abort/,
      ],
      ['nomerges', [['tokenizer.ggml.merges', gguf.str('x')]], /needs tokenizer.ggml.merges/],
    ];
    for (const [name, metadata, pattern] of cases) {
      const f = file(`${name}.gguf`);
      await writeTinyLlama(f, { metadata });
      const err = await rejection(validateGguf(f));
      expect(err.issues.map((i) => i.message).join('\n'), name).toMatch(pattern);
    }
    const f = file('notok.gguf');
    await writeTinyLlama(f, { omitMetadata: ['tokenizer.ggml.model'] });
    expect((await rejection(validateGguf(f))).code).toBe('invalid_tokenizer');
  });

  it('checks tensor offsets and types; an unknown type is only a warning', async () => {
    const bytes = await fs.readFile(tiny.path);
    const pos = tensorTypePos(bytes, 'blk.1.ffn_down.weight', 2);
    const moved = Buffer.from(bytes);
    moved.writeBigUInt64LE(moved.readBigUInt64LE(pos + 4) + 32n, pos + 4);
    await fs.writeFile(file('moved.gguf'), moved);
    expect((await rejection(validateGguf(file('moved.gguf')))).message).toMatch(
      /tensor 'blk.1.ffn_down.weight' has offset \d+, expected \d+/,
    );

    const odd = Buffer.from(bytes);
    odd.writeUInt32LE(99, tensorTypePos(odd, 'output_norm.weight', 1));
    await fs.writeFile(file('odd.gguf'), odd);
    const info = await validateGguf(file('odd.gguf'));
    expect(info.tensors.at(-1)).toMatchObject({ typeName: 'unknown type 99', byteSize: undefined });
    expect(info.issues).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringMatching(/ggml type 99, which this reader does not know/),
      }),
    ]);
  });

  it('reads a header without reading the data section', async () => {
    // A header claiming a 4 GB tensor after it: inspect stays fast and reports truncation.
    const f = file('huge.gguf');
    await writeGguf(f, {
      metadata: [['general.architecture', gguf.str('x')]],
      tensors: [{ name: 'w', dims: [32, 8], type: GgmlType.Q4_0, data: new Uint8Array(8 * 18) }],
    });
    const bytes = await fs.readFile(f);
    const pos = tensorTypePos(bytes, 'w', 2);
    bytes.writeBigUInt64LE(1n << 27n, pos - 8); // ne[1]: 134M rows of 32 → 2.4 GB of Q4_0
    await fs.writeFile(f, bytes);
    const err = await rejection(validateGguf(f));
    expect(err.message).toMatch(
      /^huge.gguf is truncated: tensor w ends at byte 2415919\d+ but the file has \d+ bytes$/,
    );
  });
});
