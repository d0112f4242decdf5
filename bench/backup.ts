// Backups on a data dir with a few thousand chunks: create (plain and encrypted) time and archive
// size, verify time, restore (stage + swap) time, and collection export/import.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applyPendingRestore,
  createBackup,
  exportCollection,
  importCollectionArchive,
  prepareRestore,
  verifyBackup,
} from '../core/operations/backup/index.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { importPaths } from '../core/knowledge/import/import-service.ts';
import { rng } from '../test/support/prng.ts';
import { fmtMB, fmtMs } from './stats.ts';
import { pathSize } from '../core/base/fs-size.ts';

const WORDS =
  'visa permit sponsor company tax number office renewal stay foreign worker letter report annual leave contract clause notary deed capital shares director license'.split(
    ' ',
  );

function writeCorpus(dir: string, files: number): void {
  const rand = rng(9);
  fs.mkdirSync(dir, { recursive: true });
  for (let f = 0; f < files; f++) {
    const sections = Array.from({ length: 8 }, (_, s) => {
      const words = Array.from({ length: 320 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
      return `## Section ${s}\n\n${words}.`;
    });
    fs.writeFileSync(path.join(dir, `note-${f}.md`), `# Note ${f}\n\n${sections.join('\n\n')}\n`);
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

export async function benchBackup(files = Number(process.env.BACKUP_BENCH_FILES ?? 200)): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-backup-'));
  const dataDir = path.join(root, 'data');
  let engine: Engine | undefined;
  try {
    writeCorpus(path.join(root, 'docs'), files);
    engine = await openEngine({ dataDir });
    const ctl = new AbortController();
    await importPaths(
      engine,
      { collection: 'Bench', create: true, paths: [path.join(root, 'docs')], removeMissing: false },
      { signal: ctl.signal, emit: () => undefined },
    );
    const chunks = engine.vectors.countChunks();
    const pgBytes = pathSize(engine.paths.pg);
    const sqliteBytes = fs.statSync(engine.paths.collectionsDb).size;
    console.log(
      `\nBackups (${files} documents, ${chunks} chunks; PG cluster ${fmtMB(pgBytes)}, collections.db ${fmtMB(sqliteBytes)}; ${os.cpus().length} cores)`,
    );

    const [plain, createMs] = await timed(() => createBackup(engine!, { kind: 'manual' }));
    console.log(
      `create                ${fmtMs(createMs).padStart(9)}   archive ${fmtMB(plain.sizeBytes ?? 0)}`,
    );
    const [enc, createEncMs] = await timed(() =>
      createBackup(engine!, { kind: 'manual', passphrase: 'bench passphrase' }),
    );
    console.log(
      `create (encrypted)    ${fmtMs(createEncMs).padStart(9)}   archive ${fmtMB(enc.sizeBytes ?? 0)}`,
    );
    const [, verifyMs] = await timed(() => verifyBackup(engine!, plain.id));
    console.log(`verify                ${fmtMs(verifyMs).padStart(9)}`);
    const [, verifyEncMs] = await timed(() =>
      verifyBackup(engine!, enc.id, { passphrase: 'bench passphrase' }),
    );
    console.log(`verify (encrypted)    ${fmtMs(verifyEncMs).padStart(9)}`);

    const out = path.join(root, 'bench.pustaka-collection');
    const [exp, exportMs] = await timed(() => exportCollection(engine!, 'Bench', out));
    console.log(`collection export     ${fmtMs(exportMs).padStart(9)}   archive ${fmtMB(exp.sizeBytes)}`);
    const [, importMs] = await timed(() => importCollectionArchive(engine!, out, { as: 'Bench copy' }));
    console.log(`collection import     ${fmtMs(importMs).padStart(9)}`);

    const [, stageMs] = await timed(() => prepareRestore(engine!, plain.id, { safetyBackup: true }));
    await engine.close();
    engine = undefined;
    const [, swapMs] = await timed(() => applyPendingRestore(dataDir));
    console.log(`restore: stage        ${fmtMs(stageMs).padStart(9)}   (with the pre-restore backup)`);
    console.log(`restore: swap + open  ${fmtMs(swapMs).padStart(9)}`);
  } finally {
    await engine?.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
