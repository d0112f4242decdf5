// Worker-thread side of an integrity check: `PRAGMA quick_check` reads every page of the file,
// which takes seconds on a large store, so it runs here on its own read-only connection. Plain
// JavaScript, so that the worker starts without a TypeScript loader (a third of the check's
// cost on the PostgreSQL manual's 30 MB store); quick_check needs no sqlite-vec.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @param {{ path: string }} input */
function check(input) {
  const started = performance.now();
  let db;
  try {
    db = new Database(input.path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const result = String(db.pragma('quick_check', { simple: true }));
    const ok = result === 'ok';
    return { ok, damaged: !ok, problem: ok ? null : result, ms: performance.now() - started };
  } catch (err) {
    const code = typeof err?.code === 'string' ? err.code : null;
    // The main thread decides whether the error means damage (store-damage.ts).
    return {
      ok: false,
      damaged: false,
      problem: String(err?.message ?? err),
      code,
      ms: performance.now() - started,
    };
  } finally {
    db?.close();
  }
}

parentPort.on('message', (input) => parentPort.postMessage(check(input)));
