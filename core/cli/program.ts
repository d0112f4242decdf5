import { Command, CommanderError } from 'commander';
import { ApiCallError } from '../contract/client.ts';
import { APP_INFO } from '../base/app-info.ts';
import { isPustakaError } from '../base/errors.ts';
import { registerCollectionEmbedder, registerCollections } from './commands/collections.ts';
import { registerDocuments } from './commands/documents.ts';
import { registerImport } from './commands/import.ts';
import { registerSearch } from './commands/search.ts';
import { registerAsk, registerConversations } from './commands/ask.ts';
import { registerClients, registerConversationLink } from './commands/clients.ts';
import { registerMemory } from './commands/memory.ts';
import { registerProjects } from './commands/projects.ts';
import { registerSessions } from './commands/sessions.ts';
import { registerStats } from './commands/stats.ts';
import { registerModels } from './commands/models.ts';
import { registerServe } from './commands/serve.ts';
import { registerStatus } from './commands/status.ts';
import { registerGolden, registerNotes } from './commands/golden.ts';
import { registerWorker } from './commands/worker.ts';
import { registerLock } from './commands/lock.ts';
import { registerAudit } from './commands/audit.ts';
import { registerBackup, registerCollectionArchive } from './commands/backup.ts';
import type { CliContext, CliIO } from './context.ts';
import type { GlobalOptions } from './session.ts';

export type { CliIO } from './context.ts';

const defaultIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  progressStream: process.stderr.isTTY ? process.stderr : null,
};

/** Exit codes: 0 ok, 1 the operation failed, 2 bad usage or invalid input, 130 interrupted. */
function exitCodeFor(code: string): number {
  if (code === 'invalid_params' || code === 'unknown_method') return 2;
  if (code === 'cancelled') return 130;
  return 1;
}

export async function runCli(
  argv: string[],
  io: CliIO = defaultIO,
  signal = new AbortController().signal,
): Promise<number> {
  const program = new Command()
    .name('pustaka')
    .description('Offline knowledge assistant: your documents, a local Llama, cited answers.')
    .version(APP_INFO.version, '-V, --version')
    .option('--data-dir <dir>', 'data folder (default: the OS app-data folder; PUSTAKA_DATA_DIR overrides)')
    .option('--json', 'machine-readable JSON output')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  const ctx: CliContext = {
    io,
    signal,
    globals: (cmd) => cmd.optsWithGlobals<GlobalOptions>(),
    print: (opts, human, data) => io.stdout(opts.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`),
  };
  registerStatus(program, ctx);
  registerCollections(program, ctx);
  registerCollectionEmbedder(program, ctx);
  registerImport(program, ctx);
  registerDocuments(program, ctx);
  registerSearch(program, ctx);
  registerAsk(program, ctx);
  registerConversations(program, ctx);
  registerConversationLink(program, ctx);
  registerClients(program, ctx);
  registerProjects(program, ctx);
  registerSessions(program, ctx);
  registerMemory(program, ctx);
  registerStats(program, ctx);
  registerGolden(program, ctx);
  registerNotes(program, ctx);
  registerWorker(program, ctx);
  registerModels(program, ctx);
  registerLock(program, ctx);
  registerAudit(program, ctx);
  registerBackup(program, ctx);
  registerCollectionArchive(program, ctx);
  registerServe(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
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
    return exitCodeFor(code);
  }
}
