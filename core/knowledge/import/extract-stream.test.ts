import { describe, expect, it } from 'vitest';
import { manyPagePdf } from '../../../test/support/big-pdf.ts';
import { writeFile } from '../../../test/support/files.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { chunkDocument, createChunker, DEFAULT_CHUNK_OPTIONS } from './chunk.ts';
import { extractFile } from './extract.ts';
import type { Chunk, ExtractedSection } from './types.ts';

/** Extracts `file` handing each section to a chunker as it comes; returns what arrived, in order. */
async function streamed(file: string, opts: { timeoutMs?: number; delayMs?: number } = {}) {
  const events: string[] = [];
  const sections: ExtractedSection[] = [];
  const chunks: Chunk[] = [];
  const chunker = createChunker(DEFAULT_CHUNK_OPTIONS);
  const doc = await extractFile(file, {
    timeoutMs: opts.timeoutMs,
    onPage: (done) => events.push(`page ${done}`),
    onSection: async (s) => {
      events.push(`section ${s.page}`);
      sections.push(s);
      for (const c of chunker.add(s)) chunks.push(c);
      if (opts.delayMs) await new Promise((resolve) => setTimeout(resolve, opts.delayMs));
    },
  });
  for (const c of chunker.end()) chunks.push(c);
  return { doc, events, sections, chunks };
}

describe('extracting a document section by section', () => {
  it('hands a PDF over page by page as it is read, keeping none of it, with the same chunks as a whole read', async () => {
    const file = writeFile(tempDir(), 'pages.pdf', manyPagePdf(5));
    const whole = await extractFile(file);
    const { doc, events, sections, chunks } = await streamed(file);
    expect(events).toEqual([1, 2, 3, 4, 5].flatMap((p) => [`section ${p}`, `page ${p}`]));
    expect(doc.sections).toEqual([]);
    expect({ ...doc, sections: whole.sections }).toEqual(whole);
    expect(sections).toEqual(whole.sections);
    expect(chunks).toEqual(chunkDocument(whole, DEFAULT_CHUNK_OPTIONS));
  });

  it('hands over the sections of a format that is read whole once it is read', async () => {
    const file = writeFile(
      tempDir(),
      'notes.md',
      '# One\n\nFirst part.\n\n# Two\n\n\n\nSecond part.\n\n# Empty\n',
    );
    const whole = await extractFile(file);
    const { doc, sections } = await streamed(file);
    expect(sections).toEqual(whole.sections);
    expect(sections.map((s) => s.headingPath)).toEqual([['One'], ['Two']]);
    expect(doc).toMatchObject({ title: 'One', sections: [] });
  });

  it('does not count the time the receiver takes against the time-out, and passes its errors on as they are', async () => {
    const file = writeFile(tempDir(), 'slow.pdf', manyPagePdf(5));
    await extractFile(file); // pdf.js loaded, so the short limit is the reading's alone
    // 5 × 1 s taken by the receiver, against a 2 s limit for the reading.
    const { sections } = await streamed(file, { timeoutMs: 2_000, delayMs: 1_000 });
    expect(sections).toHaveLength(5);

    const refused = extractFile(file, {
      onSection: (s) => {
        if (s.page === 3) throw new RangeError('no room for page 3');
      },
    });
    await expect(refused).rejects.toThrow(new RangeError('no room for page 3'));
  });
});
