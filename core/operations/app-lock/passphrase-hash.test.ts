import { describe, expect, it } from 'vitest';
import { unlockWaitMs, MAX_WAIT_MS } from './backoff.ts';
import { hashPassphrase, isPassphraseHash, verifyPassphrase } from './passphrase-hash.ts';

// Small scrypt parameters keep the unit test fast; the format and the comparison are the same.
const FAST = { N: 1024, r: 8, p: 1 };

describe('passphrase hash', () => {
  it('is a self-describing scrypt string with a fresh salt, and verifies only the right passphrase', async () => {
    const a = await hashPassphrase('correct horse battery', FAST);
    const b = await hashPassphrase('correct horse battery', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b); // salted
    expect(a).not.toContain('horse');
    expect(await verifyPassphrase('correct horse battery', a)).toBe(true);
    expect(await verifyPassphrase('correct horse batterY', a)).toBe(false);
    expect(await verifyPassphrase('', a)).toBe(false);
  });

  it('treats composed and decomposed accents as the same passphrase', async () => {
    const h = await hashPassphrase('caf\u00e9 au lait', FAST);
    expect(await verifyPassphrase('cafe\u0301 au lait', h)).toBe(true);
  });

  it('the default parameters are the strong ones', async () => {
    expect(await hashPassphrase('x'.repeat(8))).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('a malformed or tampered stored hash matches nothing instead of throwing or pinning the CPU', async () => {
    const good = await hashPassphrase('pw123456', FAST);
    const parts = good.split('$');
    const bad = [
      '',
      'plain-text',
      'bcrypt$1$2$3$4$5',
      ['scrypt', 2 ** 30, 8, 1, parts[4], parts[5]].join('$'), // huge N
      ['scrypt', 1000, 8, 1, parts[4], parts[5]].join('$'), // N not a power of two
      ['scrypt', 1024, 8, 1, '', parts[5]].join('$'), // no salt
      parts.slice(0, 5).join('$'),
    ];
    for (const stored of bad) {
      expect(isPassphraseHash(stored)).toBe(false);
      expect(await verifyPassphrase('pw123456', stored)).toBe(false);
    }
    expect(isPassphraseHash(good)).toBe(true);
  });
});

describe('unlock back-off', () => {
  it('lets a few typos pass, then doubles the wait up to a cap', () => {
    expect([0, 1, 2].map(unlockWaitMs)).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6].map(unlockWaitMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(unlockWaitMs(40)).toBe(MAX_WAIT_MS);
    expect(unlockWaitMs(1e9)).toBe(MAX_WAIT_MS);
  });
});
