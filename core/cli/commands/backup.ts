import fs from 'node:fs';
import readline from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { BackupInfo, BackupProgressEvent } from '../../contract/methods/backup.ts';
import { applyPendingRestore } from '../../operations/backup/restore.ts';
import { resolveDataDir } from '../../base/paths.ts';
import { askTTY } from '../ask.ts';
import { collectionArg, type CliContext } from '../context.ts';
import { formatBytes, plural, table } from '../format.ts';
import { withClient } from '../session.ts';

/** Env var for scripts; an interactive terminal is asked instead when none is given. */
export const PASSPHRASE_ENV = 'PUSTAKA_BACKUP_PASSPHRASE';

interface PassphraseOptions {
  passphraseFile?: string;
}

function usage(message: string): ApiCallError {
  return new ApiCallError({ code: 'invalid_params', message });
}

/** A passphrase file holds the passphrase on its first line (a trailing newline is not part of it). */
function passphraseFromOptions(o: PassphraseOptions): string | undefined {
  if (o.passphraseFile) {
    let text: string;
    try {
      text = fs.readFileSync(o.passphraseFile, 'utf8');
    } catch (err) {
      throw usage(
        `cannot read the passphrase file ${o.passphraseFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const pass = text.replace(/\r?\n$/, '');
    if (!pass) throw usage(`the passphrase file ${o.passphraseFile} is empty`);
    return pass;
  }
  return process.env[PASSPHRASE_ENV] || undefined;
}

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_c, _e, done) => done() });
  const rl = readline.createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await rl.question('');
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

async function newPassphrase(ctx: CliContext): Promise<string> {
  if (!ctx.io.isTTY)
    throw usage(`--encrypt needs --passphrase-file or ${PASSPHRASE_ENV} when not run on a terminal`);
  const first = await promptHidden('New backup passphrase: ');
  if (!first) throw usage('the passphrase is empty');
  if ((await promptHidden('Repeat the passphrase: ')) !== first) throw usage('the two passphrases differ');
  return first;
}

/** Runs `fn` with the passphrase given; asks on a terminal if the archive turns out encrypted. */
async function withPassphrase<T>(
  ctx: CliContext,
  o: PassphraseOptions,
  fn: (p: string | undefined) => Promise<T>,
) {
  const given = passphraseFromOptions(o);
  try {
    return await fn(given);
  } catch (err) {
    const needs = err instanceof ApiCallError && err.details?.needsPassphrase === true;
    if (given !== undefined || !needs || !ctx.io.isTTY) throw err;
    return fn(await promptHidden('Passphrase: '));
  }
}

function backupArg(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

function progressPrinter(ctx: CliContext, json: boolean | undefined) {
  const stream = json ? null : ctx.io.progressStream;
  let last = '';
  return {
    onEvent(e: BackupProgressEvent) {
      if (!stream) return;
      const line =
        e.phase === 'archive' && e.bytesTotal
          ? `Writing archive… ${formatBytes(e.bytesDone)} (from ${formatBytes(e.bytesTotal)} of data)`
          : {
              snapshot: 'Taking a snapshot…',
              archive: 'Writing archive…',
              extract: 'Unpacking…',
              check: 'Checking…',
              'safety-backup': 'Backing up the current data first…',
            }[e.phase];
      if (line !== last) stream.write(`\r\x1b[2K${line}`);
      last = line;
    },
    done() {
      if (stream && last) stream.write('\r\x1b[2K');
    },
  };
}

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) : '—');

function renderBackups(list: BackupInfo[], dir: string): string {
  if (list.length === 0) return `No backups yet (folder ${dir}). Take one with: pustaka backup create`;
  return `${table(
    ['id', 'created (UTC)', 'kind', 'status', 'size', 'encrypted', 'verified', 'contents'],
    list.map((b) => [
      b.id,
      when(b.createdAt),
      b.kind,
      b.fileExists || b.status === 'deleted' || b.status === 'failed'
        ? b.status
        : `${b.status} (file missing)`,
      b.sizeBytes === null ? '—' : formatBytes(b.sizeBytes),
      b.encrypted ? 'yes' : 'no',
      when(b.verifiedAt),
      b.counts
        ? `${plural(b.counts.collections, 'collection')}, ${plural(b.counts.documents, 'document')}, ${plural(b.counts.chunks, 'chunk')}`
        : (b.error ?? ''),
    ]),
  )}\n\nFolder: ${dir}`;
}

export function registerBackup(program: Command, ctx: CliContext): void {
  const { signal } = ctx;
  const backup = program
    .command('backup')
    .description('backups of all your data: create, list, verify, restore, prune');

  backup
    .command('create')
    .option('--encrypt', `encrypt with a passphrase (asked for, or --passphrase-file, or ${PASSPHRASE_ENV})`)
    .option('--passphrase-file <file>', 'encrypt with the passphrase in this file')
    .description('take a backup now (safe while Pustaka is in use)')
    .action(async (o: PassphraseOptions & { encrypt?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      const passphrase = passphraseFromOptions(o) ?? (o.encrypt ? await newPassphrase(ctx) : undefined);
      const progress = progressPrinter(ctx, opts.json);
      await withClient(opts, signal, async (client) => {
        try {
          const b = await client.call(
            'backup.create',
            { kind: 'manual', passphrase },
            { onEvent: (e) => progress.onEvent(e) },
          );
          progress.done();
          ctx.print(
            opts,
            `Backup ${b.id} written: ${b.path} (${formatBytes(b.sizeBytes ?? 0)}${b.encrypted ? ', encrypted' : ''}).`,
            b,
          );
        } finally {
          progress.done();
        }
      });
    });

  backup
    .command('list', { isDefault: true })
    .option('--all', 'include deleted backups')
    .description('backups, newest first, with size, status and verification time')
    .action(async (o: { all?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const res = await client.call('backup.list', { includeDeleted: Boolean(o.all) });
        const pending = res.pendingRestore
          ? `\n\nA restore of ${res.pendingRestore.backupPath} is staged and will replace the data at the next start.`
          : '';
        ctx.print(opts, renderBackups(res.backups, res.dir) + pending, res);
      });
    });

  backup
    .command('verify')
    .argument('<backup>', 'backup id, or an archive file')
    .option('--passphrase-file <file>', 'the passphrase of an encrypted backup')
    .description('restore into a temporary folder and check checksums and counts')
    .action(async (ref: string, o: PassphraseOptions, cmd: Command) => {
      const opts = ctx.globals(cmd);
      const progress = progressPrinter(ctx, opts.json);
      const res = await withPassphrase(ctx, o, (passphrase) =>
        withClient(opts, signal, (client) =>
          client.call(
            'backup.verify',
            { backup: backupArg(ref), passphrase },
            { onEvent: (e) => progress.onEvent(e) },
          ),
        ).finally(() => progress.done()),
      );
      const lines = res.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
      ctx.print(opts, `${res.path} is good (${Math.round(res.durationMs)} ms):\n${lines.join('\n')}`, res);
    });

  backup
    .command('restore')
    .argument('<backup>', 'backup id, or an archive file')
    .option('--passphrase-file <file>', 'the passphrase of an encrypted backup')
    .option('--no-safety-backup', 'do not back up the current data first')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('replace all current data with a backup (the current data is kept aside)')
    .action(
      async (ref: string, o: PassphraseOptions & { safetyBackup: boolean; yes?: boolean }, cmd: Command) => {
        const opts = ctx.globals(cmd);
        if (!o.yes) {
          if (!ctx.io.isTTY || opts.json)
            throw usage('restoring replaces all current data and needs confirmation: add --yes');
          const ok = await (ctx.io.confirm ?? askTTY)(`Replace all current data with backup ${ref}?`);
          if (!ok) {
            ctx.io.stderr('Nothing restored.\n');
            return;
          }
        }
        const progress = progressPrinter(ctx, opts.json);
        const staged = await withPassphrase(ctx, o, (passphrase) =>
          withClient(opts, signal, (client) =>
            client.call(
              'backup.restore',
              { backup: backupArg(ref), passphrase, safetyBackup: o.safetyBackup },
              { onEvent: (e) => progress.onEvent(e) },
            ),
          ).finally(() => progress.done()),
        );
        // The engine is closed now: swap the staged data in under the data-dir lock.
        const applied = await applyPendingRestore(resolveDataDir(opts.dataDir));
        const m = staged.manifest;
        const human = [
          `Restored the backup of ${when(m.createdAt)} UTC (Pustaka ${m.app.version}): ${plural(m.counts.collections.length, 'collection')}, ${plural(m.counts.chunks, 'chunk')}.`,
          staged.migratedFrom !== null
            ? `Its database was migrated forward from schema ${staged.migratedFrom}.`
            : null,
          staged.safetyBackup
            ? `The data it replaced was backed up first: ${staged.safetyBackup.path}`
            : null,
          applied
            ? `The replaced files are kept in ${applied.previousDir} (delete that folder when satisfied).`
            : null,
        ]
          .filter(Boolean)
          .join('\n');
        ctx.print(opts, human, { ...staged, applied });
      },
    );

  backup
    .command('prune')
    .option('--daily <n>', 'daily backups to keep (default 7)', nonNegativeInt)
    .option('--weekly <n>', 'weekly backups to keep (default 4)', nonNegativeInt)
    .option('--monthly <n>', 'monthly backups to keep (default 6)', nonNegativeInt)
    .option('--dry-run', 'only show what would be deleted')
    .description('delete backups outside the retention policy (never the newest verified one)')
    .action(
      async (o: { daily?: number; weekly?: number; monthly?: number; dryRun?: boolean }, cmd: Command) => {
        const opts = ctx.globals(cmd);
        await withClient(opts, signal, async (client) => {
          const res = await client.call('backup.prune', {
            daily: o.daily ?? 7,
            weekly: o.weekly ?? 4,
            monthly: o.monthly ?? 6,
            dryRun: Boolean(o.dryRun),
          });
          const verb = res.dryRun ? 'Would delete' : 'Deleted';
          const human = [
            `Policy: ${res.policy.daily} daily, ${res.policy.weekly} weekly, ${res.policy.monthly} monthly.`,
            `${verb} ${plural(res.deleted.length, 'backup')} (${formatBytes(res.freedBytes)})${res.deleted.length ? ':' : '.'}`,
            ...res.deleted.map((b) => `  ${b.id}  ${when(b.createdAt)}  ${b.fileName}`),
            `Keeping ${plural(res.kept.length, 'backup')}${res.kept.length ? ':' : '.'}`,
            ...res.kept.map((k) => `  ${k.backup.id}  ${when(k.backup.createdAt)}  ${k.reasons.join(', ')}`),
          ].join('\n');
          ctx.print(opts, human, res);
        });
      },
    );

  backup
    .command('delete')
    .argument('<id>', 'backup id')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete one backup archive')
    .action(async (id: string, o: { yes?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      if (!/^\d+$/.test(id)) throw usage(`"${id}" is not a backup id`);
      if (!o.yes) {
        if (!ctx.io.isTTY || opts.json) throw usage(`deleting backup ${id} needs confirmation: add --yes`);
        if (!(await (ctx.io.confirm ?? askTTY)(`Delete backup ${id}?`))) return;
      }
      await withClient(opts, signal, async (client) => {
        const b = await client.call('backup.delete', { backup: Number(id) });
        ctx.print(opts, `Deleted backup ${b.id} (${b.fileName}).`, b);
      });
    });
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`"${value}" is not a whole number ≥ 0`);
  return n;
}

/** `collections export` and `collections import-archive`, beside the other collection commands. */
export function registerCollectionArchive(program: Command, ctx: CliContext): void {
  const collections = program.commands.find((c) => c.name() === 'collections')!;
  collections
    .command('export')
    .argument('<collection>', 'name or id')
    .requiredOption('-o, --out <file>', 'archive to write (or a folder to write it in)')
    .option('--encrypt', 'encrypt with a passphrase')
    .option('--passphrase-file <file>', 'encrypt with the passphrase in this file')
    .description('write a collection (documents, chunks, vectors) to an archive for another machine')
    .action(async (ref: string, o: PassphraseOptions & { out: string; encrypt?: boolean }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      const passphrase =
        o.passphraseFile || o.encrypt ? (passphraseFromOptions(o) ?? (await newPassphrase(ctx))) : undefined;
      await withClient(opts, ctx.signal, async (client) => {
        const res = await client.call('collections.export', {
          collection: collectionArg(ref),
          out: o.out,
          passphrase,
        });
        ctx.print(
          opts,
          `Exported "${res.collection}": ${plural(res.documents, 'document')}, ${plural(res.chunks, 'chunk')} → ${res.path} (${formatBytes(res.sizeBytes)}).`,
          res,
        );
      });
    });

  collections
    .command('import-archive')
    .argument('<file>', 'a .pustaka-collection archive')
    .option('--as <name>', 'import under another name')
    .option('--passphrase-file <file>', 'the passphrase of an encrypted archive')
    .description('import a collection archive, searchable at once (no re-embedding)')
    .action(async (file: string, o: PassphraseOptions & { as?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      const res = await withPassphrase(ctx, o, (passphrase) =>
        withClient(opts, ctx.signal, (client) =>
          client.call('collections.importArchive', { path: file, as: o.as, passphrase }),
        ),
      );
      const human = `Imported "${res.collection.name}" (id ${res.collection.id}): ${plural(res.documents, 'document')}, ${plural(res.chunks, 'chunk')}.${res.warning ? `\nNote: ${res.warning}` : ''}`;
      ctx.print(opts, human, res);
    });
}
