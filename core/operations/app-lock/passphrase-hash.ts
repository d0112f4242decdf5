import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/** N = 2^15, r = 8: ~32 MiB and ~0.1 s per attempt, OWASP's floor for scrypt. */
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Bounds for parameters read back from the database, so a tampered row cannot pin the CPU or memory. */
const MAX = { N: 2 ** 20, r: 32, p: 16 };

function derive(passphrase: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
}

/** A self-describing hash, 'scrypt$N$r$p$salt$hash' (base64), so parameters can grow later. */
export async function hashPassphrase(passphrase: string, params = DEFAULTS): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const key = await derive(passphrase, salt, params.N, params.r, params.p);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

function parse(stored: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const valid =
    Number.isInteger(N) &&
    N > 1 &&
    N <= MAX.N &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= MAX.r &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= MAX.p;
  if (!valid) return null;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  return salt.length >= 8 && key.length >= 16 ? { N, r, p, salt, key } : null;
}

export function isPassphraseHash(stored: string): boolean {
  return parse(stored) !== null;
}

/** True when `passphrase` matches; compared in constant time. A malformed stored hash matches nothing. */
export async function verifyPassphrase(passphrase: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  const key = await derive(passphrase, h.salt, h.N, h.r, h.p);
  return key.length === h.key.length && crypto.timingSafeEqual(key, h.key);
}
