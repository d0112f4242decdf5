// Model files belong to the data folder they sit in. Before the `models` table stored names inside
// `<data>/models/`, a copied data folder (`cp -a D P`) and a backup restored into another folder
// kept pointing into the original's models folder: with the original moved away, the copy's models
// were "file missing" (and its collections unsearchable by vector) although its own models folder
// held the very files; with it in place, `models remove` in the copy left the copy's file behind.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../core/contract/client.ts';
import type { ReembedEvent } from '../core/contract/methods/collections.ts';
import { createBackup, prepareRestore } from '../core/operations/backup/index.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { openTestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

const TIMEOUT_MS = 240_000;

function docs(root: string, n = 3): string {
  const dir = path.join(root, 'docs');
  fs.mkdirSync(dir);
  for (let i = 0; i < n; i++) {
    fs.writeFileSync(
      path.join(dir, `note-${i}.md`),
      `# Note ${i}\n\nIzin tinggal terbatas ${i} untuk pekerja asing.\n\nThe sponsor applies for permit ${i}.`,
    );
  }
  return dir;
}

/**
 * A data folder with a managed model (copied into its models folder), chosen for chat and
 * embedding collection K. `legacy`: rows as an older Pustaka wrote them, with absolute paths.
 */
async function folderWithModel(root: string, dataDir: string, legacy: boolean): Promise<string> {
  const src = path.join(root, 'tiny.gguf');
  if (!fs.existsSync(src)) await writeTinyLlama(src, { quant: 'q8_0', seed: 7 });
  const { client, engine } = await openTestEngine(dataDir);
  try {
    const r = await client.call('models.import', { path: src });
    await client.call('models.use', { model: 'tiny', role: 'chat' });
    await client.call('import.run', { collection: 'K', create: true, paths: [docs(root)] });
    const swapped = await client.call('collections.setEmbedder', { collection: 'K', model: r.model.path });
    expect(swapped.status).toBe('done');
    if (legacy) {
      const abs = path.join(engine.paths.models, 'tiny.gguf');
      await engine.db.query('UPDATE models SET path = $1', [abs]);
      await engine.db.query(
        `UPDATE collections SET settings = settings || jsonb_build_object('embedderModel', $1::text)
         WHERE settings ? 'embedderModel'`,
        [abs],
      );
    }
  } finally {
    await engine.close();
  }
  return src;
}

/** The model is this folder's own, present, and collection K searches by vector with it. */
async function expectOwnModel(client: ApiClient, dataDir: string): Promise<void> {
  const list = await client.call('models.list', {});
  expect(list.models.map((m) => [m.name, m.path, m.fileExists])).toEqual([
    ['tiny', path.join(dataDir, 'models', 'tiny.gguf'), true],
  ]);
  expect(list.active.chat).toBe('tiny');
  const k = await client.call('collections.get', { collection: 'K' });
  expect(path.resolve(path.join(dataDir, 'models'), k.embedderModel!)).toBe(
    path.join(dataDir, 'models', 'tiny.gguf'),
  );
  const found = await client.call('search', { query: 'izin tinggal', collections: ['K'], mode: 'vector' });
  expect(found.items.length).toBeGreaterThan(0);
}

describe('model files belong to their data folder', () => {
  it.each([
    ['names', false],
    ['absolute paths, from an older Pustaka', true],
  ])(
    'a copied data folder uses its own model files, and `models remove` there deletes only its own (rows with %s)',
    async (_what, legacy) => {
      const root = tempDir('pustaka-models-copied-');
      const original = path.join(root, 'D');
      const copy = path.join(root, 'P');
      await folderWithModel(root, original, legacy);
      fs.cpSync(original, copy, { recursive: true, preserveTimestamps: true });
      const originalFile = path.join(original, 'models', 'tiny.gguf');
      const originalBytes = fs.readFileSync(originalFile);

      // The original moved away: the copy's models are its own, not "file missing".
      const moved = `${original}-moved`;
      fs.renameSync(original, moved);
      {
        const { client, engine } = await openTestEngine(copy);
        await expectOwnModel(client, copy);
        await client.call('collections.setEmbedder', { collection: 'K', model: 'builtin' });
        await engine.close();
      }

      // The original back in place: removing the model in the copy deletes the copy's file only.
      fs.renameSync(moved, original);
      const { client, engine } = await openTestEngine(copy);
      // An older folder's references were turned into names at the copy's first open, on the record.
      const adopted = await engine.db.query<{ target_type: string; details: { to: string } }>(
        "SELECT target_type, details FROM audit_logs WHERE action = 'model.adopt' ORDER BY id",
      );
      expect(adopted.map((a) => [a.target_type, a.details.to])).toEqual(
        legacy
          ? [
              ['model', 'tiny.gguf'],
              ['collection', 'tiny.gguf'],
            ]
          : [],
      );
      const removed = await client.call('models.remove', { model: 'tiny' });
      expect(removed.fileDeleted).toBe(true);
      expect(fs.readdirSync(engine.paths.models)).toEqual([]);
      expect(fs.readFileSync(originalFile)).toEqual(originalBytes);
      const { client: inOriginal } = await openTestEngine(original);
      await expectOwnModel(inOriginal, original);
    },
    TIMEOUT_MS,
  );

  it.each([
    ['names', false],
    ['absolute paths, from an older Pustaka', true],
  ])(
    'a backup restored into another data folder finds its models in that folder once they are put there (rows with %s)',
    async (_what, legacy) => {
      const root = tempDir('pustaka-models-restored-');
      const original = path.join(root, 'D');
      const other = path.join(root, 'Q');
      const src = await folderWithModel(root, original, legacy);
      const e1 = await openEngine({ dataDir: original });
      const backup = await createBackup(e1, { kind: 'manual' }).finally(() => e1.close());

      // Another folder (another machine): the archive and the model file are brought over; the
      // original is gone.
      const e2 = await openEngine({ dataDir: other });
      try {
        fs.copyFileSync(backup.path, path.join(e2.paths.backups, backup.fileName));
        fs.copyFileSync(src, path.join(e2.paths.models, 'tiny.gguf'));
        await prepareRestore(e2, backup.fileName, { safetyBackup: false, trustForeign: true });
      } finally {
        await e2.close();
      }
      fs.rmSync(original, { recursive: true });

      const { client } = await openTestEngine(other);
      await expectOwnModel(client, other);
    },
    TIMEOUT_MS,
  );

  it(
    "a re-embedding cut short in a data folder resumes in its copy with the copy's model file",
    async () => {
      const root = tempDir('pustaka-models-resume-');
      const original = path.join(root, 'D');
      const copy = path.join(root, 'P');
      const src = path.join(root, 'tiny.gguf');
      await writeTinyLlama(src, { quant: 'q8_0', seed: 7 });
      {
        const { client, dispatcher, engine } = await openTestEngine(original);
        const r = await client.call('models.import', { path: src });
        await client.call('import.run', { collection: 'K', create: true, paths: [docs(root, 30)] });
        const ctrl = new AbortController();
        const cut = await dispatcher.call(
          'collections.setEmbedder',
          { collection: 'K', model: r.model.path },
          { signal: ctrl.signal, onEvent: (e) => (e as ReembedEvent).done >= 8 && ctrl.abort() },
        );
        expect(cut).toMatchObject({ ok: true, result: { status: 'cancelled' } });
        await engine.close();
      }
      fs.cpSync(original, copy, { recursive: true, preserveTimestamps: true });
      fs.rmSync(original, { recursive: true });

      const { client } = await openTestEngine(copy);
      const resumed = await client.call('import.resume', {});
      expect(resumed.reembeds.map((r) => r.status)).toEqual(['done']);
      const k = await client.call('collections.get', { collection: 'K' });
      expect(k).toMatchObject({ embedderModel: 'tiny.gguf', embeddingDim: 64 });
      const found = await client.call('search', {
        query: 'izin tinggal',
        collections: ['K'],
        mode: 'vector',
      });
      expect(found.items.length).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it('`models remove` deletes only a regular file inside the models folder, by its real path', async () => {
    const root = tempDir('pustaka-models-remove-');
    const dataDir = path.join(root, 'data');
    const src = path.join(root, 'tiny.gguf');
    await writeTinyLlama(src, { quant: 'q8_0', seed: 7 });
    const outside = path.join(root, 'keep-me.gguf');
    fs.copyFileSync(src, outside);
    const before = fs.readFileSync(outside);
    const { client, engine } = await openTestEngine(dataDir);
    const r = await client.call('models.import', { path: src });

    // The managed file replaced by a link to a file outside the data folder.
    fs.rmSync(r.model.path);
    fs.symlinkSync(outside, r.model.path);
    const viaLink = await client.call('models.remove', { model: 'tiny' });
    expect(viaLink.fileDeleted).toBe(false);
    expect(fs.lstatSync(r.model.path).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(outside)).toEqual(before);

    // Rows naming files outside the models folder (a tampered or foreign catalogue).
    fs.rmSync(r.model.path);
    for (const [i, stored] of [
      outside,
      '../collections.db',
      `${engine.paths.models}/../pustaka.lock`,
    ].entries()) {
      await engine.db.query(
        `INSERT INTO models (name, kind, file_name, path, sha256, size_bytes, source)
         VALUES ($1, 'chat', 'x.gguf', $2, $3, 1, 'imported')`,
        [`row-${i}`, stored, String(i).repeat(64)],
      );
      const res = await client.call('models.remove', { model: `row-${i}` });
      expect(res.fileDeleted).toBe(false);
    }
    expect(fs.readFileSync(outside)).toEqual(before);
    expect(fs.existsSync(engine.paths.collectionsDb)).toBe(true);
  });
});
