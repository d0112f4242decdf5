/** Wrong passphrases allowed before any wait; then the wait doubles per failure. */
export const FREE_ATTEMPTS = 3;
const FIRST_WAIT_MS = 1_000;
export const MAX_WAIT_MS = 15 * 60_000;

/**
 * How long unlocking stays refused after the `failedAttempts`-th wrong passphrase in a row:
 * nothing for the first few typos, then 1 s, 2 s, 4 s … capped at 15 minutes, which makes
 * guessing hopeless (≈100 guesses a day) while a user who mistyped waits seconds.
 */
export function unlockWaitMs(failedAttempts: number): number {
  if (failedAttempts < FREE_ATTEMPTS) return 0;
  const exponent = Math.min(failedAttempts - FREE_ATTEMPTS, 30);
  return Math.min(FIRST_WAIT_MS * 2 ** exponent, MAX_WAIT_MS);
}
