import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { openTestEngine } from './support/engine.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

describe('audit trail', () => {
  it('records deletions and model changes, newest first, filterable and pageable', async () => {
    const { client } = await openTestEngine();
    const docs = tempDir();
    writeFile(docs, 'visa.md', VISA_GUIDE_MD);
    await client.call('import.run', { collection: 'Visa', paths: [docs], create: true });
    const [doc] = await client.call('documents.list', { collection: 'Visa' }).then((r) => r.items);
    await client.call('documents.delete', { id: doc!.id });
    const visa = await client.call('collections.delete', { collection: 'Visa' });

    const gguf = path.join(tempDir(), 'tiny.gguf');
    await writeTinyLlama(gguf, { quant: 'q8_0', seed: 3 });
    const { model } = await client.call('models.import', { path: gguf });
    await client.call('models.use', { model: model.name, role: 'chat' });
    await client.call('models.remove', { model: model.name });

    const trail = await client.call('audit.list', {});
    expect(trail.map((e) => e.action)).toEqual([
      'model.remove',
      'model.use',
      'model.import',
      'collection.delete',
      'document.delete',
    ]);
    expect(trail.find((e) => e.action === 'document.delete')).toMatchObject({
      targetType: 'document',
      targetId: String(doc!.id),
      details: { sourcePath: path.join(docs, 'visa.md') },
    });
    expect(trail.find((e) => e.action === 'collection.delete')).toMatchObject({
      targetId: String(visa.id),
      details: { name: 'Visa', documents: 0 },
    });
    expect(trail.find((e) => e.action === 'model.import')!.details).toMatchObject({
      name: model.name,
      sha256: model.sha256,
      mode: 'copy',
    });
    expect(trail.find((e) => e.action === 'model.use')!.details).toEqual({ name: model.name, role: 'chat' });

    expect((await client.call('audit.list', { action: 'model' })).map((e) => e.action)).toEqual([
      'model.remove',
      'model.use',
      'model.import',
    ]);
    expect(await client.call('audit.list', { action: 'mode' })).toEqual([]); // a family, not a prefix
    const page = await client.call('audit.list', { limit: 2, beforeId: trail[1]!.id });
    expect(page.map((e) => e.action)).toEqual(['model.import', 'collection.delete']);
  });
});
