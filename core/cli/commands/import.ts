import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { ResultOf } from '../../contract/contract.ts';
import type { Contracts } from '../../contract/methods/index.ts';
import type { ReembedEvent } from '../../contract/methods/collections.ts';
import type { ImportEvent, ImportSummary } from '../../contract/methods/imports.ts';
import { collectionArg, commaList, type CliContext } from '../context.ts';
import { createImportProgress } from '../progress-bar.ts';
import { renderImportSummary, renderReembed } from '../render-import.ts';
import { withClient } from '../session.ts';

type ResumeResult = ResultOf<Contracts['import.resume']>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface ImportOptions {
  collection?: string;
  tags?: string[];
  include?: string[];
  exclude?: string[];
  removeMissing?: boolean;
  resume?: boolean;
  watch?: boolean;
}

const MARK: Record<string, string> = { imported: '+', updated: '~', removed: '-', failed: '✗' };

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .argument('[paths...]', 'files and folders to import')
    .option('-c, --collection <name>', 'collection to import into (created if it does not exist)')
    .option('-t, --tags <a,b>', 'tags for every imported document, comma-separated (repeatable)', commaList)
    .option(
      '--include <glob>',
      'only files matching this glob, relative to each folder (repeatable)',
      collect,
    )
    .option('--exclude <glob>', 'skip files matching this glob (repeatable)', collect)
    .option('--remove-missing', 'remove documents whose files disappeared from the given folders')
    .option('--resume', 'resume imports interrupted by a quit or crash')
    .option('-w, --watch', 'after importing, keep the collection in sync with the folders until Ctrl-C')
    .description('import files and folders into a collection (unchanged files are skipped)')
    .action(async (paths: string[], o: ImportOptions, cmd: Command) => {
      const opts = ctx.globals(cmd);
      if (!o.resume && (!paths.length || !o.collection)) {
        throw new ApiCallError({
          code: 'invalid_params',
          message: 'give the files or folders to import and --collection NAME (or --resume)',
        });
      }
      if (o.watch) return watch(paths, o, opts);
      const bar = !opts.json && ctx.io.progressStream ? createImportProgress(ctx.io.progressStream) : null;
      const onEvent = (e: ImportEvent | ReembedEvent) => {
        bar?.onEvent(e);
        if (!bar && !opts.json && e.type === 'scanned') {
          ctx.io.stderr(`Importing ${e.filesTotal} files…\n`);
        }
      };
      await withClient(opts, ctx.signal, async (client) => {
        let summaries: ImportSummary[] = [];
        let reembeds: ResumeResult['reembeds'] = [];
        try {
          if (o.resume) {
            ({ imports: summaries, reembeds } = await client.call('import.resume', {}, { onEvent }));
          }
          if (paths.length && o.collection) {
            const tags = o.tags;
            summaries.push(
              await client.call(
                'import.run',
                {
                  collection: collectionArg(o.collection),
                  paths,
                  create: true,
                  ...(tags?.length ? { tags } : {}),
                  ...(o.include ? { include: o.include } : {}),
                  ...(o.exclude ? { exclude: o.exclude } : {}),
                  removeMissing: Boolean(o.removeMissing),
                },
                { onEvent },
              ),
            );
          }
        } finally {
          bar?.stop();
        }
        const human =
          summaries.length || reembeds.length
            ? [...reembeds.map(renderReembed), ...summaries.map(renderImportSummary)].join('\n\n')
            : 'Nothing to resume: no import was interrupted.';
        ctx.print(opts, human, o.resume ? { imports: summaries, reembeds } : summaries[0]);
        if (summaries.some((s) => s.status === 'cancelled'))
          throw new ApiCallError({ code: 'cancelled', message: 'import cancelled' });
      });
    });

  /** `--watch`: one line per change instead of a bar, since passes come and go. */
  async function watch(
    paths: string[],
    o: ImportOptions,
    opts: ReturnType<CliContext['globals']>,
  ): Promise<void> {
    const tags = o.tags;
    await withClient(opts, ctx.signal, async (client) => {
      const res = await client.call(
        'import.watch',
        {
          collection: collectionArg(o.collection!),
          paths,
          create: true,
          ...(tags?.length ? { tags } : {}),
          ...(o.include ? { include: o.include } : {}),
          ...(o.exclude ? { exclude: o.exclude } : {}),
        },
        {
          onEvent: (e) => {
            if (opts.json) return;
            if (e.type === 'file' && MARK[e.outcome]) {
              ctx.io.stderr(`${MARK[e.outcome]} ${e.path}${e.message ? ` — ${e.message}` : ''}\n`);
            } else if (e.type === 'synced') {
              ctx.io.stderr(e.pass === 1 ? 'Imported.\n' : `Synced (${e.changed} changed).\n`);
            } else if (e.type === 'watching') {
              ctx.io.stderr(`Watching ${e.paths.join(', ')} — press Ctrl-C to stop.\n`);
            }
          },
        },
      );
      ctx.print(opts, `Stopped watching after ${res.passes} passes.\n${renderImportSummary(res.last)}`, res);
    });
  }

  program
    .command('jobs')
    .option('-n, --limit <n>', 'how many', Number, 20)
    .description('recent import jobs')
    .action(async (o: { limit: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, ctx.signal, async (client) => {
        const jobs = await client.call('jobs.list', { limit: o.limit });
        const human = jobs.length
          ? jobs
              .map(
                (j) =>
                  `#${j.id} ${j.status.padEnd(11)} ${j.collection} · ${j.filesDone} done, ${j.filesSkipped} skipped, ${j.filesFailed} failed of ${j.filesTotal} · ${j.chunksTotal} chunks · ${j.startedAt ?? ''}${j.error ? ` · ${j.error}` : ''}`,
              )
              .join('\n')
          : 'No import jobs yet.';
        ctx.print(opts, human, jobs);
      });
    });
}
