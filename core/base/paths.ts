import os from 'node:os';
import path from 'node:path';

/** The product name Electron uses for `userData`; the CLI must land in the same folder. */
export const APP_NAME = 'Pustaka';

/**
 * The OS app-data folder, identical to Electron's `app.getPath('userData')` so the desktop app
 * and the CLI share one data dir by default.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

/** `--data-dir` wins, then `PUSTAKA_DATA_DIR`, then the OS default. Always absolute. */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit || env.PUSTAKA_DATA_DIR || defaultDataDir(process.platform, env);
  return path.resolve(chosen);
}

export interface DataPaths {
  root: string;
  pg: string;
  collectionsDb: string;
  models: string;
  backups: string;
  lock: string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    pg: path.join(root, 'pg'),
    collectionsDb: path.join(root, 'collections.db'),
    models: path.join(root, 'models'),
    backups: path.join(root, 'backups'),
    lock: path.join(root, 'pustaka.lock'),
  };
}
