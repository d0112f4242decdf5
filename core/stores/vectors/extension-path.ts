import type Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { unpackedAsarPath } from './asar-path.ts';

/** Loads sqlite-vec, from `app.asar.unpacked` inside a packaged app. */
export function loadSqliteVec(db: Database.Database): void {
  db.loadExtension(unpackedAsarPath(sqliteVec.getLoadablePath()));
}
