/**
 * Fuzz tests run for a time budget: short in the suite, long through `npm run fuzz`
 * (PUSTAKA_FUZZ_MS=600000 npm run fuzz). PUSTAKA_FUZZ_SEED replays a run; the seed is printed.
 */
export interface FuzzBudget {
  ms: number;
  seed: number;
}

export function fuzzBudget(shortMs: number): FuzzBudget {
  const ms = Number(process.env.PUSTAKA_FUZZ_MS) || shortMs;
  const fromEnv = Number(process.env.PUSTAKA_FUZZ_SEED);
  // The suite replays a fixed seed (no surprises in CI); a long run explores a new one each time.
  const seed =
    Number.isInteger(fromEnv) && process.env.PUSTAKA_FUZZ_SEED
      ? fromEnv
      : process.env.PUSTAKA_FUZZ_MS
        ? Date.now() % 2 ** 31
        : 20260301;
  return { ms, seed };
}
