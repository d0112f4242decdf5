import readline from 'node:readline/promises';
import { Command, CommanderError } from 'commander';
import { ApiCallError } from '../api/client.ts';
import { APP_INFO } from '../app-info.ts';
import { isPustakaError } from '../errors.ts';
import { renderCollection, renderCollections, renderStatus } from './render.ts';
import { withClient, type GlobalOptions } from './session.ts';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  confirm?: (question: string) => Promise<boolean>;
}

const defaultIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
};

async function askTTY(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** Exit codes: 0 ok, 1 the operation failed, 2 bad usage or invalid input, 130 interrupted. */
function exitCodeFor(code: string): number {
  if (code === 'invalid_params' || code === 'unknown_method') return 2;
  if (code === 'cancelled') return 130;
  return 1;
}

/** A numeric argument is an id, anything else a name. */
function collectionArg(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

export async function runCli(
  argv: string[],
  io: CliIO = defaultIO,
  signal = new AbortController().signal,
): Promise<number> {
  let exitCode = 0;
  const print = (opts: GlobalOptions, human: string, data: unknown) =>
    io.stdout(opts.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);

  const program = new Command()
    .name('pustaka')
    .description('Offline knowledge assistant: your documents, a local Llama, cited answers.')
    .version(APP_INFO.version, '-V, --version')
    .option('--data-dir <dir>', 'data folder (default: the OS app-data folder; PUSTAKA_DATA_DIR overrides)')
    .option('--json', 'machine-readable JSON output')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();

  program
    .command('status')
    .description('versions, data folder, store sizes and counts')
    .action(async (_o, cmd: Command) => {
      const opts = globals(cmd);
      await withClient(opts, signal, async (client) => {
        const status = await client.call('status', {});
        print(opts, renderStatus(status), status);
      });
    });

  const collections = program.command('collections').description('manage collections of documents');

  collections
    .command('list', { isDefault: true })
    .description('list collections with their document and chunk counts')
    .action(async (_o, cmd: Command) => {
      const opts = globals(cmd);
      await withClient(opts, signal, async (client) => {
        const list = await client.call('collections.list', {});
        print(opts, renderCollections(list), list);
      });
    });

  collections
    .command('show')
    .argument('<collection>', 'name or id')
    .description('show one collection')
    .action(async (ref: string, _o, cmd: Command) => {
      const opts = globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('collections.get', { collection: collectionArg(ref) });
        print(opts, renderCollection(c), c);
      });
    });

  collections
    .command('create')
    .argument('<name>', 'collection name')
    .option('-d, --description <text>', 'what the collection holds')
    .option('--chunk-size <tokens>', 'tokens per chunk (default 400)', Number)
    .option('--chunk-overlap <tokens>', 'tokens shared by neighbouring chunks (default 60)', Number)
    .description('create an empty collection')
    .action(
      async (
        name: string,
        o: { description?: string; chunkSize?: number; chunkOverlap?: number },
        cmd: Command,
      ) => {
        const opts = globals(cmd);
        await withClient(opts, signal, async (client) => {
          const c = await client.call('collections.create', {
            name,
            ...(o.description !== undefined ? { description: o.description } : {}),
            ...(o.chunkSize !== undefined ? { chunkSize: o.chunkSize } : {}),
            ...(o.chunkOverlap !== undefined ? { chunkOverlap: o.chunkOverlap } : {}),
          });
          print(opts, `Created collection "${c.name}" (id ${c.id}).`, c);
        });
      },
    );

  collections
    .command('rename')
    .argument('<collection>', 'current name or id')
    .argument('<new-name>', 'new name')
    .description('rename a collection')
    .action(async (ref: string, newName: string, _o, cmd: Command) => {
      const opts = globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('collections.rename', { collection: collectionArg(ref), name: newName });
        print(opts, `Renamed to "${c.name}".`, c);
      });
    });

  collections
    .command('delete')
    .argument('<collection>', 'name or id')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete a collection with all its documents and chunks')
    .action(async (ref: string, o: { yes?: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      await withClient(opts, signal, async (client) => {
        const c = await client.call('collections.get', { collection: collectionArg(ref) });
        if (!o.yes) {
          if (!io.isTTY || opts.json) {
            throw new ApiCallError({
              code: 'invalid_params',
              message: `deleting "${c.name}" needs confirmation: add --yes`,
            });
          }
          const ok = await (io.confirm ?? askTTY)(
            `Delete collection "${c.name}" with ${c.documentCount} documents and ${c.chunkCount} chunks?`,
          );
          if (!ok) {
            io.stderr('Nothing deleted.\n');
            return;
          }
        }
        const res = await client.call('collections.delete', { collection: c.id });
        print(opts, `Deleted "${res.name}": ${res.documents} documents, ${res.chunks} chunks.`, res);
      });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    const code = err instanceof ApiCallError || isPustakaError(err) ? err.code : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    if (program.opts<GlobalOptions>().json) {
      io.stdout(`${JSON.stringify({ ok: false, error: { code, message } }, null, 2)}\n`);
    }
    io.stderr(`pustaka: ${message}\n`);
    exitCode = exitCodeFor(code);
  }
  return exitCode;
}
