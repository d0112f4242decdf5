// Backups on a data dir with a few thousand chunks: create (plain and encrypted) time and archive
// size, verify time, restore (stage, swap, reopen) time, and collection export/import. Each step
// runs BACKUP_BENCH_RUNS times (default 3); the median is reported with min and max, and the
// `node -e 0` spawn and CPU loop references measured in the same run (bench/report.ts).
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
import { dist, ratio, withReport, type Reference } from './report.ts';
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

/** Runs fn `runs` times; the last value and every wall time. */
async function repeat<T>(runs: number, fn: (i: number) => Promise<T>): Promise<[T, number[]]> {
  let last: T | undefined;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [v, ms] = await timed(() => fn(i));
    last = v;
    times.push(ms);
  }
  return [last as T, times];
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

export async function benchBackup(files = Number(process.env.BACKUP_BENCH_FILES ?? 200)): Promise<void> {
  await withReport('backup', (ref) => runBackup(ref, files, Number(process.env.BACKUP_BENCH_RUNS ?? 3)));
}

async function runBackup(ref: Reference, files: number, runs: number): Promise<void> {
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

    const line = (label: string, ms: number[], extra = '') => {
      const d = dist(ms);
      console.log(
        `${label.padEnd(22)}${fmtMs(d.p50).padStart(9)}   (min ${fmtMs(d.min)}, max ${fmtMs(d.max)}; ` +
          `${ratio(d.p50, ref.spawnMs)} a node spawn)${extra}`,
      );
    };
    console.log(`step                     median   (over ${runs} runs)`);
    const [plain, createMs] = await repeat(runs, () => createBackup(engine!, { kind: 'manual' }));
    line('create', createMs, `   archive ${fmtMB(plain.sizeBytes ?? 0)}`);
    const [enc, createEncMs] = await repeat(runs, () =>
      createBackup(engine!, { kind: 'manual', passphrase: 'bench passphrase' }),
    );
    line('create (encrypted)', createEncMs, `   archive ${fmtMB(enc.sizeBytes ?? 0)}`);
    const [, verifyMs] = await repeat(runs, () => verifyBackup(engine!, plain.id));
    line('verify', verifyMs);
    const [, verifyEncMs] = await repeat(runs, () =>
      verifyBackup(engine!, enc.id, { passphrase: 'bench passphrase' }),
    );
    line('verify (encrypted)', verifyEncMs);

    const [exp, exportMs] = await repeat(runs, (i) =>
      exportCollection(engine!, 'Bench', path.join(root, `bench-${i}.pustaka-collection`)),
    );
    line('collection export', exportMs, `   archive ${fmtMB(exp.sizeBytes)}`);
    const [, importMs] = await repeat(runs, (i) =>
      importCollectionArchive(engine!, path.join(root, `bench-${i}.pustaka-collection`), {
        as: `Bench copy ${i}`,
      }),
    );
    line('collection import', importMs);

    // Restore: stage (with the pre-restore backup), close, swap the files in, open again.
    const stageMs: number[] = [];
    const swapMs: number[] = [];
    const openMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      // A fresh backup each round: the restored database predates the row of the backup it came from.
      const source = i === 0 ? plain : await createBackup(engine, { kind: 'manual' });
      stageMs.push((await timed(() => prepareRestore(engine!, source.id, { safetyBackup: true })))[1]);
      await engine.close();
      engine = undefined;
      swapMs.push((await timed(() => applyPendingRestore(dataDir)))[1]);
      const [reopened, ms] = await timed(() => openEngine({ dataDir }));
      engine = reopened;
      openMs.push(ms);
    }
    line('restore: stage', stageMs, '   (with the pre-restore backup)');
    line('restore: swap', swapMs);
    line('restore: open after', openMs);
  } finally {
    await engine?.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
