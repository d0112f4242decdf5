// Child process for test/restore-crash.test.ts: opens a data dir that has a restore staged, so
// `openEngine` applies it (`applyPendingRestore`), and can SIGKILL itself at an exact point of the
// swap without any hook in the production code: it wraps `fs.renameSync` / `fs.rmSync` (restore.ts
// calls them through the `node:fs` default export, the object patched here) and counts only the
// swap's own top-level moves (into, out of or between the data dir and the staging dir).
//
//   restore-swap-child.ts <dataDir> none                 apply and open, print `opened`
//   restore-swap-child.ts <dataDir> rename:<k>:before    SIGKILL just before the swap's k-th rename
//   restore-swap-child.ts <dataDir> rename:<k>:after     SIGKILL just after it
//   restore-swap-child.ts <dataDir> drop:before|after    SIGKILL around removing restore-pending.json
//
// It prints `start` before opening (the parent's zero for random kill delays) and `opened <json>`
// once the engine is open.
import fs from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../core/startup/open-engine.ts';
import { PENDING_FILE, readPendingRestore } from '../../core/operations/backup/restore.ts';

const [dataDir, point = 'none'] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write(
    'usage: restore-swap-child.ts <dataDir> [none|rename:<k>:before|after|drop:before|after]\n',
  );
  process.exit(2);
}
const say = (line: string) => process.stdout.write(`${line}\n`);
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

const stagingDir = readPendingRestore(dataDir)?.stagingDir ?? null;
const [kind, nth, when] = point.split(':');

if (kind === 'rename') {
  const k = Number(nth);
  const swapDirs = new Set([path.resolve(dataDir), ...(stagingDir ? [path.resolve(stagingDir)] : [])]);
  const original = fs.renameSync;
  let count = 0;
  const renameSync = (from: fs.PathLike, to: fs.PathLike) => {
    const counted =
      swapDirs.has(path.dirname(path.resolve(String(from)))) ||
      swapDirs.has(path.dirname(path.resolve(String(to))));
    if (counted) count++;
    if (counted && count === k && when === 'before') die();
    original(from, to);
    if (counted && count === k && when === 'after') die();
  };
  Object.assign(fs, { renameSync });
} else if (kind === 'drop') {
  const pendingFile = path.resolve(dataDir, PENDING_FILE);
  const original = fs.rmSync;
  const rmSync = (target: fs.PathLike, opts?: fs.RmOptions) => {
    const isPending = path.resolve(String(target)) === pendingFile;
    if (isPending && nth === 'before') die();
    original(target, opts);
    if (isPending && nth === 'after') die();
  };
  Object.assign(fs, { rmSync });
} else if (kind !== 'none') {
  process.stderr.write(`unknown kill point ${point}\n`);
  process.exit(2);
}

say('start');
const engine = await openEngine({ dataDir });
const collections = await engine.db.query<{ name: string }>('SELECT name FROM collections ORDER BY name');
say(`opened ${JSON.stringify({ collections: collections.map((c) => c.name) })}`);
await engine.close();
