import fs from 'node:fs';
import readline from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { BackupInfo, BackupProgressEvent } from '../../contract/methods/backup.ts';
import type { AppliedRestore } from '../../operations/backup/restore.ts';
import { resolveDataDir } from '../../base/paths.ts';
import { collectionArg, type CliContext, type CliIO } from '../context.ts';
import { formatBytes, plural, table } from '../format.ts';
import { withClient } from '../with-client.ts';
import { addCommands, command, confirmed, required, type CliCommand } from '../command.ts';
import type { ResultOf } from '../../contract/contract.ts';
import type { Contracts } from '../../contract/methods/index.ts';

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

async function newPassphrase(io: CliIO): Promise<string> {
  if (!io.isTTY)
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

/** `retry` for a command with a passphrase: asks on a terminal if the archive turns out encrypted. */
async function askPassphrase<T extends { passphrase?: string | undefined }>(
  err: unknown,
  p: T,
  io: CliIO,
): Promise<T | null> {
  const needs = err instanceof ApiCallError && err.details?.needsPassphrase === true;
  if (p.passphrase !== undefined || !needs || !io.isTTY) return null;
  return { ...p, passphrase: await promptHidden('Passphrase: ') };
}

function backupArg(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** One line on the terminal (when there is one) for the phase a backup or restore is in. */
function backupProgress(io: CliIO) {
  const stream = io.progressStream;
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
    stop() {
      if (stream && last) stream.write('\r\x1b[2K');
    },
  };
}

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) : '—');

/** The status, and where the archive is when that matters. */
function backupState(b: BackupInfo): string {
  if (b.status === 'deleted') return b.status;
  // A row from a copied or restored catalogue: its file belongs elsewhere, never used or deleted.
  if (!b.inBackupsDir) return `${b.status} (not in this folder: ${b.path})`;
  return b.fileExists || b.status === 'failed' ? b.status : `${b.status} (file missing)`;
}

function renderBackups(list: BackupInfo[], dir: string): string {
  if (list.length === 0) return `No backups yet (folder ${dir}). Take one with: pustaka backup create`;
  return `${table(
    ['id', 'created (UTC)', 'kind', 'status', 'size', 'encrypted', 'verified', 'contents'],
    list.map((b) => [
      b.id,
      when(b.createdAt),
      b.kind,
      backupState(b),
      b.sizeBytes === null ? '—' : formatBytes(b.sizeBytes),
      b.encrypted ? 'yes' : 'no',
      when(b.verifiedAt),
      b.counts
        ? `${plural(b.counts.collections, 'collection')}, ${plural(b.counts.documents, 'document')}, ${plural(b.counts.chunks, 'chunk')}`
        : (b.error ?? ''),
    ]),
  )}\n\nFolder: ${dir}`;
}

const passphraseFile = (what: string) => ['--passphrase-file <file>', what] as const;

const trustForeignOption = [
  '--trust-foreign',
  'accept an unencrypted archive this installation did not sign: made on another installation or by an older Pustaka (its checksums are still checked)',
] as const;

/** The integrity warning of an archive (unsigned, or trusted from another installation), as a line. */
const integrityNote = (i: { warning: string | null }) => (i.warning ? `Warning: ${i.warning}` : null);

const create = command({
  name: 'create',
  options: [
    ['--encrypt', `encrypt with a passphrase (asked for, or --passphrase-file, or ${PASSPHRASE_ENV})`],
    passphraseFile('encrypt with the passphrase in this file'),
  ],
  description: 'take a backup now (safe while Pustaka is in use)',
  method: 'backup.create',
  params: async (_a, o: PassphraseOptions & { encrypt?: boolean }, _p, io) => ({
    kind: 'manual' as const,
    passphrase: passphraseFromOptions(o) ?? (o.encrypt ? await newPassphrase(io) : undefined),
  }),
  events: backupProgress,
  human: (b) =>
    `Backup ${b.id} written: ${b.path} (${formatBytes(b.sizeBytes ?? 0)}${b.encrypted ? ', encrypted' : ''}).`,
});

const list = command({
  name: 'list',
  isDefault: true,
  options: [['--all', 'include deleted backups']],
  description: 'backups, newest first, with size, status and verification time',
  method: 'backup.list',
  params: (_a, o: { all?: boolean }) => ({ includeDeleted: Boolean(o.all) }),
  human: (res) => {
    const pending = res.pendingRestore
      ? `\n\nA restore of ${res.pendingRestore.backupPath} is staged and will replace the data at the next start.`
      : '';
    return renderBackups(res.backups, res.dir) + pending;
  },
});

const backupRef = ['<backup>', 'backup id, or an archive file'] as const;

const verify = command({
  name: 'verify',
  args: [backupRef],
  options: [passphraseFile('the passphrase of an encrypted backup'), trustForeignOption],
  description: 'restore into a temporary folder and check checksums and counts',
  method: 'backup.verify',
  params: ([ref]: [string], o: PassphraseOptions & { trustForeign?: boolean }) => ({
    backup: backupArg(ref),
    passphrase: passphraseFromOptions(o),
    trustForeign: Boolean(o.trustForeign),
  }),
  events: backupProgress,
  retry: askPassphrase,
  human: (res) => {
    const lines = res.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    const note = integrityNote(res.integrity);
    return `${res.path} is good (${Math.round(res.durationMs)} ms):\n${lines.join('\n')}${note ? `\n${note}` : ''}`;
  },
});

/** Not a plain command: the staged data is swapped in after the engine has closed. */
const restore: CliCommand = {
  register: (parent, ctx) =>
    parent
      .command('restore')
      .argument(...backupRef)
      .option(...passphraseFile('the passphrase of an encrypted backup'))
      .option('--no-safety-backup', 'do not back up the current data first')
      .option(...trustForeignOption)
      .option('-y, --yes', 'do not ask for confirmation')
      .description('replace all current data with a backup (the current data is kept aside)')
      .action(
        async (
          ref: string,
          o: PassphraseOptions & { safetyBackup: boolean; yes?: boolean; trustForeign?: boolean },
          cmd: Command,
        ) => {
          const opts = ctx.globals(cmd);
          const ask = {
            question: `Replace all current data with backup ${ref}?`,
            refusal: 'restoring replaces all current data and needs confirmation: add --yes',
            declined: 'Nothing restored.\n',
          };
          if (!(await confirmed(ctx.io, opts, o.yes, ask))) return;
          const progress = opts.json ? null : backupProgress(ctx.io);
          const { staged, link } = await withPassphrase(ctx, o, (passphrase) =>
            withClient(opts, ctx.signal, async (client, link) => ({
              link,
              staged: await client.call(
                'backup.restore',
                {
                  backup: backupArg(ref),
                  passphrase,
                  safetyBackup: o.safetyBackup,
                  trustForeign: Boolean(o.trustForeign),
                },
                { onEvent: (e) => progress?.onEvent(e) },
              ),
            })).finally(() => progress?.stop()),
          );
          if (link.attached) {
            // The running app holds the folder: it swaps the staged data in when it next opens it.
            const pending = { ...staged, applied: null, pendingUntilRestartOf: link.pid };
            ctx.print(opts, `${renderRestore(staged, null)}\n${restartNote(link.pid)}`, pending);
            return;
          }
          // The engine is closed now: swap the staged data in under the data-dir lock.
          const { applyPendingRestore } = await import('../../operations/backup/restore.ts');
          const applied = await applyPendingRestore(resolveDataDir(opts.dataDir));
          ctx.print(opts, renderRestore(staged, applied), { ...staged, applied });
        },
      ),
};

function restartNote(pid: number): string {
  return (
    `The backup is staged, not yet in place: the running Pustaka (pid ${pid}) keeps the current data open. ` +
    'Quit the app (or stop `pustaka serve`) and start it again to switch to the restored data.'
  );
}

function renderRestore(
  staged: ResultOf<Contracts['backup.restore']>,
  applied: AppliedRestore | null,
): string {
  const m = staged.manifest;
  return [
    `Restored the backup of ${when(m.createdAt)} UTC (Pustaka ${m.app.version}): ${plural(m.counts.collections.length, 'collection')}, ${plural(m.counts.chunks, 'chunk')}.`,
    staged.migratedFrom !== null
      ? `Its database was migrated forward from schema ${staged.migratedFrom}.`
      : null,
    integrityNote(staged.integrity),
    staged.safetyBackup ? `The data it replaced was backed up first: ${staged.safetyBackup.path}` : null,
    applied
      ? `The replaced files are kept in ${applied.previousDir} (delete that folder when satisfied).`
      : null,
  ]
    .filter(Boolean)
    .join('\n');
}

const prune = command({
  name: 'prune',
  options: [
    ['--daily <n>', 'daily backups to keep (default 7)', nonNegativeInt],
    ['--weekly <n>', 'weekly backups to keep (default 4)', nonNegativeInt],
    ['--monthly <n>', 'monthly backups to keep (default 6)', nonNegativeInt],
    ['--dry-run', 'only show what would be deleted'],
    ['--include-manual', 'apply the policy to manual and pre-restore backups too'],
  ],
  description:
    'delete scheduled backups outside the retention policy (manual and pre-restore ones only with --include-manual; never the newest verified one)',
  method: 'backup.prune',
  params: (
    _a,
    o: { daily?: number; weekly?: number; monthly?: number; dryRun?: boolean; includeManual?: boolean },
  ) => ({
    daily: o.daily ?? 7,
    weekly: o.weekly ?? 4,
    monthly: o.monthly ?? 6,
    dryRun: Boolean(o.dryRun),
    includeManual: Boolean(o.includeManual),
  }),
  human: (res) => {
    const verb = res.dryRun ? 'Would delete' : 'Deleted';
    const scope = res.includeManual
      ? 'all backups'
      : 'scheduled backups (manual and pre-restore ones only with --include-manual)';
    return [
      `Policy: ${res.policy.daily} daily, ${res.policy.weekly} weekly, ${res.policy.monthly} monthly, for ${scope}.`,
      `${verb} ${plural(res.deleted.length, 'backup')} (${formatBytes(res.freedBytes)})${res.deleted.length ? ':' : '.'}`,
      ...res.deleted.map((b) => `  ${b.id}  ${when(b.createdAt)}  ${b.fileName}`),
      `Keeping ${plural(res.kept.length, 'backup')}${res.kept.length ? ':' : '.'}`,
      ...res.kept.map((k) => `  ${k.backup.id}  ${when(k.backup.createdAt)}  ${k.reasons.join(', ')}`),
    ].join('\n');
  },
});

const remove = command({
  name: 'delete',
  args: [['<id>', 'backup id']],
  options: [['-y, --yes', 'do not ask for confirmation']],
  description: 'delete one backup archive',
  method: 'backup.delete',
  params: ([id]: [string]) => {
    if (!/^\d+$/.test(id)) throw usage(`"${id}" is not a backup id`);
    return { backup: Number(id) };
  },
  confirmFirst: true,
  confirm: ([id]) => ({
    question: `Delete backup ${id}?`,
    refusal: `deleting backup ${id} needs confirmation: add --yes`,
  }),
  human: (b) =>
    b.inBackupsDir
      ? `Deleted backup ${b.id} (${b.fileName}).`
      : `Removed backup ${b.id} from the list; its file ${b.path} lies outside this data folder's backups and was left alone.`,
});

export function registerBackup(program: Command, ctx: CliContext): void {
  const backup = program
    .command('backup')
    .description('backups of all your data: create, list, verify, restore, prune');
  addCommands(backup, ctx, [create, list, verify, restore, prune, remove]);
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`"${value}" is not a whole number ≥ 0`);
  return n;
}

const exportArchive = command({
  name: 'export',
  args: [['<collection>', 'name or id']],
  options: [
    required('-o, --out <file>', 'archive to write (or a folder to write it in)'),
    ['--encrypt', 'encrypt with a passphrase'],
    passphraseFile('encrypt with the passphrase in this file'),
  ],
  description: 'write a collection (documents, chunks, vectors) to an archive for another machine',
  method: 'collections.export',
  params: async ([ref]: [string], o: PassphraseOptions & { out: string; encrypt?: boolean }, _p, io) => ({
    collection: collectionArg(ref),
    out: o.out,
    passphrase:
      o.passphraseFile || o.encrypt ? (passphraseFromOptions(o) ?? (await newPassphrase(io))) : undefined,
  }),
  human: (res) =>
    `Exported "${res.collection}": ${plural(res.documents, 'document')}, ${plural(res.chunks, 'chunk')} → ${res.path} (${formatBytes(res.sizeBytes)}).`,
});

const importArchive = command({
  name: 'import-archive',
  args: [['<file>', 'a .pustaka-collection archive']],
  options: [
    ['--as <name>', 'import under another name'],
    passphraseFile('the passphrase of an encrypted archive'),
  ],
  description: 'import a collection archive, searchable at once (no re-embedding)',
  method: 'collections.importArchive',
  params: ([file]: [string], o: PassphraseOptions & { as?: string }) => ({
    path: file,
    as: o.as,
    passphrase: passphraseFromOptions(o),
  }),
  retry: askPassphrase,
  human: (res) =>
    [
      `Imported "${res.collection.name}" (id ${res.collection.id}): ${plural(res.documents, 'document')}, ${plural(res.chunks, 'chunk')}.`,
      res.warning ? `Note: ${res.warning}` : null,
      integrityNote(res.integrity),
    ]
      .filter(Boolean)
      .join('\n'),
});

/** `collections export` and `collections import-archive`, beside the other collection commands. */
export function registerCollectionArchive(program: Command, ctx: CliContext): void {
  const collections = program.commands.find((c) => c.name() === 'collections')!;
  addCommands(collections, ctx, [exportArchive, importArchive]);
}
