// Extracts one file in a process of its own and prints what came of it as one JSON line, so a
// test can see a crash (a native decoder's segfault, a heap run out) as an exit code instead of
// losing its own process:  node --import tsx extract-child.ts <file>
import { extractFile } from '../../core/knowledge/import/extract.ts';
import { stopOcrEngine } from '../../core/knowledge/import/ocr/ocr-engine.ts';

const file = process.argv[2]!;
let out: Record<string, unknown>;
try {
  const doc = await extractFile(file, { ocr: { enabled: true, pageBudgetMs: 60_000 } });
  out = { ok: true, pageCount: doc.pageCount, warnings: doc.warnings, ocr: doc.ocr ?? null };
} catch (err) {
  const e = err as { reason?: string; message?: string };
  out = { ok: false, reason: e.reason ?? null, message: e.message ?? String(err) };
}
await stopOcrEngine();
out.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(out)}\n`);
