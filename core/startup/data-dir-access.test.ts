import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataPaths } from '../base/paths.ts';
import { tempDir } from '../../test/support/temp-dir.ts';
import { explainStartupFailure } from './startup-repair.ts';

// The permission cases run for real in test/data-dir-access.test.ts; a read-only mount cannot be
// made in a test, so its error is built here as Node reports it.
describe('start-up on a read-only file system', () => {
  it('names the folder and says to mount it read-write or choose another one', () => {
    const paths = dataPaths(tempDir());
    const tmp = path.join(paths.root, `pustaka.lock.${process.pid}.1.tmp`);
    const raw = Object.assign(new Error(`EROFS: read-only file system, open '${tmp}'`), {
      code: 'EROFS',
      path: tmp,
    });
    const err = explainStartupFailure(paths, raw) as { code: string; message: string; details: object };
    expect(err.code).toBe('data_dir_unusable');
    expect(err.message).toBe(
      `Pustaka cannot write to its data folder ${paths.root}: it is on a read-only file system. Mount that disk read-write, or choose another folder with --data-dir (or PUSTAKA_DATA_DIR).`,
    );
    expect(err.details).toMatchObject({ reason: 'read_only_file_system', dataDir: paths.root });
  });

  it('leaves other start-up failures as they were', () => {
    const paths = dataPaths(tempDir());
    const raw = new Error('something else');
    expect(explainStartupFailure(paths, raw)).toBe(raw);
  });
});
