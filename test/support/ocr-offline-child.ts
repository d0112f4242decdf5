// Child of test/ocr-offline.test.ts, run under test/support/no-network.mjs: proves the guard
// blocks, then reads a scanned page by OCR and prints what it read as JSON.
import { extractFile } from '../../core/knowledge/import/extract.ts';
import { stopOcrEngine } from '../../core/knowledge/import/ocr/ocr-engine.ts';

const file = process.argv[2]!;
let guarded = false;
try {
  await fetch('http://127.0.0.1:9/');
} catch (err) {
  guarded = /network access blocked/.test((err as Error).message);
}
const doc = await extractFile(file, { timeoutMs: 300_000 });
await stopOcrEngine();
process.stdout.write(
  JSON.stringify({ guarded, ocr: doc.ocr, text: doc.sections.map((s) => s.text).join('\n') }),
);
