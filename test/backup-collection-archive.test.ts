import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { runPustaka } from './support/cli.ts';

// Two data dirs, as on two machines: export from the first, import into the second.
let root: string;
let source: Engine;
let target: Engine;
let from: ApiClient;
let to: ApiClient;

function connect(e: Engine): ApiClient {
  const dispatcher = createDispatcher(e);
  return createApiClient((m, p, o) => dispatcher.call(m, p, o));
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-colarchive-'));
  source = await openEngine({ dataDir: path.join(root, 'a') });
  target = await openEngine({ dataDir: path.join(root, 'b') });
  from = connect(source);
  to = connect(target);
  const docs = path.join(root, 'docs');
  writeFile(docs, 'guide.md', VISA_GUIDE_MD);
  writeFile(
    docs,
    'izin.txt',
    'Izin tinggal terbatas (KITAS) diberikan kepada tenaga kerja asing. Perusahaan sponsor mengajukan permohonan.',
  );
  await from.call('import.run', { collection: 'Visa rules', create: true, paths: [docs], tags: ['kitas'] });
});

afterAll(async () => {
  await source?.close();
  await target?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('collection export and import', () => {
  it('moves a collection to another data dir, searchable there at once', async () => {
    const exported = await from.call('collections.export', { collection: 'visa rules', out: root });
    expect(exported.path).toBe(path.join(root, 'Visa-rules.pustaka-collection'));
    expect(exported.documents).toBe(2);
    expect(exported.chunks).toBeGreaterThanOrEqual(2);

    // Another data dir is another installation: moving a collection there is what the archive is for.
    const imported = await to.call('collections.importArchive', { path: exported.path });
    expect(imported.collection.name).toBe('Visa rules');
    expect(imported.collection.chunkCount).toBe(exported.chunks);
    expect(imported.collection.documentCount).toBe(2);
    expect(imported.vectorsUsable).toBe(true);
    expect(imported.warning).toBeNull();
    expect(imported.integrity.status).toBe('foreign');

    // Same query, same passages, on both machines — vectors included (no re-embedding).
    for (const mode of ['hybrid', 'vector', 'keyword'] as const) {
      const a = await from.call('search', { query: 'sponsor company permit', mode });
      const b = await to.call('search', { query: 'sponsor company permit', mode });
      expect(b.items.length).toBeGreaterThan(0);
      expect(b.items.map((i) => [i.title, i.text])).toEqual(a.items.map((i) => [i.title, i.text]));
    }
    const tagged = await to.call('search', { query: 'KITAS', tags: ['kitas'] });
    expect(tagged.items.length).toBeGreaterThan(0);

    const audit = async (e: Engine, action: string) =>
      (
        await e.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs WHERE action = $1', [
          action,
        ])
      )[0]!.n;
    expect(await audit(source, 'collection.export')).toBe(1);
    expect(await audit(target, 'collection.import')).toBe(1);
  });

  it('refuses a name already taken, and imports under --as; an existing output file is not overwritten', async () => {
    const out = path.join(root, 'again.pustaka-collection');
    await from.call('collections.export', { collection: 'Visa rules', out, passphrase: 'pindah' });
    await expect(from.call('collections.export', { collection: 'Visa rules', out })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(
      to.call('collections.importArchive', { path: out, passphrase: 'pindah' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/already exists; import it under another name with --as/),
    });
    await expect(to.call('collections.importArchive', { path: out, as: 'Copy' })).rejects.toMatchObject({
      code: 'invalid_params',
      message: expect.stringMatching(/encrypted/),
    });
    const copy = await to.call('collections.importArchive', {
      path: out,
      as: 'Visa (copy)',
      passphrase: 'pindah',
    });
    expect(copy.collection.name).toBe('Visa (copy)');
    expect(
      (await to.call('search', { query: 'KITAP permanent', collections: ['Visa (copy)'] })).items.length,
    ).toBeGreaterThan(0);
  });

  it('rejects a damaged archive and leaves no collection behind', async () => {
    const out = path.join(root, 'damaged.pustaka-collection');
    await from.call('collections.export', { collection: 'Visa rules', out });
    const bytes = fs.readFileSync(out);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(out, bytes);
    const before = await to.call('collections.list', {});
    await expect(to.call('collections.importArchive', { path: out, as: 'Damaged' })).rejects.toMatchObject({
      code: 'storage_error',
    });
    expect(await to.call('collections.list', {})).toEqual(before);
  });
});

describe('backup CLI', () => {
  // Two engine starts in child processes: slow on a busy machine, so a longer time-out.
  it('creates, lists as JSON, and asks for --yes before a restore', { timeout: 240_000 }, async () => {
    const dataDir = path.join(root, 'cli');
    const created = await runPustaka(['--data-dir', dataDir, '--json', 'backup', 'create']);
    expect(created.code).toBe(0);
    const backup = JSON.parse(created.stdout) as { id: number; status: string; path: string };
    expect(backup.status).toBe('ok');

    const listed = await runPustaka(['--data-dir', dataDir, '--json', 'backup', 'list']);
    expect((JSON.parse(listed.stdout) as { backups: { id: number }[] }).backups.map((b) => b.id)).toEqual([
      backup.id,
    ]);

    const refused = await runPustaka(['--data-dir', dataDir, 'backup', 'restore', String(backup.id)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs confirmation: add --yes/);

    const passFile = path.join(root, 'empty-pass');
    fs.writeFileSync(passFile, '\n');
    const empty = await runPustaka([
      '--data-dir',
      dataDir,
      'backup',
      'create',
      '--passphrase-file',
      passFile,
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/passphrase file .* is empty/);
  });
});
