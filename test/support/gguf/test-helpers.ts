/** Helpers shared by the GGUF tests: temp dirs and comparing what was written with what is read. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readGgufArray } from '../../../core/models/gguf/reader.ts';
import type { GgufArray, GgufInfo, GgufValue } from '../../../core/models/gguf/reader.ts';
import { GGUF_TYPE_IDS } from './writer.ts';
import type { GgufMetaValue } from './writer.ts';

export async function makeTempDir(prefix = 'pustaka-gguf-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

function same(expected: number | bigint | boolean | string, actual: GgufValue, type: string): boolean {
  if (type === 'f32') return typeof actual === 'number' && actual === Math.fround(expected as number);
  if (type === 'u64' || type === 'i64') return actual === BigInt(expected as number | bigint);
  return actual === expected;
}

/** Every mismatch between written metadata and what the reader returns (all array items included). */
export async function metadataMismatches(
  info: GgufInfo,
  written: ReadonlyArray<readonly [string, GgufMetaValue]>,
): Promise<string[]> {
  const out: string[] = [];
  if (info.metadata.size !== written.length)
    out.push(`${info.metadata.size} keys read, ${written.length} written`);
  const keys = [...info.metadata.keys()];
  for (const [i, [key, mv]] of written.entries()) {
    if (keys[i] !== key) out.push(`key #${i}: read '${keys[i]}', wrote '${key}'`);
    const kv = info.metadata.get(key);
    if (!kv) {
      out.push(`${key}: missing`);
      continue;
    }
    if (kv.type !== GGUF_TYPE_IDS[mv.type]) out.push(`${key}: type ${kv.type}, wrote ${mv.type}`);
    if (mv.type !== 'array') {
      if (!same(mv.value, kv.value, mv.type))
        out.push(`${key}: read ${String(kv.value)}, wrote ${String(mv.value)}`);
      continue;
    }
    const arr = kv.value as GgufArray;
    if (arr.itemType !== GGUF_TYPE_IDS[mv.itemType])
      out.push(`${key}: item type ${arr.itemType}, wrote ${mv.itemType}`);
    if (arr.length !== mv.value.length) out.push(`${key}: ${arr.length} items, wrote ${mv.value.length}`);
    const items = arr.complete ? arr.items : await readGgufArray(info.path, arr);
    for (let j = 0; j < mv.value.length; j++) {
      if (!same(mv.value[j]!, items[j]!, mv.itemType)) {
        out.push(`${key}[${j}]: read ${String(items[j])}, wrote ${String(mv.value[j])}`);
        break;
      }
    }
  }
  return out;
}
