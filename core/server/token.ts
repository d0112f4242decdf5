import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** 32 random bytes, base64url: valid in a URL fragment and as a WebSocket subprotocol token. */
export function createToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes the lengths equal without leaking them. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * Writes the token readable by its owner only (0600), atomically: a harness polling for the file
 * never reads half a token.
 */
export function writeTokenFile(file: string, token: string): void {
  const target = path.resolve(file);
  const staging = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(staging, token, { mode: 0o600 });
  try {
    fs.chmodSync(staging, 0o600); // the umask cannot widen it, but an existing file kept its mode
    fs.renameSync(staging, target);
  } catch (err) {
    fs.rmSync(staging, { force: true });
    throw err;
  }
}
