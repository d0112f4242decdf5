import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PustakaError } from '../../base/errors.ts';
import { fsyncDir } from '../../base/fsync.ts';

/**
 * The secret of one installation, which signs its plain (unencrypted) archives: 32 random bytes,
 * as hex, in `<data>/install-key` (mode 0600), made on first use.
 *
 * In the data folder rather than the user's config folder because the data folder is the
 * installation: a second `--data-dir` is a second Pustaka with its own backups, the default data
 * folder already is the per-user config folder, and a data folder moved to a new machine keeps its
 * archives verifiable. The key never enters an archive (an archive carrying its own key would
 * authenticate nothing): archives hold only snapshots of `pg/` and `collections.db`. A restore
 * swaps only those two, so the folder keeps this installation's key and the archives it made
 * before the restore still verify.
 */
export const INSTALL_KEY_FILE = 'install-key';

export interface InstallKey {
  key: Buffer;
  /** A fingerprint of the key (never the key), written beside each signature. */
  id: string;
}

export function loadInstallKey(dataDir: string): InstallKey {
  const file = path.join(dataDir, INSTALL_KEY_FILE);
  const text = readKeyFile(file) ?? createKeyFile(file);
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new PustakaError(
      'storage_error',
      `${file} is damaged (it should hold 64 hexadecimal digits): put back a copy of it, or delete it to make a new key (archives signed with the old one will then count as made on another installation)`,
      { path: file },
    );
  }
  const key = Buffer.from(hex, 'hex');
  return { key, id: keyId(key) };
}

function keyId(key: Buffer): string {
  return crypto
    .createHash('sha256')
    .update('pustaka install key id\n')
    .update(key)
    .digest('hex')
    .slice(0, 16);
}

function readKeyFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Written whole under a temporary name, then linked to its final name: two processes starting
 * at once never see a half-written key, and the second keeps the first one's key (EEXIST).
 */
function createKeyFile(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${crypto.randomBytes(32).toString('hex')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A file system without hard links: a plain rename (the race it leaves is only theoretical).
    if (code !== 'EEXIST' && !fs.existsSync(file)) fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fsyncDir(path.dirname(file)); // a key lost to a crash would make every archive signed with it foreign
  return fs.readFileSync(file, 'utf8');
}
