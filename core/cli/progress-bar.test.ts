import { describe, expect, it } from 'vitest';
import type { ImportEvent } from '../contract/methods/imports.ts';
import { createImportProgress, pagesLabel } from './progress-bar.ts';

/** Enough of a TTY write stream for cli-progress; keeps what it writes. */
function fakeTty() {
  let text = '';
  const stream = {
    isTTY: true,
    columns: 250,
    write: (s: string) => ((text += s), true),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    clearScreenDown: () => true,
    on: () => stream,
    removeListener: () => stream,
  };
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => text };
}

const progress = (extra: Partial<Extract<ImportEvent, { type: 'progress' }>>): ImportEvent => ({
  type: 'progress',
  filesDone: 0,
  filesTotal: 1,
  bytesDone: 0,
  bytesTotal: 3_000_000,
  chunksDone: 0,
  elapsedMs: 1000,
  ...extra,
});

describe('import progress bar', () => {
  it('moves by the pages of a PDF being read and names its page', () => {
    const { stream, written } = fakeTty();
    const bar = createImportProgress(stream);
    bar.onEvent({ type: 'scanned', jobId: 1, filesTotal: 1, bytesTotal: 3_000_000, ignored: 0 });
    bar.onEvent(progress({ pages: [{ path: '/docs/handbook.pdf', done: 1_234, total: 5_000 }] }));
    bar.stop();
    // 1,234 of 5,000 pages of the only file: a quarter of the way, not 0 % until it is done.
    expect(written()).toContain('24% | 0/1 files');
    expect(written()).toContain('/docs/handbook.pdf page 1,234/5,000');
  });

  it('names the file furthest from done when several are read page by page', () => {
    expect(pagesLabel(undefined)).toBeNull();
    expect(
      pagesLabel([
        { path: 'a.pdf', done: 90, total: 100 },
        { path: 'b.pdf', done: 10, total: 5_000 },
        { path: 'c.pdf', done: 1, total: 20 },
      ]),
    ).toBe('b.pdf page 10/5,000 + 2 more');
  });
});
