// The data folder is the user's alone: folders 0700, files 0600, from its creation (template copy
// or initdb), through imports, backups and restores, and repaired at open for folders an older
// Pustaka left 0644/0666/0755. Another user can neither read a chunk nor write the cluster.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../core/api/dispatcher.ts';
import { createApiClient, type ApiClient } from '../../core/contract/client.ts';
import { applyPendingRestore } from '../../core/operations/backup/index.ts';
import { DEFAULT_TEMPLATE_DIR } from '../../core/stores/pg/template.ts';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { VISA_GUIDE_MD, writeFile } from '../support/files.ts';
import { tempDir } from '../support/temp-dir.ts';
import { NOBODY, RUNNING_AS_ROOT } from '../support/cli.ts';

const posix = process.platform !== 'win32';

/** Every entry under `root` (itself included) whose mode is not 0700 (folder) or 0600 (file). */
function notPrivate(root: string): string[] {
  const wrong: string[] = [];
  const visit = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want)
      wrong.push(`${path.relative(root, p) || '.'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(root);
  return wrong;
}

function connect(engine: Engine): ApiClient {
  const dispatcher = createDispatcher(engine);
  return createApiClient((m, p, o) => dispatcher.call(m, p, o));
}

// A user's usual umask, whatever an engine opened earlier in this process set.
let umask: number;
beforeEach(() => {
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
});

describe.runIf(posix)('the data folder is private to its user', () => {
  it('on creation from the template, after an import and a backup, and after a restore', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    writeFile(root, 'docs/visa.md', VISA_GUIDE_MD);
    let engine = await openEngine({ dataDir });
    try {
      expect(fs.existsSync(path.join(dataDir, 'pg', 'global', 'pg_control'))).toBe(true);
      expect(notPrivate(dataDir)).toEqual([]);

      const client = connect(engine);
      await client.call('import.run', { collection: 'Visa', create: true, paths: [path.join(root, 'docs')] });
      const backup = await client.call('backup.create', {});
      expect(fs.readdirSync(engine.paths.backups)).toContain(path.basename(backup.path));
      await client.call('collections.create', { name: 'After the backup' });
      expect(notPrivate(dataDir)).toEqual([]);

      await client.call('backup.restore', { backup: backup.id });
      expect(notPrivate(dataDir)).toEqual([]); // the staged copy too
    } finally {
      await engine.close();
    }
    expect(await applyPendingRestore(dataDir)).not.toBeNull();
    expect(notPrivate(dataDir)).toEqual([]);
    engine = await openEngine({ dataDir });
    try {
      expect(await connect(engine).call('collections.list', {})).toMatchObject([{ name: 'Visa' }]);
      expect(notPrivate(dataDir)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('on creation by initdb (no template)', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const engine = await openEngine({ dataDir, templateDir: null });
    await engine.close();
    expect(notPrivate(dataDir)).toEqual([]);
  });

  it('repairs a folder an older version left readable and writable by others', async () => {
    const dataDir = path.join(tempDir(), 'data');
    await (await openEngine({ dataDir })).close();
    const widen = (p: string) => {
      const st = fs.lstatSync(p);
      fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o666);
      if (st.isDirectory()) for (const name of fs.readdirSync(p)) widen(path.join(p, name));
    };
    widen(dataDir);
    expect(notPrivate(dataDir).length).toBeGreaterThan(900);

    const engine = await openEngine({ dataDir });
    try {
      expect(notPrivate(dataDir)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('leaves the installed template readable by all but writable only by its owner', () => {
    const writable: string[] = [];
    const visit = (p: string) => {
      const st = fs.lstatSync(p);
      if (st.mode & 0o022) writable.push(path.relative(DEFAULT_TEMPLATE_DIR, p));
      if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
    };
    visit(DEFAULT_TEMPLATE_DIR);
    expect(writable).toEqual([]);
  });

  it.runIf(RUNNING_AS_ROOT)('another user can neither read the chunks nor write pg_control', async () => {
    const root = tempDir();
    fs.chmodSync(root, 0o755); // so only the data folder's own modes stand in the way
    const dataDir = path.join(root, 'data');
    await (await openEngine({ dataDir })).close();
    const probe = `
      const fs = require('node:fs');
      const tries = { read: ${JSON.stringify(path.join(dataDir, 'collections.db'))},
                      write: ${JSON.stringify(path.join(dataDir, 'pg', 'global', 'pg_control'))} };
      const out = {};
      try { fs.readFileSync(tries.read); out.read = 'ok'; } catch (e) { out.read = e.code; }
      try { fs.appendFileSync(tries.write, ''); out.write = 'ok'; } catch (e) { out.write = e.code; }
      console.log(JSON.stringify(out));`;
    const run = spawnSync(process.execPath, ['-e', probe], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ read: 'EACCES', write: 'EACCES' });
  });
});
