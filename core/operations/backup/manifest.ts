import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { backupManifestSchema, type BackupManifest } from '../../contract/methods/backup.ts';
import { PustakaError } from '../../base/errors.ts';
import { sha256File } from '../../base/hash-file.ts';

/** The members of a backup archive; the manifest comes first so it can be read without the rest. */
export const MEMBERS = { manifest: 'manifest.json', pg: 'pg.tar', sqlite: 'collections.db' } as const;
export const MEMBER_LIST = [MEMBERS.manifest, MEMBERS.pg, MEMBERS.sqlite];

export function parseManifest(text: string, source: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PustakaError('storage_error', `${source}: its manifest is not valid JSON`);
  }
  const parsed = backupManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new PustakaError(
      'storage_error',
      `${source}: not a Pustaka backup manifest (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  }
  return parsed.data;
}

/** Reads manifest.json out of an unencrypted archive without extracting the rest. */
export async function readArchiveManifest(file: string): Promise<BackupManifest> {
  let text: string | null = null;
  await tar.t({
    file,
    filter: (p) => p === MEMBERS.manifest,
    onReadEntry: (entry) => {
      const parts: Buffer[] = [];
      entry.on('data', (d: Buffer) => parts.push(d));
      entry.on('end', () => (text = Buffer.concat(parts).toString('utf8')));
    },
  });
  if (text === null) throw new PustakaError('storage_error', `${path.basename(file)} has no manifest`);
  return parseManifest(text, path.basename(file));
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Compares each extracted member with the size and SHA-256 the manifest recorded. `expected`
 * names the members besides the manifest: each must be listed (a manifest that leaves one out
 * would leave it unchecked), and nothing else may be.
 */
export async function checkMembers(
  dir: string,
  manifest: { members: { name: string; sizeBytes: number; sha256: string }[] },
  expected: readonly string[],
): Promise<Check[]> {
  const checks: Check[] = [];
  const listed = new Set(manifest.members.map((m) => m.name));
  for (const name of expected) {
    if (!listed.has(name))
      checks.push({ name: `checksum ${name}`, ok: false, detail: 'not listed in the manifest' });
  }
  for (const m of manifest.members) {
    if (!expected.includes(m.name)) {
      checks.push({ name: `checksum ${m.name}`, ok: false, detail: 'not a member of this kind of archive' });
      continue;
    }
    const file = path.join(dir, m.name);
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) {
      checks.push({ name: `checksum ${m.name}`, ok: false, detail: 'missing from the archive' });
      continue;
    }
    const sha = await sha256File(file, st.size);
    const ok = sha === m.sha256 && st.size === m.sizeBytes;
    checks.push({
      name: `checksum ${m.name}`,
      ok,
      detail: ok
        ? `sha256 ${sha.slice(0, 12)}…, ${st.size} bytes`
        : `expected sha256 ${m.sha256.slice(0, 12)}…, found ${sha.slice(0, 12)}…`,
    });
  }
  return checks;
}
