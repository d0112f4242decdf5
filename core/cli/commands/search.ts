import { InvalidArgumentError, Option, type Command } from 'commander';
import type { SearchMode, SearchResult } from '../../contract/methods/search.ts';
import { sourceLabel } from '../../base/source-label.ts';
import { markHighlights, snippet } from '../../base/snippet.ts';
import { commaList, collectionArg, positiveInt, type CliContext } from '../context.ts';
import { plural } from '../format.ts';
import { renderRebuildWarning } from '../render-rebuild.ts';
import { withClient } from '../with-client.ts';

const BOLD = '\x1b[1m';
const NORMAL = '\x1b[22m';
const DIM = '\x1b[2m';

interface SearchOptions {
  collection?: string[];
  k: number;
  tags?: string[];
  type?: string[];
  after?: string;
  before?: string;
  mode: SearchMode;
  diversity?: number;
}

function ratio(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError('give a number from 0 to 1.');
  return n;
}

export function renderSearch(result: SearchResult, tty: boolean): string {
  const style = (open: string, text: string) => (tty ? `${open}${text}${NORMAL}` : text);
  const lines: string[] = [];
  const width = String(result.items.length).length;
  for (const item of result.items) {
    const score = item.score.toFixed(Math.abs(item.score) < 1 ? 4 : 2);
    const ocr = item.ocr ? ' (OCR)' : '';
    const page = item.page !== null ? `  p. ${item.page}${ocr}` : ocr;
    lines.push(`${String(item.rank).padStart(width)}. ${score}  ${style(BOLD, sourceLabel(item))}${page}`);
    const pad = ' '.repeat(width + 2);
    lines.push(`${pad}${style(DIM, item.sourcePath)}`);
    const s = snippet(item.text, item.highlights);
    lines.push(`${pad}${tty ? markHighlights(s.text, s.highlights, BOLD, NORMAL) : s.text}`);
    lines.push('');
  }
  const took = `${result.tookMs < 10 ? result.tookMs.toFixed(1) : Math.round(result.tookMs)} ms`;
  const summary = result.items.length ? plural(result.items.length, 'result') : 'No results';
  lines.push(`${summary} · ${result.mode} · ${took}${result.cached ? ' · cached' : ''}`);
  return lines.join('\n');
}

export function registerSearch(program: Command, ctx: CliContext): void {
  program
    .command('search')
    .argument('<query>', 'what to look for, in any language')
    .option('-c, --collection <name>', 'search this collection (repeatable; default: all)', commaList)
    .option('-k, --k <n>', 'how many results (1–100)', positiveInt, 10)
    .option('-t, --tags <a,b>', 'only documents with any of these tags', commaList)
    .option(
      '--type <type>',
      'only these file types: pdf, docx, pptx, xlsx, odt, ods, odp, rtf, email, image, html, markdown, text, … (repeatable)',
      commaList,
    )
    .option('--after <date>', 'only documents imported at or after this date (2026-01-31 or ISO time)')
    .option('--before <date>', 'only documents imported before this date')
    .addOption(
      new Option('--mode <mode>', 'ranking: vector + keyword fused, or one of them alone')
        .choices(['hybrid', 'vector', 'keyword'])
        .default('hybrid'),
    )
    .option('--diversity <0..1>', 'trade relevance for variety among the results (MMR)', ratio)
    .description('find passages: hybrid vector + keyword (BM25) search over imported documents')
    .action(async (query: string, o: SearchOptions, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, ctx.signal, async (client) => {
        const result = await client.call('search', {
          query,
          k: o.k,
          mode: o.mode,
          ...(o.collection?.length ? { collections: o.collection.map(collectionArg) } : {}),
          ...(o.tags?.length ? { tags: o.tags } : {}),
          ...(o.type?.length ? { types: o.type } : {}),
          ...(o.after ? { importedAfter: o.after } : {}),
          ...(o.before ? { importedBefore: o.before } : {}),
          ...(o.diversity !== undefined ? { diversity: o.diversity } : {}),
        });
        ctx.print(opts, renderSearch(result, ctx.io.isTTY), result);
        if (result.rebuilding && !opts.json) ctx.io.stderr(renderRebuildWarning(result.rebuilding));
      });
    });
}
