// Chunking and built-in embedding throughput on one core, over synthetic English/Indonesian prose
// shaped like imported pages (headings, paragraphs, short lines). Targets: chunking ≥ 5 MB/s,
// embedding ≥ 1,000 chunks of ~400 tokens per second.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createBuiltinEmbedder } from '../core/models/embed/builtin.ts';
import { chunkDocument, DEFAULT_CHUNK_OPTIONS } from '../core/knowledge/import/chunk.ts';
import type { Chunk, ExtractedDocument, ExtractedSection } from '../core/knowledge/import/types.ts';
import { ratio, withReport, type Reference } from './report.ts';
import { fmtMB, fmtMs, summary } from './stats.ts';
import { rng } from '../test/support/prng.ts';

const VOCAB = (
  'the a of to and in for is on that by with visa permit stay foreign worker company tax return office ' +
  'investment capital annual deadline must apply register licence approval authority employee insurance ' +
  'yang dan di untuk dengan dari perusahaan pajak izin tinggal penanaman modal asing wajib dilaporkan ' +
  'kantor imigrasi berusaha penghasilan tahunan pertanggungjawaban Indonesia Jakarta Bali 2024 30 11% PT PMA ' +
  'résumé Überweisung (KITAS) "sponsor"'
).split(' ');

function syntheticDoc(next: () => number, bytes: number): ExtractedDocument {
  const sections: ExtractedSection[] = [];
  let size = 0;
  while (size < bytes) {
    const paragraphs: string[] = [];
    const np = 1 + Math.floor(next() * 24);
    for (let p = 0; p < np; p++) {
      const sentences: string[] = [];
      const ns = 1 + Math.floor(next() * 8);
      for (let s = 0; s < ns; s++) {
        const words: string[] = [];
        const nw = 4 + Math.floor(next() * 20);
        for (let w = 0; w < nw; w++) words.push(VOCAB[Math.floor(next() * VOCAB.length)]!);
        sentences.push(words.join(' ') + (next() < 0.9 ? '.' : '?'));
      }
      paragraphs.push(sentences.join(next() < 0.1 ? '\n' : ' '));
    }
    const text = paragraphs.join('\n\n');
    size += text.length;
    sections.push({ headingPath: ['Guide', `Section ${sections.length}`], page: null, text });
  }
  return { title: 'bench', fileType: 'html', mime: 'text/html', sections, pageCount: null, warnings: [] };
}

export async function benchChunkEmbed(runs = 5): Promise<void> {
  await withReport('chunk', (ref) => runChunkEmbed(ref, runs));
}

async function runChunkEmbed(ref: Reference, runs: number): Promise<void> {
  const next = rng(1);
  const doc = syntheticDoc(next, 20 * 1024 * 1024);
  const bytes = doc.sections.reduce((n, s) => n + s.text.length, 0);
  console.log(
    `\nChunking and built-in embedding (one core; ${os.cpus()[0]?.model ?? '?'}, Node ${process.versions.node})`,
  );

  let chunks: Chunk[] = [];
  chunkDocument(syntheticDoc(rng(2), 1024 * 1024), DEFAULT_CHUNK_OPTIONS); // warm-up
  const chunkMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    chunks = chunkDocument(doc, DEFAULT_CHUNK_OPTIONS);
    chunkMs.push(performance.now() - t0);
  }
  const c = summary(chunkMs);
  const avgTokens = chunks.reduce((n, ch) => n + ch.tokenCount, 0) / chunks.length;
  console.log(
    `  chunk ${fmtMB(bytes)} (${doc.sections.length} sections, 400/60): median ${fmtMs(c.p50)} (min ${fmtMs(c.min)}, max ${fmtMs(c.max)}; ${runs} runs; ${ratio(c.p50, ref.cpuMs)} the CPU loop) → ` +
      `${(((bytes / 1024 / 1024) * 1000) / c.p50).toFixed(1)} MB/s, ${Math.round((chunks.length * 1000) / c.p50)} chunks/s ` +
      `(${chunks.length} chunks, avg ${avgTokens.toFixed(0)} tokens)`,
  );

  const embedder = createBuiltinEmbedder();
  const sample = chunks.slice(0, 4000).map((ch) => ch.text);
  await embedder.embed(sample.slice(0, 200)); // warm-up
  const embedMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < sample.length; i += embedder.batchSize) {
      await embedder.embed(sample.slice(i, i + embedder.batchSize));
    }
    embedMs.push(performance.now() - t0);
  }
  const e = summary(embedMs);
  const chars = sample.reduce((n, t) => n + t.length, 0);
  console.log(
    `  embed ${sample.length} chunks (avg ${Math.round(chars / sample.length)} chars) with ${embedder.id}: ` +
      `median ${fmtMs(e.p50)} (min ${fmtMs(e.min)}, max ${fmtMs(e.max)}; ${runs} runs; ${ratio(e.p50, ref.cpuMs)} the CPU loop) → ${Math.round((sample.length * 1000) / e.p50)} chunks/s`,
  );
  await embedder.close();
}
