import cliProgress from 'cli-progress';
import type { ReembedEvent } from '../contract/methods/collections.ts';
import { filesProgress, type ImportEvent, type PageProgress } from '../contract/methods/imports.ts';
import { formatBytes } from './format.ts';

const shortPath = (p: string) => (p.length > 40 ? `…${p.slice(-39)}` : p);

/**
 * What the bar says about files being read page by page: "handbook.pdf page 1,234/5,000" for one
 * (the furthest from done when several are), with "+ N more" for the others.
 */
export function pagesLabel(pages: PageProgress[] | undefined): string | null {
  if (!pages?.length) return null;
  const left = (p: PageProgress) => p.total - p.done;
  const slowest = pages.reduce((a, b) => (left(b) > left(a) ? b : a));
  const more = pages.length > 1 ? ` + ${pages.length - 1} more` : '';
  const page = slowest.ocrPage
    ? `OCR page ${slowest.ocrPage.toLocaleString('en-US')}`
    : `page ${slowest.done.toLocaleString('en-US')}`;
  return `${shortPath(slowest.path)} ${page}/${slowest.total.toLocaleString('en-US')}${more}`;
}

/**
 * A terminal progress bar for imports: files, chunks, rate, ETA and the file being read. Files
 * read page by page (large PDFs) move the bar by their pages and show their page count.
 */
export function createImportProgress(stream: NodeJS.WriteStream) {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        'Importing {bar} {percentage}% | {files}/{total} files | {chunks} chunks | {rate} files/s | {bytes} | ETA {eta_formatted} | {file}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let bytesTotal = 0;
  let lastFile = '';
  const t0 = performance.now();
  return {
    onEvent(e: ImportEvent | ReembedEvent) {
      if (e.type === 'reembed') {
        if (!started) {
          bar.start(e.total, 0, { files: '', chunks: '', rate: '', bytes: '', file: 're-embedding chunks' });
          started = true;
        }
        bar.setTotal(e.total);
        bar.update(e.done, { files: e.done });
      } else if (e.type === 'scanned') {
        bytesTotal = e.bytesTotal;
        bar.start(e.filesTotal, 0, {
          files: 0,
          chunks: 0,
          rate: '0',
          bytes: `0 B/${formatBytes(bytesTotal)}`,
          file: '',
        });
        started = true;
      } else if (e.type === 'progress' && started) {
        const secs = (performance.now() - t0) / 1000;
        bar.update(filesProgress(e), {
          files: e.filesDone,
          chunks: e.chunksDone.toLocaleString('en-US'),
          rate: secs > 0 ? (e.filesDone / secs).toFixed(1) : '0',
          bytes: `${formatBytes(e.bytesDone)}/${formatBytes(bytesTotal)}`,
          file: pagesLabel(e.pages) ?? lastFile,
        });
      } else if (e.type === 'file' && started) {
        lastFile = shortPath(e.path);
        bar.update({ file: lastFile });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
