import { z } from 'zod';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface GenContext {
  random: () => number;
  junk: unknown[];
  /** Safe stand-ins for anything that names a file or folder. */
  paths: string[];
}

const PATHISH = /path|file|dir|folder|model|source|target|dest/i;
const WORDS = [
  'visa',
  'KITAS',
  'pajak',
  'Tax',
  'a',
  'sponsor letter',
  'x y z',
  '1',
  'builtin',
  'chat',
  'embedding',
];

function pick<T>(ctx: GenContext, list: readonly T[]): T {
  return list[Math.floor(ctx.random() * list.length)]!;
}

/** JSON Schema of a contract's params (input side); {} when zod cannot express it. */
export function paramsJsonSchema(schema: z.ZodType): Json {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  } catch {
    return {};
  }
}

/** A value that follows the schema most of the time (so calls get past validation and run). */
export function validish(ctx: GenContext, schema: Json, key = '', depth = 0): unknown {
  if (depth > 6) return null;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return pick(ctx, schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return validish(ctx, pick(ctx, alternatives), key, depth + 1);
  if (Array.isArray(schema.allOf) && schema.allOf.length)
    return validish(ctx, schema.allOf[0], key, depth + 1);
  const type = Array.isArray(schema.type) ? pick(ctx, schema.type) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(schema.required ?? []);
      for (const [k, sub] of Object.entries<Json>(schema.properties ?? {})) {
        if (required.has(k) || ctx.random() < 0.5) out[k] = validish(ctx, sub, k, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const n = min + Math.floor(ctx.random() * 3);
      return Array.from({ length: n }, () => validish(ctx, schema.items ?? {}, key, depth + 1));
    }
    case 'string': {
      if (PATHISH.test(key)) return pick(ctx, ctx.paths);
      if (schema.format === 'date-time' || schema.format === 'date')
        return new Date(ctx.random() * 2e12).toISOString();
      const word = pick(ctx, WORDS);
      const max = schema.maxLength ?? 200;
      const min = schema.minLength ?? 0;
      const s = word.length >= min ? word : word.padEnd(min, 'x');
      return s.slice(0, max);
    }
    case 'integer':
    case 'number': {
      const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const hi = Math.min(schema.maximum ?? lo + 100, lo + 100);
      const n = lo + ctx.random() * (hi - lo);
      return type === 'integer' ? Math.round(n) : n;
    }
    case 'boolean':
      return ctx.random() < 0.5;
    case 'null':
      return null;
    default:
      return pick(ctx, WORDS);
  }
}

/** Replaces one value somewhere in `value` with junk, or drops a key, or adds a hostile one. */
export function mutate(ctx: GenContext, value: unknown, depth = 0): unknown {
  const r = ctx.random();
  if (value === null || typeof value !== 'object' || depth > 4 || r < 0.2) return pick(ctx, ctx.junk);
  if (Array.isArray(value)) {
    if (value.length === 0) return [pick(ctx, ctx.junk)];
    const copy = [...value];
    const i = Math.floor(ctx.random() * copy.length);
    copy[i] = mutate(ctx, copy[i], depth + 1);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (r < 0.35 && keys.length) {
    delete copy[pick(ctx, keys)];
  } else if (r < 0.5) {
    // An own "__proto__" key, as JSON.parse makes from a message off the wire.
    Object.defineProperty(copy, pick(ctx, ['__proto__', 'constructor', 'prototype', 'toString', 'extra']), {
      value: pick(ctx, ctx.junk),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  } else if (keys.length) {
    const k = pick(ctx, keys);
    copy[k] = mutate(ctx, copy[k], depth + 1);
  } else {
    copy.unexpected = pick(ctx, ctx.junk);
  }
  return copy;
}
