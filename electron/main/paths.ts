import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ShellPaths {
  /** The app's root: the repository in development, `…/app.asar` when packaged. */
  root: string;
  rendererDir: string;
  preload: string;
  /** utilityProcess entry: the engine bundled by scripts/build.ts (`npm run build:app`). */
  engineEntry: string;
  /** Only in a packaged app: copies outside the archive (electron-builder extraResources). */
  templateDir?: string;
  migrationsDir?: string;
  icon: string;
}

/** main.mjs is bundled into build/electron/, so the root is two folders up, packaged or not. */
export function shellPaths(opts: { mainUrl: string; packaged: boolean; resourcesPath: string }): ShellPaths {
  const root = path.resolve(path.dirname(fileURLToPath(opts.mainUrl)), '..', '..');
  return {
    root,
    rendererDir: path.join(root, 'build', 'renderer'),
    preload: path.join(root, 'build', 'electron', 'preload.cjs'),
    engineEntry: path.join(root, 'build', 'app', 'engine-host.js'),
    icon: path.join(root, 'electron', 'assets', 'icon.png'),
    ...(opts.packaged
      ? {
          templateDir: path.join(opts.resourcesPath, 'pg-template'),
          migrationsDir: path.join(opts.resourcesPath, 'migrations'),
        }
      : {}),
  };
}
