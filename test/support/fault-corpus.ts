import { rng } from './prng.ts';
import { writeFile } from './files.ts';

const WORDS = (
  'izin tinggal terbatas kitas kitap sponsor perusahaan pajak penghasilan npwp spt tahunan visa ' +
  'kunjungan imigrasi notaris akta pendirian modal dasar direksi komisaris rapat umum pemegang ' +
  'saham permit renewal office application letter guarantee foreign worker tax resident treaty'
).split(' ');

/** Seeded pseudo-prose: the same seed writes the same text, so runs can be compared. */
export function prose(seed: number, words: number): string {
  const next = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const w = WORDS[Math.floor(next() * WORDS.length)]!;
    out.push(i % 14 === 13 ? `${w}.` : w);
  }
  return out.join(' ');
}

function noteMd(i: number, body: string): string {
  const half = Math.floor(body.length / 2);
  return `# Note ${i}\n\n## First\n\n${body.slice(0, half)}\n\n## Second\n\n${body.slice(half)}\n`;
}

/**
 * A folder of ~30 mixed files like a consultant's: Markdown with sections, plain text, HTML, CSV,
 * one exact duplicate, one empty file and one binary file posing as text (reported as failed).
 */
export function writeCorpus(root: string, files = 30, wordsPerFile = 1_500): void {
  const regular = files - 3;
  for (let i = 0; i < regular; i++) {
    const body = prose(1000 + i, wordsPerFile);
    if (i % 5 === 3) {
      writeFile(
        root,
        `web/page-${i}.html`,
        `<html><body><nav>menu</nav><h1>Page ${i}</h1><p>${body}</p></body></html>`,
      );
    } else if (i % 7 === 5) {
      const rows = body.split('. ').map((s, j) => `${j},"${s.replaceAll('"', '')}"`);
      writeFile(root, `tables/table-${i}.csv`, `id,text\n${rows.join('\n')}\n`);
    } else if (i % 2 === 0) {
      writeFile(root, `notes/note-${i}.md`, noteMd(i, body));
    } else {
      writeFile(root, `text/plain-${i}.txt`, `Marker ${i}. ${body}\n`);
    }
  }
  writeFile(root, 'notes/copy-of-note-0.md', noteMd(0, prose(1000, wordsPerFile)));
  writeFile(root, 'text/empty.txt', '');
  writeFile(root, 'text/binary.txt', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
}
