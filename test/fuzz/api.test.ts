import { appLockService } from '../../core/operations/app-lock/app-lock.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodContract } from '../../core/contract/contract.ts';
import { METHOD_NAMES, contracts } from '../../core/contract/methods/index.ts';
import { createDispatcher, type Dispatcher } from '../../core/api/dispatcher.ts';
import type { Envelope } from '../../core/contract/envelope.ts';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { ERROR_CODES } from '../../core/contract/error-codes.ts';
import { VISA_GUIDE_MD, writeFile } from '../support/files.ts';
import { rng } from '../support/prng.ts';
import { fuzzBudget } from './fuzz-budget.ts';
import { mutate, paramsJsonSchema, validish, type GenContext } from './params-gen.ts';
import { junkValues } from './values.ts';

const budget = fuzzBudget(15_000);
/** A valid call may run long (an import): it is cancelled after this, which must be answered too. */
const CANCEL_AFTER_MS = 3_000;
/** No answer at all this long after the cancel means the method ignores cancellation. */
const WATCHDOG_MS = 30_000;
/** Valid params would reach the network or run until cancelled: only invalid ones are sent. */
const INVALID_ONLY = new Set(['models.download', 'import.watch']);

let sandbox: string;
let cwd: string;
let engine: Engine;
let api: Dispatcher;

beforeAll(async () => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-fuzz-api-'));
  // Relative paths in random params resolve inside the sandbox, never in the repository.
  cwd = process.cwd();
  process.chdir(sandbox);
  engine = await openEngine({ dataDir: path.join(sandbox, 'data') });
  api = createDispatcher(engine);
  writeFile(sandbox, 'docs/visa.md', VISA_GUIDE_MD);
  writeFile(sandbox, 'docs/notes.txt', 'KITAS sponsor letter, NPWP and the tax office.');
  fs.writeFileSync(path.join(sandbox, 'junk.gguf'), 'not a model');
  const seeded = await api.call('import.run', {
    collection: 'Visa',
    paths: [path.join(sandbox, 'docs')],
    create: true,
  });
  expect(seeded.ok).toBe(true);
  expect((await api.call('ask', { question: 'What is a KITAS?' })).ok).toBe(true);
});

afterAll(async () => {
  process.chdir(cwd);
  await engine?.close();
  fs.rmSync(sandbox, { recursive: true, force: true });
});

function describeValue(v: unknown): string {
  try {
    const s = JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'bigint' ? `${x}n` : typeof x === 'function' || typeof x === 'symbol' ? String(x) : x,
    );
    return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
  } catch (err) {
    return `<${(err as Error).message}>`;
  }
}

function problemWith(env: unknown): string | null {
  if (!env || typeof env !== 'object') return 'not an envelope';
  const e = env as Record<string, unknown>;
  if (e.ok === true) return 'result' in e ? null : 'ok without result';
  if (e.ok !== false) return 'no ok flag';
  const err = e.error as Record<string, unknown> | undefined;
  if (!err || typeof err !== 'object') return 'error without body';
  if (!(ERROR_CODES as readonly unknown[]).includes(err.code)) return `unknown code ${String(err.code)}`;
  if (typeof err.message !== 'string' || !err.message.trim()) return 'error without message';
  if (err.details !== undefined && (typeof err.details !== 'object' || err.details === null))
    return 'bad details';
  try {
    JSON.stringify(env); // every carrier sends it as JSON
  } catch (x) {
    return `not serialisable: ${(x as Error).message}`;
  }
  return null;
}

/** Would the contract accept these params? A throw while parsing counts as no. */
function acceptable(contract: MethodContract, params: unknown): boolean {
  try {
    return contract.params.safeParse(params ?? {}).success;
  } catch {
    return false;
  }
}

async function callGuarded(method: string, params: unknown): Promise<Envelope<unknown> | string> {
  const controller = new AbortController();
  const cancel = setTimeout(() => controller.abort(), CANCEL_AFTER_MS);
  let watchdog: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      api.call(method, params, { signal: controller.signal, onEvent: () => undefined }),
      new Promise<string>((resolve) => {
        watchdog = setTimeout(
          () => resolve(`no answer ${WATCHDOG_MS / 1000} s after cancel`),
          CANCEL_AFTER_MS + WATCHDOG_MS,
        );
      }),
    ]);
  } catch (err) {
    return `call threw instead of answering: ${(err as Error)?.stack ?? String(err)}`;
  } finally {
    clearTimeout(cancel);
    clearTimeout(watchdog);
  }
}

describe(`API fuzz (seed ${budget.seed}, ${budget.ms} ms)`, () => {
  it(
    'answers every random or invalid call with a well-formed envelope, never an internal error',
    async () => {
      const random = rng(budget.seed);
      const ctx: GenContext = {
        random,
        junk: junkValues(sandbox),
        paths: [
          path.join(sandbox, 'docs'),
          path.join(sandbox, 'docs', 'visa.md'),
          path.join(sandbox, 'junk.gguf'),
          path.join(sandbox, 'missing', 'file.pdf'),
          'relative/missing.docx',
          '',
        ],
      };
      const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
      const schemas = new Map(
        METHOD_NAMES.map((m) => [m, paramsJsonSchema((contracts[m] as MethodContract).params)]),
      );
      const failures: string[] = [];
      const stats = new Map<string, { calls: number; ok: number; codes: Record<string, number> }>();
      const deadline = Date.now() + budget.ms;
      let rounds = 0;

      // Every method at least once per strategy, then round after round until the budget is spent.
      while (rounds < 3 || Date.now() < deadline) {
        for (const method of METHOD_NAMES) {
          const contract = contracts[method] as MethodContract;
          const strategy = rounds < 3 ? rounds : Math.floor(random() * 3);
          const base = validish(ctx, schemas.get(method)!);
          const params =
            strategy === 0
              ? ctx.junk[Math.floor(random() * ctx.junk.length)]
              : strategy === 1
                ? mutate(ctx, base)
                : base;
          const valid = acceptable(contract, params);
          if (valid && INVALID_ONLY.has(method)) continue;

          const env = await callGuarded(method, params);
          const s = stats.get(method) ?? { calls: 0, ok: 0, codes: {} };
          stats.set(method, s);
          s.calls++;
          const where = `${method}(${describeValue(params)})`;
          if (typeof env === 'string') {
            failures.push(`${where}: ${env}`);
            continue;
          }
          const problem = problemWith(env);
          if (problem) {
            failures.push(`${where}: malformed envelope: ${problem}`);
            continue;
          }
          if (env.ok) {
            s.ok++;
            if (!valid) failures.push(`${where}: invalid params were accepted`);
            // Never leave the engine locked for the rest of the run.
            if (method === 'appLock.enable') {
              const off = await api.call('appLock.disable', {
                passphrase: (params as { passphrase: string }).passphrase,
              });
              if (!off.ok) failures.push(`could not turn the lock off again: ${off.error.message}`);
            }
            continue;
          }
          s.codes[env.error.code] = (s.codes[env.error.code] ?? 0) + 1;
          if (!valid && env.error.code !== 'invalid_params') {
            failures.push(`${where}: invalid params answered ${env.error.code}: ${env.error.message}`);
          }
          if (env.error.code === 'internal') failures.push(`${where}: internal error: ${env.error.message}`);
        }
        rounds++;
      }

      const total = [...stats.values()].reduce((n, s) => n + s.calls, 0);
      console.log(
        `API fuzz: seed ${budget.seed}, ${rounds} rounds, ${total} calls to ${stats.size} methods in ${budget.ms} ms budget\n` +
          [...stats]
            .map(
              ([m, s]) =>
                `  ${m.padEnd(26)} ${String(s.calls).padStart(4)} calls, ${s.ok} ok, ${JSON.stringify(s.codes)}`,
            )
            .join('\n'),
      );

      // The engine survived: it still answers, unlocked, and no prototype was polluted.
      const status = await api.call('status', {});
      expect(status.ok).toBe(true);
      expect(engine.services.get(appLockService).locked).toBe(false);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(failures, `seed ${budget.seed} (replay: PUSTAKA_FUZZ_SEED=${budget.seed})`).toEqual([]);
    },
    budget.ms + 120_000,
  ); // the budget, plus the minimum rounds and the seeding
});
