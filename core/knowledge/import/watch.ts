import fs from 'node:fs';
import path from 'node:path';
import type { ImportEvent, ImportSummary } from '../../contract/methods/imports.ts';
import type { CollectionRef } from '../collections/collections.ts';
import type { Engine } from '../../engine/engine.ts';
import { importPaths } from './import-service.ts';

export interface WatchRequest {
  collection: CollectionRef;
  create: boolean;
  paths: string[];
  tags?: string[] | undefined;
  include?: string[] | undefined;
  exclude?: string[] | undefined;
}

/**
 * Imports the folders, then keeps the collection in sync until cancelled: any change under them
 * (debounced) triggers another pass, which re-reads only changed files (content hash) and removes
 * documents whose files were deleted.
 */
export async function watchAndSync(
  engine: Engine,
  req: WatchRequest,
  ctx: { signal: AbortSignal; emit: (e: ImportEvent) => void },
  debounceMs = 1_500,
): Promise<{ passes: number; last: ImportSummary }> {
  const roots = req.paths.map((p) => path.resolve(p));
  let passes = 0;
  const pass = async (): Promise<ImportSummary> => {
    const summary = await importPaths(
      engine,
      { ...req, create: passes === 0 && req.create, removeMissing: true },
      { signal: ctx.signal, emit: ctx.emit },
    );
    passes++;
    ctx.emit({ type: 'synced', pass: passes, changed: summary.imported + summary.updated + summary.removed });
    return summary;
  };

  let last = await pass();
  if (ctx.signal.aborted) return { passes, last };

  let dirty = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      dirty = true;
      wake?.();
    }, debounceMs);
  };
  const watchers = roots.map((root) => {
    const isDir = fs.statSync(root, { throwIfNoEntry: false })?.isDirectory() ?? false;
    return fs.watch(isDir ? root : path.dirname(root), { recursive: isDir, persistent: true }, onChange);
  });
  ctx.emit({ type: 'watching', paths: roots });
  try {
    while (!ctx.signal.aborted) {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        wake = null;
      }
      if (ctx.signal.aborted) break;
      dirty = false;
      last = await pass();
    }
  } finally {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  }
  return { passes, last };
}
