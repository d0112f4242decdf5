/**
 * Downloads a catalog model: an HTTP range download into `<data>/models/NAME.part` (a later run
 * resumes from the bytes already there), then a SHA-256 check against the catalog, then the
 * registry's import (validateGguf first, then the file is moved into place). Uses Node's fetch;
 * with no network the error says how to do it offline instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ModelProgressEvent } from '../../contract/methods/models.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { sha256File } from '../../base/hash-file.ts';
import type { CatalogEntry } from './catalog.ts';
import { findModel, importModel, type ImportModelResult, type ModelOpOptions } from './models.ts';

export interface DownloadFileOptions {
  url: string;
  /** The partial file: appended to when it exists and the server honours Range. */
  partPath: string;
  /** When known, the download must end at exactly this many bytes. */
  expectedBytes?: number | null;
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  fetch?: typeof fetch;
}

export interface DownloadFileResult {
  bytes: number;
  /** Bytes that were already in the .part file and were not fetched again. */
  resumedFrom: number;
}

function unreachable(url: string, err: unknown): PustakaError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.message ?? cause?.code ?? (err as Error).message;
  return new PustakaError(
    'storage_error',
    `cannot reach ${new URL(url).host}: ${why}; download the file elsewhere and run \`pustaka models import FILE\``,
    { url },
    { cause: err },
  );
}

/** Fetches `url` into `partPath`, resuming from its current size with a Range request. */
export async function downloadFile(opts: DownloadFileOptions): Promise<DownloadFileResult> {
  const doFetch = opts.fetch ?? fetch;
  let have = 0;
  try {
    have = (await fs.promises.stat(opts.partPath)).size;
  } catch {
    have = 0;
  }
  if (opts.expectedBytes && have > opts.expectedBytes) {
    await fs.promises.rm(opts.partPath, { force: true });
    have = 0;
  }
  if (opts.expectedBytes && have === opts.expectedBytes) return { bytes: have, resumedFrom: have };

  let res: Response;
  try {
    res = await doFetch(opts.url, {
      headers: have > 0 ? { range: `bytes=${have}-` } : {},
      redirect: 'follow',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw unreachable(opts.url, err);
  }
  if (res.status === 416 && have > 0) {
    // Nothing left to fetch (or the server forgot the file): start over only if sizes disagree.
    await res.body?.cancel();
    return { bytes: have, resumedFrom: have };
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new PustakaError(
      'storage_error',
      `downloading ${opts.url} failed: HTTP ${res.status} ${res.statusText}`,
      {
        url: opts.url,
        status: res.status,
      },
    );
  }
  // 200 means the server ignored the range: start from zero.
  const resumedFrom = res.status === 206 ? have : 0;
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? resumedFrom + length : (opts.expectedBytes ?? 0);
  if (opts.expectedBytes && total && total !== opts.expectedBytes) {
    await res.body?.cancel();
    throw new PustakaError(
      'storage_error',
      `the server offers ${total} bytes for ${path.basename(opts.partPath)}, the catalog says ${opts.expectedBytes}`,
      { url: opts.url },
    );
  }
  if (!res.body) {
    throw new PustakaError('storage_error', `downloading ${opts.url} failed: the server sent no data`, {
      url: opts.url,
    });
  }
  let done = resumedFrom;
  opts.onProgress?.(done, total);
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    done += chunk.length;
    opts.onProgress?.(done, total);
  });
  try {
    await pipeline(
      body,
      fs.createWriteStream(opts.partPath, { flags: resumedFrom > 0 ? 'a' : 'w' }),
      ...(opts.signal ? [{ signal: opts.signal }] : []),
    );
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new PustakaError(
      'storage_error',
      `the download of ${path.basename(opts.partPath)} broke off after ${done} bytes (${(err as Error).message}); run the same command again to resume`,
      { url: opts.url, bytes: done },
      { cause: err },
    );
  }
  if (total && done !== total) {
    throw new PustakaError(
      'storage_error',
      `the download of ${path.basename(opts.partPath)} ended after ${done} of ${total} bytes; run the same command again to resume`,
      { url: opts.url, bytes: done },
    );
  }
  return { bytes: done, resumedFrom };
}

export interface DownloadModelOptions extends ModelOpOptions {
  allowUnverified?: boolean;
  fetch?: typeof fetch;
}

export interface DownloadModelResult extends ImportModelResult {
  resumedFrom: number;
  verified: boolean;
}

/** Downloads, verifies and imports one catalog entry. */
export async function downloadModel(
  engine: Engine,
  entry: CatalogEntry,
  opts: DownloadModelOptions = {},
): Promise<DownloadModelResult> {
  if (!entry.sha256 && !opts.allowUnverified) {
    throw new PustakaError(
      'invalid_params',
      `the catalog has no verified SHA-256 for ${entry.fileName}, so a damaged or substituted file could not be detected; pass --allow-unverified to download it anyway`,
      { name: entry.name },
    );
  }
  if (entry.sha256) {
    const present = await findModel(engine, entry.sha256);
    if (present)
      return { model: present, alreadyPresent: true, durationMs: 0, resumedFrom: 0, verified: true };
  }
  const t0 = performance.now();
  const dir = engine.paths.models;
  await fs.promises.mkdir(dir, { recursive: true });
  const partPath = path.join(dir, `${entry.name}.part`);
  const emit = (phase: ModelProgressEvent['phase'], bytesDone: number, bytesTotal: number) =>
    opts.emit?.({
      type: 'progress',
      phase,
      bytesDone,
      bytesTotal,
      elapsedMs: Math.round(performance.now() - t0),
    });
  let last = -Infinity;
  const { bytes, resumedFrom } = await downloadFile({
    url: entry.uri,
    partPath,
    expectedBytes: entry.sizeBytes,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    onProgress: (d, t) => {
      const now = performance.now();
      if (now - last < 200 && d !== t) return;
      last = now;
      emit('download', d, t);
    },
  });
  emit('verify', 0, bytes);
  const sha = await sha256File(partPath, bytes, opts.signal);
  emit('verify', bytes, bytes);
  if (entry.sha256 && sha !== entry.sha256) {
    await fs.promises.rm(partPath, { force: true });
    throw new PustakaError(
      'storage_error',
      `${entry.fileName} is damaged or not the published file (SHA-256 ${sha.slice(0, 16)}…, expected ${entry.sha256.slice(0, 16)}…); the download was deleted`,
      { name: entry.name, sha256: sha },
    );
  }
  let imported: ImportModelResult;
  try {
    imported = await importModel(
      engine,
      {
        path: partPath,
        mode: 'move',
        name: entry.name,
        fileName: entry.fileName,
        source: 'downloaded',
        sourceUri: entry.uri,
        sha256: sha,
      },
      opts,
    );
  } catch (err) {
    // Not a usable GGUF: keeping the bytes would only make the next run "resume" a bad file.
    if (err instanceof PustakaError && err.code === 'invalid_params')
      await fs.promises.rm(partPath, { force: true });
    throw err;
  }
  return { ...imported, durationMs: performance.now() - t0, resumedFrom, verified: entry.sha256 !== null };
}
