import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { unpackedAsarPath } from './asar-path.ts';
import { loadSqliteVec } from './extension-path.ts';

describe('sqlite-vec extension path', () => {
  it('points into the unpacked copy of an asar archive', () => {
    expect(
      unpackedAsarPath('/Applications/Pustaka.app/Contents/Resources/app.asar/node_modules/x/vec0.dylib'),
    ).toBe('/Applications/Pustaka.app/Contents/Resources/app.asar.unpacked/node_modules/x/vec0.dylib');
    expect(unpackedAsarPath('/R/app-arm64.asar/node_modules/sqlite-vec-darwin-arm64/vec0.dylib')).toBe(
      '/R/app-arm64.asar.unpacked/node_modules/sqlite-vec-darwin-arm64/vec0.dylib',
    );
    expect(unpackedAsarPath('C:\\Pustaka\\resources\\app.asar\\node_modules\\v\\vec0.dll')).toBe(
      'C:\\Pustaka\\resources\\app.asar.unpacked\\node_modules\\v\\vec0.dll',
    );
  });

  it('leaves other paths alone', () => {
    for (const p of [
      '/R/app.asar.unpacked/node_modules/v/vec0.so',
      '/home/me/pustaka/node_modules/sqlite-vec-linux-x64/vec0.so',
      '/home/me/my.asarnotes/vec0.so',
    ]) {
      expect(unpackedAsarPath(p)).toBe(p);
    }
  });

  it('loads the extension outside a package', () => {
    const db = new Database(':memory:');
    loadSqliteVec(db);
    expect(db.prepare('SELECT vec_version() AS v').get()).toMatchObject({ v: expect.stringMatching(/^v\d/) });
    db.close();
  });
});
