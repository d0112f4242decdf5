import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelProgressEvent } from '../core/contract/methods/models.ts';
import type { CatalogEntry } from '../core/models/llm/catalog.ts';
import { downloadModel } from '../core/models/llm/download.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { openTestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

interface Served {
  url: string;
  requests: { range: string | undefined }[];
  /** Break the connection after this many body bytes on the next request (once). */
  cutAfter: number | null;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** Serves one file on 127.0.0.1 with Range support; stops after the test (and never outlives 30 s). */
async function serve(body: Buffer): Promise<Served> {
  const state: Served = { url: '', requests: [], cutAfter: null };
  const server = http.createServer((req, res) => {
    state.requests.push({ range: req.headers.range });
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const slice = body.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'content-length': slice.length,
      ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (state.cutAfter !== null) {
      const cut = state.cutAfter;
      state.cutAfter = null;
      // Close gracefully (FIN, not RST) once the bytes are out, so the client surely receives them
      // before it sees the connection end short of content-length.
      res.write(slice.subarray(0, cut), () => setTimeout(() => res.socket?.end(), 100));
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  setTimeout(() => server.close(), 30_000).unref();
  servers.push(server);
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny.gguf`;
  return state;
}

function entry(url: string, sha256: string | null, sizeBytes: number | null): CatalogEntry {
  return {
    name: 'tiny-test',
    role: 'chat',
    title: 'Tiny test model',
    fileName: 'tiny-test.gguf',
    sizeBytes,
    approxBytes: 150_000,
    quantization: 'Q8_0',
    licence: 'MIT',
    uri: url,
    sha256,
    verified: sha256 !== null,
  };
}

describe('model download', () => {
  it('resumes an interrupted download with a Range request, checks the hash, imports', async () => {
    const file = path.join(tempDir(), 'tiny.gguf');
    await writeTinyLlama(file, { quant: 'q8_0', seed: 9 });
    const body = fs.readFileSync(file);
    const sha = createHash('sha256').update(body).digest('hex');
    const server = await serve(body);
    const { engine } = await openTestEngine();
    const e = entry(server.url, sha, body.length);

    server.cutAfter = 50_000;
    await expect(downloadModel(engine, e)).rejects.toThrow(/broke off after|ended after/);
    const part = path.join(engine.paths.models, 'tiny-test.part');
    const partial = fs.statSync(part).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(body.length);

    const events: ModelProgressEvent[] = [];
    const r = await downloadModel(engine, e, { emit: (ev) => events.push(ev) });
    expect(server.requests.at(-1)!.range).toBe(`bytes=${partial}-`);
    expect(r).toMatchObject({ resumedFrom: partial, verified: true, alreadyPresent: false });
    expect(r.model).toMatchObject({
      name: 'tiny-test',
      sha256: sha,
      source: 'downloaded',
      sourceUri: server.url,
    });
    expect(fs.readFileSync(r.model.path)).toEqual(body);
    expect(fs.existsSync(part)).toBe(false);
    expect(events.some((ev) => ev.phase === 'download')).toBe(true);
    expect(events.at(-1)).toMatchObject({ phase: 'verify', bytesDone: body.length });

    // Already installed: no request at all.
    const before = server.requests.length;
    expect((await downloadModel(engine, e)).alreadyPresent).toBe(true);
    expect(server.requests.length).toBe(before);
  });

  it('deletes a download whose hash does not match, and refuses unknown hashes without the override', async () => {
    const file = path.join(tempDir(), 'tiny.gguf');
    await writeTinyLlama(file, { quant: 'q8_0', seed: 10 });
    const body = fs.readFileSync(file);
    const server = await serve(body);
    const { engine } = await openTestEngine();

    await expect(downloadModel(engine, entry(server.url, 'ab'.repeat(32), null))).rejects.toThrow(
      /damaged or not the published file/,
    );
    expect(fs.readdirSync(engine.paths.models)).toEqual([]);

    await expect(downloadModel(engine, entry(server.url, null, null))).rejects.toThrow(/--allow-unverified/);
    const r = await downloadModel(engine, entry(server.url, null, null), { allowUnverified: true });
    expect(r).toMatchObject({ verified: false, alreadyPresent: false });
  });

  it('says how to go offline when the host cannot be reached', async () => {
    const { engine } = await openTestEngine();
    // A port nothing listens on.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    await expect(
      downloadModel(engine, entry(`http://127.0.0.1:${port}/x.gguf`, null, null), { allowUnverified: true }),
    ).rejects.toThrow(/^cannot reach 127\.0\.0\.1:\d+: .*run `pustaka models import FILE`$/);
  });
});
