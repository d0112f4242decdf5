import fs from 'node:fs';
import path from 'node:path';

type Params = Record<string, unknown>;

/** What the engine does with a file argument it gets relative: resolve it against its own folder. */
type Localize = (p: Params, abs: (value: unknown, trim?: boolean) => unknown, backupsDir: string) => Params;

const isRelative = (v: unknown): v is string =>
  typeof v === 'string' && v.trim() !== '' && !path.isAbsolute(v.trim());

/** The file arguments of each method, as the engine reads them (see the handlers named). */
const LOCAL: Record<string, Localize> = {
  'import.run': (p, abs) => (Array.isArray(p.paths) ? { ...p, paths: p.paths.map((v) => abs(v)) } : p),
  'import.watch': (p, abs) => (Array.isArray(p.paths) ? { ...p, paths: p.paths.map((v) => abs(v)) } : p),
  'models.import': (p, abs) => ({ ...p, path: abs(p.path) }),
  'collections.importArchive': (p, abs) => ({ ...p, path: abs(p.path, true) }),
  'collections.export': (p, abs) => ({ ...p, out: abs(p.out, true) }),
  'sessions.export': (p, abs) => ('path' in p ? { ...p, path: abs(p.path, true) } : p),
  // 'builtin' is a name; anything else is a model file (reembed-plan.ts).
  'collections.setEmbedder': (p, abs) => (p.model === 'builtin' ? p : { ...p, model: abs(p.model, true) }),
  // A registered model's name comes first (models.ts inspectModel); a path has a separator in it
  // or names a file here.
  'models.inspect': (p, abs) => {
    const file = abs(p.model, true);
    return isRelative(p.model) && (/[\\/]/.test(p.model) || fs.existsSync(file as string))
      ? { ...p, model: file }
      : p;
  },
  // An archive's name in the data folder's backups/ comes first (backup/catalog.ts).
  'backup.verify': (p, abs, backupsDir) => localBackup(p, abs, backupsDir),
  'backup.restore': (p, abs, backupsDir) => localBackup(p, abs, backupsDir),
};

function localBackup(
  p: Params,
  abs: (value: unknown, trim?: boolean) => unknown,
  backupsDir: string,
): Params {
  const ref = p.backup;
  if (!isRelative(ref) || fs.existsSync(path.join(backupsDir, ref.trim()))) return p;
  return { ...p, backup: abs(ref, true) };
}

/**
 * An attached call runs in the engine's process, whose working folder is not the CLI's: file
 * arguments given relative to where the user typed the command are made absolute here, so they
 * mean what they mean when the CLI opens the engine itself.
 */
export function localizePaths(
  method: string,
  params: unknown,
  dataDir: string,
  cwd: string = process.cwd(),
): unknown {
  const localize = LOCAL[method];
  if (!localize || !params || typeof params !== 'object' || Array.isArray(params)) return params;
  const abs = (value: unknown, trim = false) =>
    isRelative(value) ? path.resolve(cwd, trim ? value.trim() : value) : value;
  return localize(params as Params, abs, path.join(dataDir, 'backups'));
}
