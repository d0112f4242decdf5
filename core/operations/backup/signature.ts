import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ArchiveIntegrity } from '../../contract/methods/backup.ts';
import { PustakaError } from '../../base/errors.ts';
import { loadInstallKey, type InstallKey } from './install-key.ts';

/**
 * The integrity signature of a plain archive: `manifest.sig` beside `manifest.json`, an
 * HMAC-SHA256 of the manifest's exact bytes under the installation's key (install-key.ts). The
 * manifest lists the size and SHA-256 of every other member, so the one MAC covers them all; a
 * casual edit (a member changed and the manifest's checksum updated to match) cannot forge it.
 *
 * Encrypted archives carry no signature: AES-256-GCM authenticates all of their bytes under the
 * passphrase (encryption.ts), so whoever holds the passphrase vouches for them on any machine.
 */
export const MANIFEST_MEMBER = 'manifest.json';
export const SIGNATURE_MEMBER = 'manifest.sig';
const LABEL = 'pustaka archive manifest v1\n';

const signatureSchema = z.object({
  format: z.literal('pustaka-signature'),
  version: z.literal(1),
  algorithm: z.literal('HMAC-SHA256'),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

function mac(key: Buffer, manifest: Buffer): Buffer {
  return crypto.createHmac('sha256', key).update(LABEL).update(manifest).digest();
}

/** Writes `manifest.sig` for the `manifest.json` in `dir`. */
export function writeSignature(dir: string, key: InstallKey): void {
  const manifest = fs.readFileSync(path.join(dir, MANIFEST_MEMBER));
  const sig: z.output<typeof signatureSchema> = {
    format: 'pustaka-signature',
    version: 1,
    algorithm: 'HMAC-SHA256',
    keyId: key.id,
    mac: mac(key.key, manifest).toString('hex'),
  };
  fs.writeFileSync(path.join(dir, SIGNATURE_MEMBER), `${JSON.stringify(sig)}\n`);
}

export interface SignatureCheck {
  /** The data folder whose key is this installation's. */
  dataDir: string;
  /** Accept an archive signed by another installation (its checksums are still checked). */
  trustForeign?: boolean | undefined;
  /**
   * What the archive is for. `import` (a collection archive) accepts another installation's
   * signature without being asked: moving a collection between installations is what those
   * archives are for, and they bring passages only (no database, settings or code), so refusing
   * them would protect nothing. A mismatch under this installation's own key is refused alike.
   */
  action: 'restore' | 'verify' | 'import';
}

/**
 * Checks the signature of an archive unpacked into `dir`, before anything in it is trusted: a
 * MAC that does not match this installation's key is refused; one from another installation, or
 * an unsigned one (made before signatures), is restored only when trusted and otherwise passes
 * verify and collection import with a warning.
 */
export function checkSignature(
  dir: string,
  archive: string,
  encrypted: boolean,
  check: SignatureCheck,
): ArchiveIntegrity {
  const name = path.basename(archive);
  if (encrypted) {
    return {
      status: 'encrypted',
      detail: 'authenticated by its passphrase (AES-256-GCM tag)',
      warning: null,
    };
  }
  const sigFile = path.join(dir, SIGNATURE_MEMBER);
  if (!fs.existsSync(sigFile)) {
    // Removing manifest.sig must not be a way around it: a restore of an unsigned archive (an
    // older Pustaka's, or one whose signature was stripped) needs the same explicit trust.
    if (check.action === 'restore' && !check.trustForeign) {
      throw new PustakaError(
        'invalid_params',
        `${name} has no integrity signature: it was made by an older Pustaka, or its signature was removed, so this installation cannot tell whether it was changed since. If you made it, restore it with --trust-foreign: its checksums are still checked`,
        { foreignArchive: true, unsigned: true, path: archive },
      );
    }
    return {
      status: 'unsigned',
      detail: 'no integrity signature',
      warning: `${name}: archive has no integrity signature (made by an older Pustaka); it was checked only against its own manifest`,
    };
  }
  const sig = readSignature(sigFile, name);
  const key = loadInstallKey(check.dataDir);
  if (sig.keyId !== key.id) {
    if (check.action === 'import') {
      return {
        status: 'foreign',
        detail: `signed by another installation (key ${sig.keyId})`,
        warning: `${name} was made on another Pustaka installation: its checksums were checked, but not who wrote it`,
      };
    }
    if (!check.trustForeign) {
      throw new PustakaError(
        'invalid_params',
        `${name} was made on another Pustaka installation (signed with key ${sig.keyId}, this one's is ${key.id}), so this installation cannot tell whether it was changed since. If you trust where it came from, ${check.action} it with --trust-foreign: its checksums are still checked`,
        { foreignArchive: true, keyId: sig.keyId, path: archive },
      );
    }
    return {
      status: 'foreign',
      detail: `signed by another installation (key ${sig.keyId}), accepted as trusted`,
      warning: `${name} was made on another Pustaka installation: accepted because you trust it (its checksums were checked, not who wrote it)`,
    };
  }
  const manifest = fs.readFileSync(path.join(dir, MANIFEST_MEMBER));
  if (!crypto.timingSafeEqual(mac(key.key, manifest), Buffer.from(sig.mac, 'hex'))) {
    throw new PustakaError(
      'storage_error',
      `${name}: archive was modified after it was written (its manifest no longer matches the integrity signature this installation made)`,
      { path: archive, checks: [{ name: 'integrity signature', ok: false, detail: 'mismatch' }] },
    );
  }
  return { status: 'signed', detail: `HMAC-SHA256 by this installation (key ${key.id})`, warning: null };
}

function readSignature(file: string, name: string): z.output<typeof signatureSchema> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    json = null;
  }
  const parsed = signatureSchema.safeParse(json);
  if (!parsed.success) {
    throw new PustakaError(
      'storage_error',
      `${name}: archive was modified after it was written (its integrity signature is unreadable)`,
    );
  }
  return parsed.data;
}
