import crypto from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { PustakaError } from '../../base/errors.ts';

/**
 * Whole-archive encryption: AES-256-GCM with a key from scrypt. File layout:
 *
 *   magic "PSTKBAK1" | log2(N) r p 0 | salt (16) | nonce (12) | key check (32) | ciphertext | tag (16)
 *
 * The header is authenticated as GCM additional data. The key check (an HMAC under a second key
 * derived with the AES key) tells a wrong passphrase apart from a damaged file before any byte is
 * decrypted; the tag is checked before anything decrypted is used.
 *
 * That tag authenticates every byte of an encrypted archive (header and content) under the
 * passphrase, so encrypted archives carry no `manifest.sig`: the installation signature of plain
 * archives (signature.ts) would add nothing, and an encrypted archive moves between installations
 * with its passphrase as the proof of who wrote it.
 */
export const ENCRYPTED_MAGIC = Buffer.from('PSTKBAK1', 'ascii');
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const CHECK_BYTES = 32;
const TAG_BYTES = 16;
export const HEADER_BYTES = ENCRYPTED_MAGIC.length + 4 + SALT_BYTES + NONCE_BYTES + CHECK_BYTES;
/** scrypt N = 2^15, r = 8, p = 1: 32 MiB and ~0.1 s per derivation, the OWASP-recommended floor. */
const LOG2_N = 15;
const R = 8;
const P = 1;
const CHECK_LABEL = 'pustaka backup key check';

interface Keys {
  aes: Buffer;
  check: Buffer;
}

function deriveKeys(passphrase: string, salt: Buffer, log2N: number, r: number, p: number): Keys {
  if (log2N < 10 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 16) {
    throw new PustakaError('invalid_params', 'the backup has unsupported encryption parameters');
  }
  const out = crypto.scryptSync(passphrase.normalize('NFC'), salt, 64, {
    N: 2 ** log2N,
    r,
    p,
    maxmem: 256 * 2 ** log2N * r + (1 << 20),
  });
  return { aes: out.subarray(0, 32), check: out.subarray(32) };
}

function keyCheck(keys: Keys): Buffer {
  return crypto.createHmac('sha256', keys.check).update(CHECK_LABEL).digest();
}

export function assertPassphrase(passphrase: string): void {
  if (passphrase.length === 0) throw new PustakaError('invalid_params', 'the backup passphrase is empty');
}

/** A stream that turns plaintext into the encrypted file format above. */
export function encryptStream(passphrase: string): Transform {
  assertPassphrase(passphrase);
  const salt = crypto.randomBytes(SALT_BYTES);
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const keys = deriveKeys(passphrase, salt, LOG2_N, R, P);
  const header = Buffer.concat([
    ENCRYPTED_MAGIC,
    Buffer.from([LOG2_N, R, P, 0]),
    salt,
    nonce,
    keyCheck(keys),
  ]);
  const cipher = crypto.createCipheriv('aes-256-gcm', keys.aes, nonce);
  cipher.setAAD(header);
  let headerSent = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!headerSent) {
        this.push(header);
        headerSent = true;
      }
      done(null, cipher.update(chunk));
    },
    flush(done) {
      if (!headerSent) this.push(header);
      this.push(cipher.final());
      done(null, cipher.getAuthTag());
    },
  });
}

export async function isEncryptedFile(file: string): Promise<boolean> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(ENCRYPTED_MAGIC.length);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return bytesRead === buf.length && buf.equals(ENCRYPTED_MAGIC);
  } finally {
    await fh.close();
  }
}

export interface DecryptPlan {
  /** Where the ciphertext lies in the file (inclusive end, as fs.createReadStream wants). */
  start: number;
  end: number;
  decipher: crypto.DecipherGCM;
}

/**
 * Reads the header and tag and checks the passphrase; the caller streams the ciphertext range
 * through `decipher` and must treat the output as untrusted until `decipher.final()` succeeded.
 */
export async function openDecryption(file: string, passphrase: string | undefined): Promise<DecryptPlan> {
  if (passphrase === undefined) {
    throw new PustakaError(
      'invalid_params',
      'this archive is encrypted: give its passphrase (--passphrase-file, the prompt, or PUSTAKA_BACKUP_PASSPHRASE)',
      { needsPassphrase: true },
    );
  }
  assertPassphrase(passphrase);
  const fh = await fs.promises.open(file, 'r');
  let header: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    if (size < HEADER_BYTES + TAG_BYTES) throw damaged('it is too short');
    header = Buffer.alloc(HEADER_BYTES);
    await fh.read(header, 0, HEADER_BYTES, 0);
    tag = Buffer.alloc(TAG_BYTES);
    await fh.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await fh.close();
  }
  if (!header.subarray(0, ENCRYPTED_MAGIC.length).equals(ENCRYPTED_MAGIC))
    throw damaged('its header is wrong');
  let o = ENCRYPTED_MAGIC.length;
  const [log2N, r, p] = [header[o]!, header[o + 1]!, header[o + 2]!];
  o += 4;
  const salt = header.subarray(o, (o += SALT_BYTES));
  const nonce = header.subarray(o, (o += NONCE_BYTES));
  const check = header.subarray(o, (o += CHECK_BYTES));
  const keys = deriveKeys(passphrase, salt, log2N, r, p);
  if (!crypto.timingSafeEqual(keyCheck(keys), check)) {
    throw new PustakaError('invalid_params', 'wrong passphrase for this encrypted archive', {
      wrongPassphrase: true,
    });
  }
  const decipher = crypto.createDecipheriv('aes-256-gcm', keys.aes, nonce);
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  return { start: HEADER_BYTES, end: size - TAG_BYTES - 1, decipher };
}

function damaged(why: string): PustakaError {
  return new PustakaError('storage_error', `the encrypted backup is damaged: ${why}`);
}

/** GCM's final() failure, reworded: the passphrase was right, so the bytes were changed. */
export function authFailure(err: unknown): PustakaError {
  return new PustakaError(
    'storage_error',
    'the encrypted backup is damaged: its authentication tag does not match (the file was changed or truncated)',
    undefined,
    { cause: err },
  );
}
