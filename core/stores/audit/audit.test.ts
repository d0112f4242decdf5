import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './audit.ts';

describe('redactSecrets', () => {
  it('drops the values of secret-looking keys at any depth, keeping ordinary data readable', () => {
    const out = redactSecrets({
      name: 'Visa',
      passphrase: 'hunter22!',
      nested: { apiKey: 'k-123', Authorization: 'Basic abc', list: [{ password: 'p' }, 'plain'] },
      backupPassphrase: 'b',
      accessToken: 't',
      tokens: 42, // token counts are data
      passages: 3,
      author: 'Ani',
      sha256: 'a'.repeat(64),
    });
    expect(out).toEqual({
      name: 'Visa',
      passphrase: REDACTED,
      nested: { apiKey: REDACTED, Authorization: REDACTED, list: [{ password: REDACTED }, 'plain'] },
      backupPassphrase: REDACTED,
      accessToken: REDACTED,
      tokens: 42,
      passages: 3,
      author: 'Ani',
      sha256: 'a'.repeat(64),
    });
  });

  it('drops secret-looking values under innocent keys', () => {
    expect(
      redactSecrets({
        note: 'scrypt$32768$8$1$c2FsdA==$aGFzaA==',
        header: 'Bearer abc.def',
        pem: '-----BEGIN PRIVATE KEY-----\nMII',
      }),
    ).toEqual({ note: REDACTED, header: REDACTED, pem: REDACTED });
  });

  it('survives cycles, odd values, prototype keys and huge input', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const withProto = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const out = redactSecrets({
      cyclic,
      withProto,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      big: 10n,
      fn: () => 1,
      undef: undefined,
      date: new Date(0),
      long: 'x'.repeat(10_000),
    }) as Record<string, unknown>;
    expect(out.cyclic).toEqual({ a: 1, self: '[…]' });
    expect(out.withProto).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out).toMatchObject({ nan: 'NaN', inf: 'Infinity', big: '10', date: '1970-01-01T00:00:00.000Z' });
    expect(out).not.toHaveProperty('fn');
    expect(out).not.toHaveProperty('undef');
    expect((out.long as string).length).toBeLessThan(2_100);
    expect(() => JSON.stringify(out)).not.toThrow();
  });
});
