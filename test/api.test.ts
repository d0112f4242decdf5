import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../core/contract/client.ts';
import { METHOD_NAMES, contracts } from '../core/contract/methods/index.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { handlers } from '../core/api/handlers/index.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { openTestEngine } from './support/engine.ts';

describe('typed API', () => {
  it('every contract has a handler and vice versa', () => {
    expect(Object.keys(handlers).sort()).toEqual([...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) expect(contracts[name].method).toBe(name);
  });

  it('status reports schema versions, zero counts and cache stats on a new data dir', async () => {
    const { client, dataDir } = await openTestEngine();
    const s = await client.call('status', {});
    expect(s.dataDir).toBe(dataDir);
    expect(s.schema.pg).toBeGreaterThanOrEqual(4);
    expect(s.schema.vectors).toBeGreaterThanOrEqual(1);
    expect(s.counts).toEqual({
      collections: 0,
      documents: 0,
      chunks: 0,
      conversations: 0,
      messages: 0,
      goldenAnswers: 0,
      clients: 0,
      memoryFacts: 0,
    });
    expect(s.engine.clusterOrigin).toBe('template');
    expect(s.versions.postgres).toMatch(/^\d+/);
    expect(s.versions.sqliteVec).toMatch(/^v?\d+\.\d+/);
    expect(s.stores.pgBytes).toBeGreaterThan(1_000_000);
    expect(s.caches.map((c) => c.name)).toContain('answers');
  });

  it('creates, lists, renames and deletes collections across both stores', async () => {
    const { client, engine } = await openTestEngine();
    const visa = await client.call('collections.create', {
      name: '  Visa rules ',
      description: 'KITAS, KITAP',
    });
    expect(visa).toMatchObject({
      name: 'Visa rules',
      description: 'KITAS, KITAP',
      documentCount: 0,
      chunkCount: 0,
      chunkSize: 400,
    });
    expect(engine.vectors.collectionDim(visa.id)).toBe(visa.embeddingDim);
    await client.call('collections.create', { name: 'Tax', chunkSize: 256, chunkOverlap: 32 });

    expect((await client.call('collections.list', {})).map((c) => c.name)).toEqual(['Tax', 'Visa rules']);
    expect((await client.call('collections.get', { collection: 'visa RULES' })).id).toBe(visa.id);

    const renamed = await client.call('collections.rename', { collection: visa.id, name: 'Immigration' });
    expect(renamed.name).toBe('Immigration');

    const deleted = await client.call('collections.delete', { collection: 'immigration' });
    expect(deleted).toMatchObject({ id: visa.id, name: 'Immigration', documents: 0 });
    expect(engine.vectors.collectionDim(visa.id)).toBeNull();
    expect((await client.call('collections.list', {})).map((c) => c.name)).toEqual(['Tax']);
    const audit = await engine.db.query<{ action: string }>(
      "SELECT action FROM audit_logs WHERE action = 'collection.delete'",
    );
    expect(audit).toHaveLength(1);
  });

  it('answers bad input with typed error envelopes, never a throw', async () => {
    const { dispatcher, client } = await openTestEngine();
    expect(await dispatcher.call('no.such.method', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown_method' },
    });
    const empty = await dispatcher.call('collections.create', { name: '   ' });
    expect(empty).toMatchObject({
      ok: false,
      error: { code: 'invalid_params', message: expect.stringContaining('name') },
    });
    expect(await dispatcher.call('collections.create', { name: 'x', bogus: 1 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_params' },
    });
    expect(
      await dispatcher.call('collections.create', { name: 'x', chunkSize: 100, chunkOverlap: 100 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_params', message: expect.stringContaining('chunkOverlap') },
    });
    expect(await dispatcher.call('collections.create', null)).toMatchObject({
      ok: false,
      error: { code: 'invalid_params' },
    });
    // Postgres text holds no NUL: refused as a bad parameter, wherever it sits, before any query.
    expect(await dispatcher.call('models.remove', { model: '\u0000' })).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_params',
        message: expect.stringContaining('model: text may not contain a NUL'),
      },
    });
    expect(await dispatcher.call('search', { query: 'kitas', collections: ['a\u0000b'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_params', details: { issues: [{ path: ['collections', '0'] }] } },
    });
    expect(await dispatcher.call('collections.get', { collection: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'no collection named "nope"' },
    });
    await client.call('collections.create', { name: 'Legal' });
    const dup = await dispatcher.call('collections.create', { name: 'LEGAL' });
    expect(dup).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await client.call('collections.create', { name: 'Other' });
    await expect(
      client.call('collections.rename', { collection: 'Other', name: 'legal' }),
    ).rejects.toBeInstanceOf(ApiCallError);
  });

  it('reports a cancelled call as cancelled', async () => {
    const { dispatcher } = await openTestEngine();
    const ctrl = new AbortController();
    ctrl.abort();
    expect(await dispatcher.call('status', {}, { signal: ctrl.signal })).toMatchObject({
      ok: false,
      error: { code: 'cancelled' },
    });
  });

  it('catches a handler result that breaks its contract', async () => {
    const { engine } = await openTestEngine();
    const broken = createDispatcher(engine, {
      ...handlers,
      'collections.list': async () => [{ id: 'x' }] as never,
    });
    expect(await broken.call('collections.list', {})).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });

  it('refuses a second engine on the same data dir', async () => {
    const { dataDir } = await openTestEngine();
    await expect(openEngine({ dataDir })).rejects.toMatchObject({ code: 'data_dir_in_use' });
  });
});
