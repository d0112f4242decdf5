import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelProgressEvent } from '../core/contract/methods/models.ts';
import { runCli, type CliIO } from '../core/cli/program.ts';
import { catalogSchema, loadCatalog } from '../core/models/llm/catalog.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { openTestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

async function tinyModel(dir: string, name = 'tiny.gguf', seed = 5): Promise<string> {
  const file = path.join(dir, name);
  await writeTinyLlama(file, { quant: 'q8_0', seed });
  return file;
}

function io(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTTY: false,
    progressStream: null,
  };
}

describe('model registry', () => {
  it('imports a copy with progress, lists, inspects, uses and removes it', async () => {
    const { client, engine } = await openTestEngine();
    const src = await tinyModel(tempDir());
    const events: ModelProgressEvent[] = [];
    const r = await client.call('models.import', { path: src }, { onEvent: (e) => events.push(e) });
    expect(r.alreadyPresent).toBe(false);
    expect(r.model).toMatchObject({
      name: 'tiny',
      kind: 'chat',
      architecture: 'llama',
      quantization: 'Q8_0',
      contextLength: 2048,
      chatTemplate: true,
      linked: false,
      source: 'imported',
      fileExists: true,
    });
    expect(r.model.path).toBe(path.join(engine.paths.models, 'tiny.gguf'));
    expect(fs.readFileSync(r.model.path)).toEqual(fs.readFileSync(src));
    expect(events.at(-1)).toMatchObject({ phase: 'copy', bytesDone: r.model.sizeBytes });

    // The same file again: recognised by its hash, not copied twice.
    const again = await client.call('models.import', { path: src });
    expect(again.alreadyPresent).toBe(true);
    expect(fs.readdirSync(engine.paths.models)).toEqual(['tiny.gguf']);

    const inspected = await client.call('models.inspect', { model: 'tiny' });
    expect(inspected.file).toMatchObject({ layers: 2, embeddingLength: 64, heads: 4, tokenizer: 'gpt2' });
    expect(inspected.file.chatTemplate).toContain('start_header_id');

    await client.call('models.use', { model: 'tiny', role: 'chat' });
    const list = await client.call('models.list', {});
    expect(list.active).toEqual({ chat: 'tiny', embedding: null });
    expect(list.models[0]!.activeFor).toEqual(['chat']);

    const removed = await client.call('models.remove', { model: r.model.sha256.slice(0, 12) });
    expect(removed.fileDeleted).toBe(true);
    expect(fs.existsSync(r.model.path)).toBe(false);
    expect((await client.call('models.list', {})).active.chat).toBeNull();
  });

  it('links a file in place and never deletes it', async () => {
    const { client, engine } = await openTestEngine();
    const src = await tinyModel(tempDir());
    const r = await client.call('models.import', { path: src, link: true, name: 'mine' });
    expect(r.model).toMatchObject({ name: 'mine', linked: true, path: src });
    expect(fs.readdirSync(engine.paths.models)).toEqual([]);
    const removed = await client.call('models.remove', { model: 'mine' });
    expect(removed.fileDeleted).toBe(false);
    expect(fs.existsSync(src)).toBe(true);
  });

  it('refuses non-GGUF, truncated and llama.cpp-fatal files before copying anything', async () => {
    const { client, engine } = await openTestEngine();
    const dir = tempDir();
    const notGguf = path.join(dir, 'notes.gguf');
    fs.writeFileSync(notGguf, 'PK\u0003\u0004 not a model');
    const good = await tinyModel(dir);
    const truncated = path.join(dir, 'cut.gguf');
    fs.writeFileSync(truncated, fs.readFileSync(good).subarray(0, 4000));
    const fatal = path.join(dir, 'fatal.gguf');
    await writeTinyLlama(fatal, { omitMetadata: ['llama.attention.head_count'] });

    const cases: [string, RegExp][] = [
      [notGguf, /notes\.gguf is not a GGUF file/],
      [truncated, /cut\.gguf is truncated/],
      [fatal, /llama\.attention\.head_count/],
    ];
    for (const [file, message] of cases) {
      const err = await client.call('models.import', { path: file }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_params', message: expect.stringMatching(message) });
      expect((err as Error).message).toContain('nothing was imported');
    }
    await expect(client.call('models.import', { path: path.join(dir, 'nope.gguf') })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(fs.readdirSync(engine.paths.models)).toEqual([]);
    expect((await client.call('models.list', {})).models).toEqual([]);
  });

  it('refuses to remove a model a collection embeds with', async () => {
    const { client, engine } = await openTestEngine();
    const r = await client.call('models.import', { path: await tinyModel(tempDir()) });
    await client.call('collections.create', { name: 'Visa' });
    await engine.db.query(
      `UPDATE collections SET embedder_id = $1, settings = jsonb_build_object('embedderModel', $2::text)`,
      [r.model.embedderId, r.model.path],
    );
    await expect(client.call('models.remove', { model: 'tiny' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('"Visa"'),
    });
    expect(fs.existsSync(r.model.path)).toBe(true);
  });

  it('reports hardware and a load plan per model (GPU probed in a child process)', async () => {
    const { client } = await openTestEngine();
    await client.call('models.import', { path: await tinyModel(tempDir()) });
    const hw = await client.call('models.hardware', {});
    expect(hw.hardware.cpuCores).toBeGreaterThan(0);
    expect(hw.hardware.ramTotal).toBeGreaterThan(0);
    expect(hw.plans).toEqual([
      expect.objectContaining({ model: 'tiny', fits: true, threads: hw.hardware.cpuCores }),
    ]);
  });

  it('catalog: valid, every hash either published or marked unverified; download refuses unknown hashes', async () => {
    const raw = JSON.parse(fs.readFileSync(new URL('../models/catalog.json', import.meta.url), 'utf8'));
    expect(catalogSchema.safeParse(raw).success).toBe(true);
    const catalog = loadCatalog();
    expect(catalog.map((e) => e.role)).toContain('embedding');
    for (const e of catalog) expect(e.verified).toBe(e.sha256 !== null);
    const { client } = await openTestEngine();
    const unverified = catalog.find((e) => !e.verified);
    if (unverified) {
      await expect(client.call('models.download', { name: unverified.name })).rejects.toMatchObject({
        code: 'invalid_params',
        message: expect.stringContaining('--allow-unverified'),
      });
    }
    await expect(client.call('models.download', { name: 'no-such-model' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('CLI: import, list --json, use, a bad file exits 2 with a clear message', async () => {
    const dataDir = tempDir();
    const dir = tempDir();
    const src = await tinyModel(dir);
    const a = io();
    expect(await runCli(['--data-dir', dataDir, 'models', 'import', src], a)).toBe(0);
    expect(a.out.join('')).toContain('Imported tiny: llama');
    const b = io();
    expect(await runCli(['--data-dir', dataDir, 'models', 'use', 'tiny', '--for', 'chat'], b)).toBe(0);
    const c = io();
    expect(await runCli(['--data-dir', dataDir, '--json', 'models', 'list'], c)).toBe(0);
    expect(JSON.parse(c.out.join(''))).toMatchObject({
      active: { chat: 'tiny' },
      models: [{ name: 'tiny' }],
    });
    const bad = path.join(dir, 'bad.gguf');
    fs.writeFileSync(bad, 'hello');
    const d = io();
    expect(await runCli(['--data-dir', dataDir, 'models', 'import', bad], d)).toBe(2);
    expect(d.err.join('')).toMatch(/bad\.gguf .*nothing was imported/);
    const e = io();
    expect(await runCli(['--data-dir', dataDir, 'models', 'remove', 'tiny'], e)).toBe(2);
    expect(e.err.join('')).toContain('add --yes');
  });
});
