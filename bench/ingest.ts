// Ingestion throughput on real documents (fetched by scripts/fetch-real-docs.sh into .fixtures/):
// files/s, pages/s (PDF), chunks/s, peak RSS, and the re-import that should skip everything; with
// --scans fixtures, OCR pages per minute of 300 dpi scans (image-only PDFs, PNG, TIFF).
// benchExtractText (`npm run bench -- extract`): one ~20 MB text file through extractFile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEngine } from '../core/startup/open-engine.ts';
import { importPaths } from '../core/knowledge/import/import-service.ts';
import { extractFile } from '../core/knowledge/import/extract.ts';
import { fmtDist, median, ratio, withReport, type Reference } from './report.ts';
import { fmtMB } from './stats.ts';

const FIXTURES = path.resolve('.fixtures/root');

interface Corpus {
  name: string;
  paths: string[];
  include?: string[];
  exclude?: string[];
  /** Every page is read by OCR: the rate is also given in pages per minute. */
  ocr?: boolean;
}

/** 300 dpi scans (scripts/make-scan-fixtures.sh): 11 pages in 8 files, English and Indonesian. */
const SCANS_300 = [
  'en-300.pdf',
  'id-300.pdf',
  'en-300-q30.pdf',
  'en-300-skewed.pdf',
  'en-300-rotated.pdf',
  'id-300.tif',
  'en-300-p2.png',
  'id-300-p2.png',
];

function findDirs(): Corpus[] {
  const handbook = path.join(FIXTURES, 'usr/share/doc/debian-handbook/html');
  const pg = path.join(FIXTURES, 'usr/share/doc/postgresql-doc-15/html');
  const office = path.resolve('.fixtures/office');
  const corpora: Corpus[] = [];
  // The handbook's folders also hold its figures (screenshots, diagrams), which OCR reads: the HTML
  // rows take the pages alone, the figures have a row of their own.
  const figures = ['**/*.{png,jpg,jpeg,tif,tiff}'];
  if (fs.existsSync(path.join(handbook, 'en-US')))
    corpora.push({
      name: 'Debian handbook en-US (HTML)',
      paths: [path.join(handbook, 'en-US')],
      exclude: figures,
    });
  // The same folder as a user imports it, figures included: what OCR costs on a folder of pages.
  if (fs.existsSync(path.join(handbook, 'en-US')))
    corpora.push({ name: 'Debian handbook en-US folder (+ figures)', paths: [path.join(handbook, 'en-US')] });
  if (fs.existsSync(pg)) corpora.push({ name: 'PostgreSQL 15 manual (HTML)', paths: [pg] });
  // --office: ~5 pages as PDF and DOCX; chapter 6 as PPTX/ODP decks, a page as ODT/RTF, tables as ODS.
  for (const ext of ['pdf', 'docx', 'pptx', 'odp', 'odt', 'ods', 'rtf']) {
    if (fs.existsSync(office) && fs.readdirSync(office).some((f) => f.endsWith(`.${ext}`))) {
      corpora.push({
        name: `Debian handbook pages (${ext.toUpperCase()})`,
        paths: [office],
        include: [`*.${ext}`],
      });
    }
  }
  if (fs.existsSync(handbook))
    corpora.push({ name: 'Debian handbook, all languages (HTML)', paths: [handbook], exclude: figures });
  if (fs.existsSync(path.join(handbook, 'en-US', 'images')))
    corpora.push({
      name: 'Debian handbook en-US figures (PNG, OCR)',
      paths: [path.join(handbook, 'en-US', 'images')],
      ocr: true,
    });
  // --scans: pictures of handbook pages, every page read by OCR.
  const scans = path.resolve('.fixtures/scans');
  if (SCANS_300.every((f) => fs.existsSync(path.join(scans, f))))
    corpora.push({ name: 'Scanned pages, 300 dpi (OCR)', paths: [scans], include: SCANS_300, ocr: true });
  return corpora;
}

function firstFile(corpus: Corpus): string | null {
  const ext = corpus.include?.[0]?.replace(/^(\*\*\/)?\*/, '') ?? (corpus.ocr ? '.png' : '.html');
  const walk = (dir: string): string | null => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isFile() && e.name.endsWith(ext)) return p;
      if (e.isDirectory()) {
        const found = walk(p);
        if (found) return found;
      }
    }
    return null;
  };
  return walk(corpus.paths[0]!);
}

function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

export async function benchIngest(): Promise<void> {
  await withReport('ingest', runIngest);
}

async function runIngest(ref: Reference): Promise<void> {
  // INGEST_CORPUS=OCR (any part of a corpus name, case-insensitive) runs only the corpora it names.
  const only = process.env.INGEST_CORPUS?.toLowerCase();
  const corpora = findDirs().filter((c) => !only || c.name.toLowerCase().includes(only));
  if (!corpora.length) {
    console.log(
      '\nIngestion: no real documents found; run scripts/fetch-real-docs.sh first (add --office for PDF/DOCX/PPTX/ODP/ODT/ODS/RTF, --scans for OCR).',
    );
    return;
  }
  console.log(
    `\nIngestion, built-in embedder (${os.availableParallelism()} cores, Node ${process.versions.node})`,
  );
  console.log(
    'corpus                                   files   pages   chunks   time     files/s  pages/s  chunks/s  peak RSS   re-import        cold first file  ms/chunk × CPU loop',
  );
  for (const corpus of corpora) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-ingest-'));
    const engine = await openEngine({ dataDir });
    try {
      const ctx = { signal: new AbortController().signal, emit: () => undefined };
      // Boot the worker threads and their parsers first, as in a running app: the figures are
      // steady-state throughput. The cold start is reported beside them.
      const tWarm = performance.now();
      const sample = firstFile(corpus);
      if (sample) await importPaths(engine, { collection: 'warm-up', create: true, paths: [sample] }, ctx);
      const warmMs = performance.now() - tWarm;
      const rss = sampleRss();
      const cpu0 = process.cpuUsage(); // every thread of this process: the workers and Tesseract's too
      const t0 = performance.now();
      const s = await importPaths(
        engine,
        {
          collection: 'bench',
          create: true,
          paths: corpus.paths,
          include: corpus.include,
          exclude: corpus.exclude,
        },
        ctx,
      );
      const secs = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSecs = (cpu.user + cpu.system) / 1e6;
      const peak = rss.stop();
      const [pages] = await engine.db.query<{ n: number }>(
        `SELECT coalesce(sum(d.page_count), 0)::int AS n FROM documents d JOIN collections c ON c.id = d.collection_id
         WHERE c.name = 'bench'`,
      );
      const t1 = performance.now();
      const again = await importPaths(
        engine,
        {
          collection: 'bench',
          create: false,
          paths: corpus.paths,
          include: corpus.include,
          exclude: corpus.exclude,
        },
        ctx,
      );
      const reSecs = (performance.now() - t1) / 1000;
      const files = s.imported + s.updated;
      console.log(
        `${corpus.name.slice(0, 40).padEnd(40)} ${String(files).padStart(6)} ${String(pages!.n).padStart(7)} ${String(s.chunks).padStart(8)} ${`${secs.toFixed(1)} s`.padStart(7)}  ${(files / secs).toFixed(0).padStart(7)}  ${(pages!.n / secs).toFixed(0).padStart(7)}  ${(s.chunks / secs).toFixed(0).padStart(8)}  ${fmtMB(peak).padStart(8)}   ${reSecs.toFixed(1)} s (${again.unchanged} unchanged)  ${(warmMs / 1000).toFixed(1)} s  ${ratio((secs * 1000) / s.chunks, ref.cpuMs)}${s.failed.length ? `  [${s.failed.length} failed]` : ''}${s.ignored.total ? `  [${s.ignored.total} ignored]` : ''}`,
      );
      if (corpus.ocr) {
        // CPU time per page does not depend on what else the machine runs: it says what idle cores give.
        const cpuPerPage = cpuSecs / pages!.n;
        const cores = os.availableParallelism();
        console.log(
          `  OCR: ${pages!.n} pages in ${secs.toFixed(1)} s = ${((pages!.n / secs) * 60).toFixed(1)} pages/min ` +
            `(${cores} import threads, one Tesseract each; peak RSS ${fmtMB(peak)}; load ${os
              .loadavg()
              .map((l) => l.toFixed(2))
              .join(' ')})\n` +
            `  CPU ${cpuPerPage.toFixed(1)} s a page: ${((cores * 60) / cpuPerPage).toFixed(1)} pages/min on ${cores} idle cores`,
        );
      }
    } finally {
      await engine.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

/**
 * One ~20 MB plain-text file (250,000 CRLF lines with non-ASCII text) through extractFile, in one
 * piece: the figure core/knowledge/import/extract.test.ts used to bound at 10 s, measured here
 * instead. The reference, in the same loop, is reading and decoding the same bytes with
 * fs.readFileSync(…, 'utf8'): what the extractor adds on top of the read.
 *
 *   npm run bench -- extract        EXTRACT_BENCH_RUNS=5 by default
 */
export async function benchExtractText(): Promise<void> {
  await withReport('extract', async (ref) => {
    const runs = Math.max(1, Number(process.env.EXTRACT_BENCH_RUNS ?? 5));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-extract-'));
    try {
      const line = 'Baris ke-%d: pajak penghasilan dan “PPN” dihitung per bulan — naïve café.\r\n';
      const lines: string[] = [];
      for (let i = 0; i < 250_000; i++) lines.push(line.replace('%d', String(i)));
      const file = path.join(dir, 'big.txt');
      fs.writeFileSync(file, lines.join(''));
      const bytes = fs.statSync(file).size;
      await extractFile(file); // warm-up: JIT and the page cache
      const extract: number[] = [];
      const read: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        const out = await extractFile(file);
        extract.push(performance.now() - t0);
        if (out.sections.length !== 1) throw new Error(`expected one section, got ${out.sections.length}`);
        const t1 = performance.now();
        fs.readFileSync(file, 'utf8');
        read.push(performance.now() - t1);
      }
      const mbPerS = bytes / 1024 / 1024 / (median(extract) / 1000);
      console.log(`  ${fmtMB(bytes)} text file, ${runs} runs`);
      console.log(`  extractFile          ${fmtDist(extract, 0)} · ${mbPerS.toFixed(0)} MB/s`);
      console.log(
        `  reference: readFileSync utf8 ${fmtDist(read, 0)}; extract = ${ratio(median(extract), median(read))} the read, ` +
          `${ratio(median(extract), ref.cpuMs)} the CPU loop`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
