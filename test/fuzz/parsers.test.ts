import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTRACT_REASONS } from '../../core/knowledge/import/extract-error.ts';
import { extractFile, isExtractError } from '../../core/knowledge/import/extract.ts';
import { isPdfJsStray } from '../../core/knowledge/import/extractors/pdfjs-strays.ts';
import { rng } from '../support/prng.ts';
import { fuzzBudget } from './fuzz-budget.ts';
import { mutateBytes, mutateZipEntries, randomBytes } from './mutate-bytes.ts';
import { seedFiles, type SeedFile } from './seed-files.ts';

const budget = fuzzBudget(20_000);
/** extractFile's own per-file time-out; a file that needs it is reported, not failed. */
const FILE_TIMEOUT_MS = 10_000;

let sandbox: string;
const stray: unknown[] = [];
let lastFile = '';
const onStray = (err: unknown) => {
  // pdf.js's own late rejections are dropped by the product (see pdfjs-strays.ts); anything else
  // is a defect.
  if (isPdfJsStray(err)) return;
  if (process.env.PUSTAKA_FUZZ_DEBUG) console.error('STRAY after', lastFile, String(err));
  stray.push(err);
};

beforeAll(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-fuzz-parsers-'));
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
});

afterAll(() => {
  process.off('unhandledRejection', onStray);
  process.off('uncaughtException', onStray);
  fs.rmSync(sandbox, { recursive: true, force: true });
});

function variant(random: () => number, seed: SeedFile): { how: string; bytes: Buffer } {
  const r = random();
  if (r < 0.1) return { how: 'random bytes', bytes: randomBytes(random) };
  if (seed.entries && r < 0.5)
    return { how: 'damaged zip entry', bytes: mutateZipEntries(random, seed.entries) };
  let bytes = mutateBytes(random, seed.bytes);
  // Sometimes stack several mutations.
  for (let n = Math.floor(random() * 3); n > 0; n--) bytes = mutateBytes(random, bytes);
  return { how: 'mutated', bytes };
}

describe(`parser fuzz (seed ${budget.seed}, ${budget.ms} ms)`, () => {
  it(
    'every damaged or random file ends in text or a clear extraction error, never a crash',
    async () => {
      const random = rng(budget.seed);
      const seeds = await seedFiles();
      // The seeds themselves must extract, or the mutations start from nothing.
      for (const seed of seeds) {
        const file = path.join(sandbox, `seed.${seed.ext}`);
        fs.writeFileSync(file, seed.bytes);
        const doc = await extractFile(file);
        expect(doc.sections.length, seed.ext).toBeGreaterThan(0);
      }

      const failures: string[] = [];
      const stats = new Map<
        string,
        { files: number; text: number; reasons: Record<string, number>; slowestMs: number }
      >();
      const deadline = Date.now() + budget.ms;
      let n = 0;
      while (n < seeds.length * 3 || Date.now() < deadline) {
        const seed = seeds[n % seeds.length]!;
        const { how, bytes } = variant(random, seed);
        const file = path.join(sandbox, `case-${n}.${seed.ext}`);
        fs.writeFileSync(file, bytes);
        const s = stats.get(seed.ext) ?? { files: 0, text: 0, reasons: {}, slowestMs: 0 };
        stats.set(seed.ext, s);
        s.files++;
        const t0 = performance.now();
        lastFile = file;
        try {
          const doc = await extractFile(file, { timeoutMs: FILE_TIMEOUT_MS });
          if (!Array.isArray(doc.sections) || !doc.sections.every((x) => typeof x.text === 'string')) {
            failures.push(`${how} ${seed.ext} #${n}: malformed document`);
          }
          s.text++;
          fs.rmSync(file);
        } catch (err) {
          if (
            isExtractError(err) &&
            (EXTRACT_REASONS as readonly string[]).includes(err.reason) &&
            err.message
          ) {
            s.reasons[err.reason] = (s.reasons[err.reason] ?? 0) + 1;
            fs.rmSync(file);
          } else {
            // Keep the file for a look; its name is in the failure.
            failures.push(
              `${how} ${seed.ext} ${file}: ${(err as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(err)}`,
            );
          }
        }
        s.slowestMs = Math.max(s.slowestMs, performance.now() - t0);
        n++;
      }

      console.log(
        `parser fuzz: seed ${budget.seed}, ${n} files in ${budget.ms} ms budget\n` +
          [...stats]
            .map(
              ([ext, s]) =>
                `  ${ext.padEnd(6)} ${String(s.files).padStart(5)} files, ${s.text} gave text, errors ${JSON.stringify(s.reasons)}, slowest ${Math.round(s.slowestMs)} ms`,
            )
            .join('\n'),
      );
      expect(stray.map(String), 'unhandled rejections or exceptions').toEqual([]);
      expect(failures, `seed ${budget.seed} (replay: PUSTAKA_FUZZ_SEED=${budget.seed})`).toEqual([]);
    },
    budget.ms + 120_000,
  ); // the budget, plus the minimum rounds and the seeding
});
