/**
 * Writes a generated llama GGUF model (random weights, real BPE tokenizer) for tests and benchmarks:
 *
 *   npx tsx test/support/gguf/make-tiny.ts out.gguf [--shape tiny|100m|1b] [--quant f32|f16|q8_0|q4_0]
 *                                             [--seed N] [--ctx N]
 *
 * Tensor data is generated and written in chunks, so even the 1b shape needs little memory.
 */
import { parseArgs } from 'node:util';
import { TINY_SHAPES, writeTinyLlama } from './tiny-llama.ts';
import type { TinyQuant, TinyShape } from './tiny-llama.ts';

const QUANTS: readonly TinyQuant[] = ['f32', 'f16', 'q8_0', 'q4_0'];

function usage(message: string): never {
  console.error(`make-tiny: ${message}`);
  console.error(
    'usage: tsx test/support/gguf/make-tiny.ts OUT.gguf [--shape tiny|100m|1b] [--quant f32|f16|q8_0|q4_0] [--seed N] [--ctx N]',
  );
  process.exit(2);
}

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        shape: { type: 'string', default: 'tiny' },
        quant: { type: 'string', default: 'f32' },
        seed: { type: 'string', default: '1' },
        ctx: { type: 'string' },
      },
    });
  } catch (err) {
    usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  const out = positionals[0];
  if (!out || positionals.length > 1) usage('give exactly one output file');
  if (!(values.shape in TINY_SHAPES)) usage(`unknown shape '${values.shape}'`);
  if (!QUANTS.includes(values.quant as TinyQuant)) usage(`unknown quant '${values.quant}'`);
  const seed = Number(values.seed);
  const ctx = values.ctx === undefined ? undefined : Number(values.ctx);
  if (!Number.isInteger(seed)) usage('--seed must be an integer');
  if (ctx !== undefined && !(Number.isInteger(ctx) && ctx > 0)) usage('--ctx must be a positive integer');

  const t0 = performance.now();
  const res = await writeTinyLlama(out, {
    ...TINY_SHAPES[values.shape as TinyShape],
    quant: values.quant as TinyQuant,
    seed,
    ...(ctx !== undefined ? { ctx } : {}),
  });
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `${out}: ${values.shape} ${values.quant}, ${(res.nParams / 1e6).toFixed(1)}M parameters, vocab ${res.nVocab}, ` +
      `${mb(res.bytes)} in ${s} s (peak RSS ${mb(process.resourceUsage().maxRSS * 1024)})`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main(process.argv.slice(2));
}
