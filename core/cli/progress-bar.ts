import cliProgress from 'cli-progress';
import type { ReembedEvent } from '../contract/methods/collections.ts';
import type { ImportEvent } from '../contract/methods/imports.ts';
import { formatBytes } from './format.ts';

/** A terminal progress bar for imports: files, chunks, rate, ETA and the file being read. */
export function createImportProgress(stream: NodeJS.WriteStream) {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        'Importing {bar} {percentage}% | {value}/{total} files | {chunks} chunks | {rate} files/s | {bytes} | ETA {eta_formatted} | {file}',
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
  const t0 = performance.now();
  return {
    onEvent(e: ImportEvent | ReembedEvent) {
      if (e.type === 'reembed') {
        if (!started) {
          bar.start(e.total, 0, { chunks: '', rate: '', bytes: '', file: 're-embedding chunks' });
          started = true;
        }
        bar.setTotal(e.total);
        bar.update(e.done);
      } else if (e.type === 'scanned') {
        bytesTotal = e.bytesTotal;
        bar.start(e.filesTotal, 0, {
          chunks: 0,
          rate: '0',
          bytes: `0 B/${formatBytes(bytesTotal)}`,
          file: '',
        });
        started = true;
      } else if (e.type === 'progress' && started) {
        const secs = (performance.now() - t0) / 1000;
        bar.update(e.filesDone, {
          chunks: e.chunksDone.toLocaleString('en-US'),
          rate: secs > 0 ? (e.filesDone / secs).toFixed(1) : '0',
          bytes: `${formatBytes(e.bytesDone)}/${formatBytes(bytesTotal)}`,
        });
      } else if (e.type === 'file' && started) {
        const name = e.path.length > 40 ? `…${e.path.slice(-39)}` : e.path;
        bar.update({ file: name });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
