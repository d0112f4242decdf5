import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { applyPendingRestore, createBackup, readPendingRestore } from '../core/operations/backup/index.ts';
import { extractArchive, extractTar } from '../core/operations/backup/archive.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { runCliCaptured } from './support/cli.ts';

// Bug 7: plain archives were not authenticated, and links in a nested tar reached the live data.
let root: string;
let dataDir: string;
let engine: Engine;
let client: ApiClient;
// A second installation (its own data folder, so its own key).
let other: Engine;
let otherClient: ApiClient;

function connect(e: Engine): ApiClient {
  const dispatcher = createDispatcher(e);
  return createApiClient((m, p, o) => dispatcher.call(m, p, o));
}

async function reopen(): Promise<void> {
  engine = await openEngine({ dataDir });
  client = connect(engine);
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-integrity-'));
  dataDir = path.join(root, 'data');
  writeFile(path.join(root, 'docs'), 'guide.md', VISA_GUIDE_MD);
  await reopen();
  await client.call('import.run', { collection: 'Visa', create: true, paths: [path.join(root, 'docs')] });
  other = await openEngine({ dataDir: path.join(root, 'other') });
  otherClient = connect(other);
  await otherClient.call('import.run', {
    collection: 'Elsewhere',
    create: true,
    paths: [path.join(root, 'docs')],
  });
});

afterAll(async () => {
  await engine?.close();
  await other?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

// --- building archives by hand, as an attacker would ---

interface RawEntry {
  name: string;
  type?: string;
  body?: Buffer;
  linkpath?: string;
}

/** A tar with exactly these entries (any name, any type): what a hand-made archive can hold. */
function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = e.body ?? Buffer.alloc(0);
    const header = Buffer.alloc(512);
    new tar.Header({
      path: e.name,
      type: (e.type ?? 'File') as 'File',
      size: body.length,
      mode: e.type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      ...(e.linkpath ? { linkpath: e.linkpath } : {}),
    }).encode(header, 0);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The members of a plain archive, unpacked into a fresh folder. */
async function openOuter(archive: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(root, 'outer-'));
  await tar.x({ file: archive, cwd: dir });
  return dir;
}

/** Writes a plain archive of the named files of `dir` (and any extra raw entries). */
function packOuter(dir: string, names: string[], out: string, extra: RawEntry[] = []): string {
  const entries = names.map((name) => ({ name, body: fs.readFileSync(path.join(dir, name)) }));
  fs.writeFileSync(out, zlib.gzipSync(rawTar([...entries, ...extra]), { level: 1 }));
  return out;
}

/** Makes the manifest agree with a member changed on purpose (a consistent forgery). */
/** Rewrites a passage in the unpacked collections.db and its checksum, as a forger would. */
function tamperChunkAndManifest(dir: string): void {
  const db = new Database(path.join(dir, 'collections.db'));
  db.prepare(
    "UPDATE chunks SET text = 'Send the visa fee to account 666.' WHERE id = (SELECT min(id) FROM chunks)",
  ).run();
  db.close();
  refreshManifest(dir, 'collections.db');
}

function refreshManifest(dir: string, member: string): void {
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    members: { name: string; sizeBytes: number; sha256: string }[];
  };
  const bytes = fs.readFileSync(path.join(dir, member));
  const m = manifest.members.find((x) => x.name === member)!;
  m.sizeBytes = bytes.length;
  m.sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** A collection archive whose chunks were edited and its manifest made to agree (signature kept). */
async function tamperCollection(archive: string, out: string): Promise<string> {
  const dir = await openOuter(archive);
  const chunks = path.join(dir, 'chunks.jsonl');
  fs.writeFileSync(
    chunks,
    fs.readFileSync(chunks, 'utf8').replace(/"text":"/, '"text":"Send the fee to account 666. '),
  );
  refreshManifest(dir, 'chunks.jsonl');
  return packOuter(dir, members(dir), out);
}

const members = (dir: string) => fs.readdirSync(dir).filter((n) => !n.startsWith('.'));
const stagingLeft = () => fs.readdirSync(dataDir).filter((n) => n.startsWith('restore-staging-'));
const liveConf = () => fs.lstatSync(path.join(dataDir, 'pg', 'postgresql.auto.conf'));
const keyFile = () => path.join(dataDir, 'install-key');

describe('links and special files in archives', () => {
  it('a nested tar with a link, a device, a FIFO or a ".." entry is refused before anything is written', async () => {
    const cases: [RawEntry, RegExp][] = [
      [{ name: '/postgresql.auto.conf', type: 'SymbolicLink', linkpath: '/nonexistent' }, /symbolic link/],
      [{ name: '/base/evil', type: 'Link', linkpath: '/PG_VERSION' }, /hard link/],
      [{ name: '/../escaped', body: Buffer.from('x') }, /"\.\."/],
      [{ name: 'base/../../escaped', body: Buffer.from('x') }, /"\.\."/],
      [{ name: '/dev-null', type: 'CharacterDevice' }, /device/],
      [{ name: '/fifo', type: 'FIFO' }, /FIFO/],
    ];
    for (const [bad, why] of cases) {
      const file = path.join(root, 'nested.tar');
      fs.writeFileSync(
        file,
        rawTar([
          { name: '/PG_VERSION', body: Buffer.from('17\n') },
          { name: '/base', type: 'Directory' },
          bad,
        ]),
      );
      const dest = fs.mkdtempSync(path.join(root, 'nested-'));
      const name = bad.name.replace(/^\//, '').replace(/^\.\.\//, '');
      await expect(extractTar(file, dest), bad.name).rejects.toThrow(why);
      await expect(extractTar(file, dest), bad.name).rejects.toThrow(name);
      // Refused before extracting: not even the good entries before it were written.
      expect(fs.readdirSync(dest), bad.name).toEqual([]);
      expect(fs.existsSync(path.join(root, 'escaped')), bad.name).toBe(false);
    }
  });

  it('an outer archive with a linked member or an absolute or ".." entry is refused', async () => {
    const backup = await createBackup(engine, { kind: 'manual' });
    const dir = await openOuter(backup.path);
    const others = members(dir).filter((n) => n !== 'collections.db');
    const cases: [RawEntry, RegExp][] = [
      [{ name: 'collections.db', type: 'SymbolicLink', linkpath: '/etc/passwd' }, /symbolic link/],
      [{ name: path.join(root, 'absolute-escape'), body: Buffer.from('x') }, /absolute path/],
      [{ name: '../dotdot-escape', body: Buffer.from('x') }, /"\.\."/],
    ];
    for (const [bad, why] of cases) {
      const names = bad.name === 'collections.db' ? others : members(dir);
      const archive = packOuter(dir, names, path.join(root, 'bad-outer.pustaka-backup'), [bad]);
      const dest = fs.mkdtempSync(path.join(root, 'outer-dest-'));
      await expect(
        extractArchive(archive, dest, ['manifest.json', 'pg.tar', 'collections.db']),
        bad.name,
      ).rejects.toThrow(why);
      expect(members(dest), bad.name).toEqual([]);
      await expect(
        client.call('backup.restore', { backup: archive, safetyBackup: false }),
        bad.name,
      ).rejects.toMatchObject({ code: 'storage_error', message: expect.stringMatching(why) });
      expect(stagingLeft()).toEqual([]);
    }
    expect(fs.existsSync(path.join(root, 'absolute-escape'))).toBe(false);
    expect(fs.existsSync(path.join(root, '..', 'dotdot-escape'))).toBe(false);
  });

  it('a restore whose pg.tar holds a symlink is refused and the live pg/ is left alone', async () => {
    const backup = await createBackup(engine, { kind: 'manual' });
    const dir = await openOuter(backup.path);
    // Rebuild pg.tar with postgresql.auto.conf as a dangling symlink and a hard link beside it.
    const cluster = fs.mkdtempSync(path.join(root, 'cluster-'));
    await tar.x({ file: path.join(dir, 'pg.tar'), cwd: cluster, onwarn: () => undefined });
    for (const variant of ['symlink', 'hardlink'] as const) {
      const work = fs.mkdtempSync(path.join(root, 'cluster-copy-'));
      fs.cpSync(cluster, work, { recursive: true });
      if (variant === 'symlink') {
        fs.rmSync(path.join(work, 'postgresql.auto.conf'));
        fs.symlinkSync('/nonexistent/pustaka-evil.conf', path.join(work, 'postgresql.auto.conf'));
      } else {
        fs.linkSync(path.join(work, 'PG_VERSION'), path.join(work, 'PG_VERSION_LINK'));
      }
      await tar.c({ file: path.join(dir, 'pg.tar'), cwd: work, portable: true }, fs.readdirSync(work));
      refreshManifest(dir, 'pg.tar');
      // Without manifest.sig: an attacker cannot sign, so the archive poses as an older one,
      // and a user who trusts it by mistake is still protected from the link.
      const names = members(dir).filter((n) => n !== 'manifest.sig');
      const archive = packOuter(dir, names, path.join(root, `pg-${variant}.pustaka-backup`));
      await expect(
        client.call('backup.restore', { backup: archive, safetyBackup: false, trustForeign: true }),
      ).rejects.toMatchObject({
        code: 'storage_error',
        message: expect.stringMatching(
          variant === 'symlink'
            ? /postgresql\.auto\.conf.*symbolic link|symbolic link.*postgresql\.auto\.conf/
            : /PG_VERSION(_LINK)?.*hard link|hard link.*PG_VERSION/,
        ),
      });
      expect(readPendingRestore(dataDir)).toBeNull();
      expect(stagingLeft()).toEqual([]);
      expect(liveConf().isFile()).toBe(true);
    }
  });
});

describe('integrity signature of plain archives', () => {
  it('the install key is a 0600 file of the data folder, never inside an archive', async () => {
    const backup = await createBackup(engine, { kind: 'manual' });
    expect(fs.existsSync(keyFile())).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    const listed: string[] = [];
    await tar.t({ file: backup.path, onReadEntry: (e) => listed.push(e.path) });
    expect(listed).toEqual(['manifest.json', 'manifest.sig', 'pg.tar', 'collections.db']);
    const key = fs.readFileSync(keyFile(), 'utf8').trim();
    const dir = await openOuter(backup.path);
    const sig = fs.readFileSync(path.join(dir, 'manifest.sig'), 'utf8');
    expect(sig).not.toContain(key);
    expect(JSON.parse(sig)).toMatchObject({ algorithm: 'HMAC-SHA256', keyId: expect.any(String) });
  });

  it('refuses collections.db tampered together with its manifest checksum', async () => {
    const backup = await createBackup(engine, { kind: 'manual' });
    const dir = await openOuter(backup.path);
    tamperChunkAndManifest(dir);
    const archive = packOuter(dir, members(dir), path.join(root, 'tampered.pustaka-backup'));
    await expect(
      client.call('backup.restore', { backup: archive, safetyBackup: false }),
    ).rejects.toMatchObject({
      code: 'storage_error',
      message: expect.stringMatching(/archive was modified after it was written/),
    });
    await expect(client.call('backup.verify', { backup: archive })).rejects.toThrow(
      /archive was modified after it was written/,
    );
    expect(readPendingRestore(dataDir)).toBeNull();
    expect(stagingLeft()).toEqual([]);
  });

  it('an unsigned archive (older Pustaka, or its signature stripped) verifies with a warning and restores only when trusted', async () => {
    const backup = await createBackup(engine, { kind: 'manual' });
    const dir = await openOuter(backup.path);
    const archive = packOuter(
      dir,
      members(dir).filter((n) => n !== 'manifest.sig'),
      path.join(root, 'old.pustaka-backup'),
    );
    const verified = await client.call('backup.verify', { backup: archive });
    expect(verified.integrity).toMatchObject({ status: 'unsigned' });
    await expect(
      client.call('backup.restore', { backup: archive, safetyBackup: false }),
    ).rejects.toMatchObject({
      code: 'invalid_params',
      message: expect.stringMatching(/no integrity signature.*--trust-foreign/),
      details: expect.objectContaining({ foreignArchive: true, unsigned: true }),
    });
    expect(readPendingRestore(dataDir)).toBeNull();
    expect(stagingLeft()).toEqual([]);

    // Stripping the signature of a tampered archive gains nothing: it is refused the same way.
    tamperChunkAndManifest(dir);
    const stripped = packOuter(
      dir,
      members(dir).filter((n) => n !== 'manifest.sig'),
      path.join(root, 'stripped.pustaka-backup'),
    );
    await expect(
      client.call('backup.restore', { backup: stripped, safetyBackup: false }),
    ).rejects.toMatchObject({
      details: expect.objectContaining({ unsigned: true }),
    });

    const staged = await client.call('backup.restore', {
      backup: archive,
      safetyBackup: false,
      trustForeign: true,
    });
    expect(staged.integrity.status).toBe('unsigned');
    expect(staged.integrity.warning).toMatch(
      /archive has no integrity signature \(made by an older Pustaka\)/,
    );
    fs.rmSync(staged.pending.stagingDir, { recursive: true, force: true });
    fs.rmSync(path.join(dataDir, 'restore-pending.json'));
  });

  it('refuses an archive from another installation unless trusted; the key survives the restore', async () => {
    const mine = await createBackup(engine, { kind: 'manual' });
    const foreign = await createBackup(other, { kind: 'manual' });
    await expect(
      client.call('backup.restore', { backup: foreign.path, safetyBackup: false }),
    ).rejects.toMatchObject({
      code: 'invalid_params',
      message: expect.stringMatching(/made on another Pustaka installation.*--trust-foreign/),
      details: expect.objectContaining({ foreignArchive: true }),
    });
    expect(readPendingRestore(dataDir)).toBeNull();
    expect(stagingLeft()).toEqual([]);

    // A foreign archive changed after it was written still fails its checksums when trusted.
    const dir = await openOuter(foreign.path);
    fs.appendFileSync(path.join(dir, 'collections.db'), Buffer.alloc(512));
    const broken = packOuter(dir, members(dir), path.join(root, 'foreign-broken.pustaka-backup'));
    await expect(
      client.call('backup.restore', { backup: broken, safetyBackup: false, trustForeign: true }),
    ).rejects.toMatchObject({ code: 'storage_error', message: expect.stringMatching(/collections\.db/) });

    const staged = await client.call('backup.restore', {
      backup: foreign.path,
      safetyBackup: false,
      trustForeign: true,
    });
    expect(staged.integrity.status).toBe('foreign');
    expect(staged.integrity.warning).toMatch(/another Pustaka installation/);
    const key = fs.readFileSync(keyFile(), 'utf8');
    await engine.close();
    await applyPendingRestore(dataDir);
    await reopen();
    expect((await client.call('collections.list', {})).map((c) => c.name)).toEqual(['Elsewhere']);
    // The data folder keeps this installation's key: its own earlier archives still verify.
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(key);
    const again = await client.call('backup.verify', { backup: mine.path });
    expect(again.integrity.status).toBe('signed');
  });

  it('collection archives: another installation\'s import with a note, a tampered one and a ".." entry are refused', async () => {
    const out = path.join(root, 'elsewhere.pustaka-collection');
    await otherClient.call('collections.export', { collection: 'Elsewhere', out });
    const imported = await client.call('collections.importArchive', { path: out, as: 'Imported' });
    expect(imported.integrity.status).toBe('foreign');
    expect(imported.integrity.warning).toMatch(/another Pustaka installation/);
    expect(imported.chunks).toBeGreaterThan(0);

    // Signed by this installation, then edited: refused like a backup would be.
    const mine = path.join(root, 'mine.pustaka-collection');
    await client.call('collections.export', { collection: 'Imported', out: mine });
    const forged = await tamperCollection(mine, path.join(root, 'forged.pustaka-collection'));
    await expect(client.call('collections.importArchive', { path: forged, as: 'Forged' })).rejects.toThrow(
      /modified after it was written/,
    );
    expect((await client.call('collections.list', {})).map((c) => c.name)).not.toContain('Forged');

    const dir = await openOuter(out);
    const evil = packOuter(dir, members(dir), path.join(root, 'evil.pustaka-collection'), [
      { name: '../../collection-escape', body: Buffer.from('x') },
    ]);
    await expect(client.call('collections.importArchive', { path: evil, as: 'Evil' })).rejects.toThrow(
      /"\.\."/,
    );
    expect((await client.call('collections.list', {})).map((c) => c.name)).not.toContain('Evil');

    // Through the CLI, on a data folder of its own: imported, with the note on stdout.
    const cliDir = path.join(root, 'cli');
    const ok = await runCliCaptured(['--data-dir', cliDir, 'collections', 'import-archive', out]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/another Pustaka installation/);
  });
});
