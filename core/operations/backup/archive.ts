import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { PustakaError } from '../../base/errors.ts';
import { fsyncDir, fsyncFile } from '../../base/fsync.ts';
import { authFailure, encryptStream, isEncryptedFile, openDecryption } from './encryption.ts';
import type { InstallKey } from './install-key.ts';
import { assertSafeTar, isPlainFile, unsafeEntry } from './safe-tar.ts';
import { MANIFEST_MEMBER, SIGNATURE_MEMBER, writeSignature } from './signature.ts';

/**
 * One archive file = a gzipped tar of a few member files, optionally encrypted as a whole.
 * Written to `<out>.partial`, fsynced and renamed, so a crash, an abort or a full disk never
 * leaves a half-written archive under the final name.
 */
export interface WrittenArchive {
  sizeBytes: number;
  sha256: string;
}

export interface WriteArchiveOptions {
  /** Folder holding the members. */
  dir: string;
  members: string[];
  out: string;
  passphrase?: string | undefined;
  /**
   * This installation's key: a plain archive gets `manifest.sig` beside its manifest (see
   * signature.ts). Unused for an encrypted one, which its GCM tag authenticates.
   */
  signingKey: InstallKey;
  signal?: AbortSignal | undefined;
  onBytes?: (bytesWritten: number) => void;
}

export async function writeArchive(opts: WriteArchiveOptions): Promise<WrittenArchive> {
  const partial = `${opts.out}.partial`;
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      opts.onBytes?.(bytes);
      done(null, chunk);
    },
  });
  const members = [...opts.members];
  if (opts.passphrase === undefined && members[0] === MANIFEST_MEMBER) {
    writeSignature(opts.dir, opts.signingKey);
    members.splice(1, 0, SIGNATURE_MEMBER);
  }
  // Level 1: the Postgres dump is mostly empty pages; higher levels cost time for ~no gain.
  const pack = tar.c({ cwd: opts.dir, gzip: { level: 1 }, portable: true }, members);
  const encrypt = opts.passphrase !== undefined ? [encryptStream(opts.passphrase)] : [];
  const sink = fs.createWriteStream(partial, { flags: 'wx' });
  try {
    await pipeline(
      // tar's Pack is a Minipass stream, which pipeline reads as a stream.
      [pack as unknown as NodeJS.ReadableStream, ...encrypt, counter, sink],
      opts.signal ? { signal: opts.signal } : {},
    );
    fsyncFile(partial);
    fs.renameSync(partial, opts.out);
    fsyncDir(path.dirname(opts.out));
  } catch (err) {
    await closed(sink);
    fs.rmSync(partial, { force: true });
    throw writeError(err, opts.out);
  }
  return { sizeBytes: bytes, sha256: hash.digest('hex') };
}

/**
 * An aborted pipeline rejects at once, while the file stream may still be opening its file: wait
 * for it to close, or a removal made now would be undone by the late open.
 */
function closed(stream: fs.WriteStream): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
}

function writeError(err: unknown, out: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') {
    return new PustakaError('storage_error', `the disk is full: ${path.basename(out)} could not be written`, {
      path: out,
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'EIO') {
    return new PustakaError('storage_error', `${path.basename(out)} could not be written (${code})`, {
      path: out,
    });
  }
  return err;
}

/**
 * Extracts the named members of an archive into `dest` (decrypting first when it is encrypted),
 * and the `optional` ones it has. Encrypted content is decrypted to a temporary file and used only
 * once its tag checked out; an archive with any link, special file or escaping name is refused
 * before anything is extracted (safe-tar.ts).
 */
export async function extractArchive(
  file: string,
  dest: string,
  members: string[],
  opts: {
    passphrase?: string | undefined;
    signal?: AbortSignal | undefined;
    optional?: string[] | undefined;
  } = {},
): Promise<{ encrypted: boolean }> {
  if (!fs.existsSync(file)) throw new PustakaError('not_found', `no archive at ${file}`, { path: file });
  fs.mkdirSync(dest, { recursive: true });
  const encrypted = await isEncryptedFile(file);
  // Decompressed by us, not by tar: zlib then checks the whole stream (its CRC-32 and length
  // included), where tar stops reading at its end-of-archive marker.
  const tarball = path.join(dest, '.archive.tar');
  try {
    if (encrypted) {
      const plan = await openDecryption(file, opts.passphrase);
      await gunzipTo(
        [fs.createReadStream(file, { start: plan.start, end: plan.end }), plan.decipher],
        tarball,
        opts.signal,
        authFailure,
      );
    } else {
      await gunzipTo([fs.createReadStream(file)], tarball, opts.signal, (err) => unreadable(file, err));
    }
    await assertSafeTar(tarball, path.basename(file));
    const wanted = new Set([...members, ...(opts.optional ?? [])]);
    await tar
      .x({
        file: tarball,
        cwd: dest,
        strict: true,
        // tar run as root would otherwise give the files the owner the archive names.
        preserveOwner: false,
        filter: (p, entry) => wanted.has(p) && 'type' in entry && isPlainFile(entry.type, p),
      })
      .catch((err: unknown) => {
        throw unreadable(file, err);
      });
  } finally {
    fs.rmSync(tarball, { force: true });
  }
  for (const m of members) {
    if (!fs.existsSync(path.join(dest, m)))
      throw new PustakaError('storage_error', `${path.basename(file)} lacks its member ${m}`, { path: file });
  }
  return { encrypted };
}

async function gunzipTo(
  source: NodeJS.ReadableStream[],
  out: string,
  signal: AbortSignal | undefined,
  explain: (err: unknown) => unknown,
): Promise<void> {
  const sink = fs.createWriteStream(out);
  try {
    await pipeline([...source, zlib.createGunzip(), sink], signal ? { signal } : {});
  } catch (err) {
    await closed(sink);
    if ((err as Error).name === 'AbortError') throw err;
    throw explain(err);
  }
}

function unreadable(file: string, err: unknown): PustakaError {
  return new PustakaError(
    'storage_error',
    `${path.basename(file)} is damaged or not a Pustaka archive (${(err as Error).message})`,
    { path: file },
    { cause: err },
  );
}

/**
 * Extracts PGlite's data-dir dump into a folder, once safe-tar.ts found nothing but plain files
 * and folders in it. Its entries are named from the cluster's root ("/base/1/112"), which tar
 * strips with an informational warning; any other warning fails the extraction.
 */
export async function extractTar(file: string, dest: string, label = path.basename(file)): Promise<void> {
  await assertSafeTar(file, label, { rooted: true });
  fs.mkdirSync(dest, { recursive: true });
  const problems: string[] = [];
  await tar.x({
    file,
    cwd: dest,
    preserveOwner: false,
    filter: (p, entry) => {
      const ok = 'type' in entry && unsafeEntry(entry.type, p, { rooted: true }) === null;
      if (!ok) problems.push(p);
      return ok;
    },
    onwarn: (code, message) => {
      if (code !== 'TAR_ENTRY_INFO') problems.push(`${code}: ${message}`);
    },
  });
  if (problems.length) {
    const why = problems.slice(0, 5).join('; ');
    throw new PustakaError('storage_error', `${label} could not be unpacked: ${why}`, { path: file });
  }
}

export function sha256Buffer(buf: Buffer | string): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}
