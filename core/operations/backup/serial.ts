/**
 * Backup work on one data dir runs one operation at a time (two snapshots at once would double the
 * memory and disk use for nothing, and a prune must not delete what a verify is reading).
 */
const queues = new WeakMap<object, Promise<unknown>>();

export function serialized<T>(key: object, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  queues.set(
    key,
    run.catch(() => undefined),
  );
  return run;
}
