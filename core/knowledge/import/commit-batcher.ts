import type { Db } from '../../stores/pg/pg-store.ts';
import { commitDocuments, type FailedDocument, type IndexedDocument } from '../documents/documents.ts';
import { saveProgress, type JobCounters } from './jobs.ts';

export interface CommitBatcher {
  /** Queues a document whose chunks are already in SQLite, to be marked indexed in PG. */
  index(d: IndexedDocument): void;
  /** Queues a document that failed, to be marked failed in PG. */
  fail(d: FailedDocument): void;
  /** Commits what is queued (after any commit still running); resolves when it is done. */
  flush(): Promise<void>;
}

/**
 * Import commit stage: collects finished documents and commits them to PG together (one
 * transaction, one fsync, for many), at most every `everyMs` or `max` documents; commits are
 * chained so they never overlap. Job progress (the counters) is saved with each commit.
 */
export function createCommitBatcher(
  db: Db,
  jobId: number,
  counters: JobCounters,
  max = 64,
  everyMs = 300,
): CommitBatcher {
  let indexed: IndexedDocument[] = [];
  let failed: FailedDocument[] = [];
  let chain: Promise<void> = Promise.resolve();
  let last = performance.now();
  const flush = (): Promise<void> => {
    const i = indexed;
    const f = failed;
    indexed = [];
    failed = [];
    last = performance.now();
    chain = chain.then(async () => {
      await commitDocuments(db, jobId, i, f);
      await saveProgress(db, jobId, counters);
    });
    return chain;
  };
  const maybeFlush = () => {
    if (indexed.length + failed.length >= max || performance.now() - last > everyMs)
      void flush().catch(() => undefined);
  };
  return {
    index(d: IndexedDocument) {
      indexed.push(d);
      maybeFlush();
    },
    fail(d: FailedDocument) {
      failed.push(d);
      maybeFlush();
    },
    flush,
  };
}
