import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { ResultOf } from '../../contract/contract.ts';
import type { Contracts } from '../../contract/methods/index.ts';
import type { ReembedEvent } from '../../contract/methods/collections.ts';
import type { ImportEvent, ImportSummary } from '../../contract/methods/imports.ts';
import { collectionArg, commaList, type CliContext } from '../context.ts';
import { renderImportSummary, renderReembed } from '../render-import.ts';
import type { GlobalOptions } from '../session.ts';
import { withClient } from '../with-client.ts';
import { addCommands, addOptions, command, type CliCommand, type OptionSpec } from '../command.ts';

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

const importOptions: OptionSpec[] = [
  ['-c, --collection <name>', 'collection to import into (created if it does not exist)'],
  ['-t, --tags <a,b>', 'tags for every imported document, comma-separated (repeatable)', commaList],
  ['--include <glob>', 'only files matching this glob, relative to each folder (repeatable)', collect],
  ['--exclude <glob>', 'skip files matching this glob (repeatable)', collect],
  ['--remove-missing', 'remove documents whose files disappeared from the given folders'],
  ['--resume', 'resume imports interrupted by a quit or crash'],
  ['-w, --watch', 'after importing, keep the collection in sync with the folders until Ctrl-C'],
];

/** What `import.run` and `import.watch` share. */
function source(paths: string[], o: ImportOptions) {
  const tags = o.tags;
  return {
    collection: collectionArg(o.collection!),
    paths,
    create: true as const,
    ...(tags?.length ? { tags } : {}),
    ...(o.include ? { include: o.include } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
  };
}

/** Not a plain command: `--resume` and the paths may make two calls, `--watch` another one. */
const importCommand: CliCommand = {
  register: (program, ctx) => {
    const cmd = program.command('import').argument('[paths...]', 'files and folders to import');
    addOptions(cmd, importOptions);
    return cmd
      .description('import files and folders into a collection (unchanged files are skipped)')
      .action(async (paths: string[], o: ImportOptions, self: Command) => {
        const opts = ctx.globals(self);
        if (!o.resume && (!paths.length || !o.collection)) {
          throw new ApiCallError({
            code: 'invalid_params',
            message: 'give the files or folders to import and --collection NAME (or --resume)',
          });
        }
        if (o.watch) return watch(ctx, paths, o, opts);
        await runImport(ctx, paths, o, opts);
      });
  },
};

async function runImport(
  ctx: CliContext,
  paths: string[],
  o: ImportOptions,
  opts: GlobalOptions,
): Promise<void> {
  const bar =
    !opts.json && ctx.io.progressStream
      ? (await import('../progress-bar.ts')).createImportProgress(ctx.io.progressStream)
      : null;
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
        const params = { ...source(paths, o), removeMissing: Boolean(o.removeMissing) };
        summaries.push(await client.call('import.run', params, { onEvent }));
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
}

/** `--watch`: one line per change instead of a bar, since passes come and go. */
async function watch(ctx: CliContext, paths: string[], o: ImportOptions, opts: GlobalOptions): Promise<void> {
  await withClient(opts, ctx.signal, async (client) => {
    const res = await client.call('import.watch', source(paths, o), {
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
    });
    ctx.print(opts, `Stopped watching after ${res.passes} passes.\n${renderImportSummary(res.last)}`, res);
  });
}

const jobs = command({
  name: 'jobs',
  options: [['-n, --limit <n>', 'how many', Number, 20]],
  description: 'recent import jobs',
  method: 'jobs.list',
  params: (_a, o: { limit: number }) => ({ limit: o.limit }),
  human: (list) =>
    list.length
      ? list
          .map(
            (j) =>
              `#${j.id} ${j.status.padEnd(11)} ${j.collection} · ${j.filesDone} done, ${j.filesSkipped} skipped, ${j.filesFailed} failed of ${j.filesTotal} · ${j.chunksTotal} chunks · ${j.startedAt ?? ''}${j.error ? ` · ${j.error}` : ''}`,
          )
          .join('\n')
      : 'No import jobs yet.',
});

export function registerImport(program: Command, ctx: CliContext): void {
  addCommands(program, ctx, [importCommand, jobs]);
}
