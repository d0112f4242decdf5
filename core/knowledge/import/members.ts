import path from 'node:path';
import { deleteDocument } from '../documents/documents.ts';
import {
  dropStaleAlsoIn,
  findIndexedMessage,
  findThreadOf,
  insertMember,
  loadMembers,
  markFailReason,
  markStoppedReader,
  parentsWithUnfinished,
  membersNotIn,
  noteAlsoIn,
  revisitCopiesOf,
  type KnownMember,
} from '../documents/member-documents.ts';
import { WorkerTaskError } from '../../base/thread-pool/pool.ts';
import type { CommitBatcher } from './commit-batcher.ts';
import type {
  FileTaskProgress,
  MemberAnswer,
  MemberIdentity,
  MemberResult,
  SelfAnswer,
} from './file-task-types.ts';
import type { ImportRun, Outcome } from './import-types.ts';

/**
 * The main thread's side of a file that holds documents (import/mail/mail-task.ts): for each
 * member the worker names, decides whether it needs reading (new or changed; not unchanged, not a
 * message the collection has from another file, not one that stopped the reader last time),
 * gives it a row and a staging area, takes its parts, and queues it indexed or failed. Once the
 * file was read whole, the members it no longer holds are deleted. Outcomes are counted into the
 * import summary like files' and announced as `file` events under the member's path.
 */
export interface MemberReceiver {
  /** Whether a progress report is the receiver's: a member's question, part or end, or 'self'. */
  takes(p: FileTaskProgress): boolean;
  take(p: FileTaskProgress): Promise<unknown>;
  /**
   * After the reader stopped (crashed, hung) while a member was being read: that member is
   * recorded failed and marked, and true is returned when the file should be read again (the
   * next read skips it and what was read already).
   */
  recover(err: unknown): Promise<boolean>;
  /** A read of the file begins (the first, or again after the reader stopped or the file changed). */
  startRead(): void;
  /**
   * After the file was read whole: deletes the members it no longer holds. A mailbox is one file
   * read whole, so what it no longer holds is known for certain: its messages gone from it go, as
   * a changed file's old text does (files gone from a folder need removeMissing instead: a folder
   * may be only partly there). A message read again loses the attachments it no longer has.
   * Nothing is deleted when that would be more than half of the file's indexed members (the file
   * may be cut short): the warning saying so is returned instead.
   */
  prune(): Promise<string | null>;
  /** Drops what an unfinished member had staged (the read was cut short). */
  discard(): void;
  /** The file itself was not indexed: the Message-ID its own message claimed is claimed no more. */
  fileFailed(): Promise<void>;
}

type Part = Extract<FileTaskProgress, { step: 'part' }>;

/** A member's staging area: see createStagedWriter in process-file.ts. */
export interface MemberStage {
  times: { embedMs: number; indexMs: number };
  restart(): void;
  take(part: Part): Promise<void>;
  commit(expected: number, title: string | null): void;
  discard(): void;
}

export interface Container {
  path: string;
  mtimeMs: number;
}

/** How many members may stop the reader in one file before the file itself is given up. */
const MAX_STOPS = 20;

/**
 * A Message-ID claimed by the message being read (or read) in this import, so a second copy is a
 * duplicate; `copies` are those skipped for it. Should it not be indexed after all, the claim is
 * dropped and the files of its copies are marked to be read again.
 */
interface Claim {
  path: string;
  copies: { path: string; container: string }[];
}

const claims = new WeakMap<ImportRun, Map<string, Claim>>();

/**
 * Files to read again in this import: they hold a copy of a message skipped as a duplicate of one
 * that is not indexed after all (pruned from its mailbox, or failed). Their own read may be queued
 * on the commit batcher still, which would mark them indexed over any mark made now; so
 * processFiles marks them once all is committed, and reads them again.
 */
const revisits = new WeakMap<ImportRun, Set<string>>();

export function addRevisits(run: ImportRun, containers: string[]): void {
  if (!containers.length) return;
  const set = revisits.get(run) ?? new Set<string>();
  revisits.set(run, set);
  for (const c of containers) set.add(c);
}

/** The files to read again added since the last call (see addRevisits). */
export function takeRevisits(run: ImportRun): string[] {
  const set = revisits.get(run);
  revisits.delete(run);
  return set ? [...set] : [];
}

/** The thread of each message read in this import, by Message-ID (see inheritThread). */
const threads = new WeakMap<ImportRun, Map<string, string>>();

/**
 * A reply that names only the message it answers (In-Reply-To, no References: the client keeps
 * none) joins that message's thread, when it was read in this import or is indexed; else it
 * starts its own (threadIdOf in mail/mail-ids.ts). `facts.email` is changed in place.
 */
export async function inheritThread(run: ImportRun, facts: Record<string, unknown> | null | undefined) {
  const email = facts?.email as
    | {
        messageId?: string | null;
        threadId?: string | null;
        inReplyTo?: string | null;
        references?: string[];
      }
    | undefined;
  if (!email) return;
  const known = threads.get(run) ?? new Map<string, string>();
  threads.set(run, known);
  if (email.inReplyTo && !email.references?.length) {
    const parent =
      known.get(email.inReplyTo) ?? (await findThreadOf(run.deps.db, run.target.id, email.inReplyTo));
    if (parent) email.threadId = parent;
  }
  if (email.messageId && email.threadId) known.set(email.messageId, email.threadId);
}

/** Each member's outcome as counted in this import (a file may be read more than once in it). */
const counted = new WeakMap<ImportRun, Map<string, Outcome>>();

/** What the receiver of one file keeps while the file is read (and read again). */
interface ReceiverState {
  run: ImportRun;
  container: Container;
  batch: CommitBatcher;
  newStage: (docId: number) => MemberStage;
  /** Message-IDs claimed in this import (shared by every file of it). */
  claimed: Map<string, Claim>;
  known: Map<string, Promise<Map<string, KnownMember>>>;
  /** The documents in the file with members to read again (an attachment not read, or failed). */
  unfinished: Promise<Set<string>> | null;
  /** Members the file named, read or not: the others it had are gone. */
  seen: Set<string>;
  /** Members named in the current read of the file: a second one at the same path is a duplicate. */
  thisRead: Set<string>;
  /**
   * Messages read whose attachments were not all asked about yet (by path: whether the message was
   * indexed before); `current` is the one whose attachments come now.
   */
  partial: Map<string, boolean>;
  current: string | null;
  /** Parents whose members were all (re)read in this import: their other members are gone. */
  reread: Set<string>;
  /** Members finished in this import (indexed or not): a second read of the file skips them. */
  finished: Map<string, string>;
  stopped: Set<string>;
  recorded: Map<string, Outcome>;
  /** The Message-ID the file's own message (an .eml's) claimed, if it made the claim. */
  selfClaim: { messageId: string; claim: Claim } | null;
  open: { m: MemberIdentity; id: number; wasIndexed: boolean; stage: MemberStage; claim?: Claim } | null;
  stops: number;
}

export function createMemberReceiver(
  run: ImportRun,
  container: Container,
  batch: CommitBatcher,
  newStage: (docId: number) => MemberStage,
): MemberReceiver {
  const claimed = claims.get(run) ?? new Map<string, Claim>();
  claims.set(run, claimed);
  const recorded = counted.get(run) ?? new Map<string, Outcome>();
  counted.set(run, recorded);
  const st: ReceiverState = {
    run,
    container,
    batch,
    newStage,
    claimed,
    known: new Map(),
    unfinished: null,
    seen: new Set(),
    thisRead: new Set(),
    partial: new Map(),
    current: null,
    reread: new Set([container.path]),
    finished: new Map(),
    stopped: new Set(),
    recorded,
    selfClaim: null,
    open: null,
    stops: 0,
  };
  return {
    takes: (p) =>
      p.step === 'member' ||
      p.step === 'member-done' ||
      p.step === 'self' ||
      (p.step === 'part' && st.open !== null),
    async take(p) {
      if (p.step === 'member') return ask(st, p.member);
      if (p.step === 'member-done') return done(st, p.result);
      if (p.step === 'self') return self(st, p.messageId, p.repliesTo ?? null);
      if (p.step === 'part') return st.open!.stage.take(p);
    },
    recover: (err) => recover(st, err),
    startRead: () => st.thisRead.clear(),
    prune: () => prune(st),
    discard() {
      st.open?.stage.discard();
      st.open = null;
    },
    async fileFailed() {
      const own = st.selfClaim;
      st.selfClaim = null;
      if (own) await dropClaim(st, own.messageId, own.claim);
    },
  };
}

function membersOf(st: ReceiverState, parent: string): Promise<Map<string, KnownMember>> {
  let m = st.known.get(parent);
  if (!m) st.known.set(parent, (m = loadMembers(st.run.deps.db, st.run.target.id, parent)));
  return m;
}

/**
 * Counts a member's outcome once per import, however often the file is read; a duplicate read
 * again (the copy it was skipped for went) counts as what it became.
 */
function record(
  st: ReceiverState,
  p: string,
  outcome: Outcome,
  chunks: number,
  reason?: string,
  message?: string,
) {
  const before = st.recorded.get(p);
  if (before !== undefined && (before !== 'duplicate' || (outcome !== 'imported' && outcome !== 'updated')))
    return;
  if (before === 'duplicate') st.run.summary.duplicates--;
  st.recorded.set(p, outcome);
  recordMember(st.run, p, outcome, chunks, reason, message);
}

/** Whether a member needs reading; if so, its row and staging area are made ready. */
async function ask(st: ReceiverState, m: MemberIdentity): Promise<MemberAnswer> {
  const { db } = st.run.deps;
  const collectionId = st.run.target.id;
  if (st.current !== null && m.parent !== st.current) completeMessage(st);
  if (st.thisRead.has(m.path)) return sameTwice(st, m);
  st.thisRead.add(m.path);
  st.seen.add(m.path);
  if (st.finished.get(m.path) === m.hash && st.partial.has(m.path)) {
    st.current = m.path;
    return { read: false, outcome: 'unchanged', attachmentsOnly: true };
  }
  if (st.finished.get(m.path) === m.hash || st.stopped.has(m.path))
    return { read: false, outcome: 'unchanged' };
  const k = (await membersOf(st, m.parent)).get(m.path);
  if (k && k.hash === m.hash && k.status === 'indexed') {
    record(st, m.path, 'unchanged', 0);
    st.unfinished ??= parentsWithUnfinished(db, collectionId, st.container.path);
    if (isAttachment(m) || !(await st.unfinished).has(m.path)) return { read: false, outcome: 'unchanged' };
    // Its text is indexed, not all its attachments: those are read (the others are unchanged).
    st.current = m.path;
    return { read: false, outcome: 'unchanged', attachmentsOnly: true };
  }
  if (k && k.hash === m.hash && k.status === 'failed' && k.stoppedReader) {
    const message = `${m.path} was skipped: it stopped the reader when it was last imported and has not changed since (${k.error ?? 'no detail'})`;
    record(st, m.path, 'failed', 0, 'skipped', message);
    return { read: false, outcome: 'failed', message };
  }
  let claim: Claim | undefined;
  if (m.messageId) {
    const held = st.claimed.get(m.messageId);
    const other = held?.path ?? (await findIndexedMessage(db, collectionId, m.messageId, m.path));
    if (other && other !== m.path) {
      const copy = { path: m.path, container: st.container.path };
      held?.copies.push(copy);
      await noteAlsoIn(db, collectionId, other, copy);
      const message = `same message (Message-ID <${m.messageId}>) as ${other}, already imported`;
      record(st, m.path, 'duplicate', 0, 'duplicate', message);
      return { read: false, outcome: 'duplicate', message };
    }
    // Claimed while it is read (a copy in a file read meanwhile is a duplicate); dropped again
    // should it not be indexed.
    claim = { path: m.path, copies: [] };
    st.claimed.set(m.messageId, claim);
  }
  const id =
    k?.id ??
    (await insertMember(
      db,
      collectionId,
      { ...m, container: st.container.path, mtimeMs: st.container.mtimeMs },
      st.run.req.tags ?? [],
    ));
  const stage = st.newStage(id);
  stage.restart();
  st.open = { m, id, wasIndexed: k?.status === 'indexed', stage, ...(claim ? { claim } : {}) };
  return { read: true, quotedKnown: await isKnown(st, m.repliesTo ?? null) };
}

/**
 * Whether the message with this Message-ID is indexed in the collection, or being imported in
 * this import: a reply to it need not keep the whole of it in its quotes.
 */
async function isKnown(st: ReceiverState, messageId: string | null): Promise<boolean> {
  if (!messageId) return false;
  if (st.claimed.has(messageId)) return true;
  return (await findIndexedMessage(st.run.deps.db, st.run.target.id, messageId, '')) !== null;
}

/** A second member at the same path in one read (a Message-ID twice in one mailbox). */
function sameTwice(st: ReceiverState, m: MemberIdentity): MemberAnswer {
  const message = `${m.path} is in ${path.basename(st.container.path)} twice (the same Message-ID); the first copy was imported`;
  if (!st.recorded.has(`twice:${m.path}`)) {
    st.recorded.set(`twice:${m.path}`, 'duplicate');
    recordMember(st.run, `${m.path}`, 'duplicate', 0, 'duplicate', message);
  }
  return { read: false, outcome: 'duplicate', message };
}

const isAttachment = (m: MemberIdentity) => m.path.startsWith(`${m.parent}#attachment/`);

/** All the attachments of the message read last were asked about: it was read whole. */
function completeMessage(st: ReceiverState): void {
  const p = st.current!;
  st.current = null;
  // Only a message indexed before can have attachments it no longer has.
  if (st.partial.get(p)) st.reread.add(p);
  st.partial.delete(p);
}

/** The message read under `claim` was not indexed: the copies skipped for it must be read. */
async function dropClaim(
  st: ReceiverState,
  messageId: string | null,
  claim: Claim | undefined,
): Promise<void> {
  if (!claim || !messageId) return;
  if (st.claimed.get(messageId) === claim) st.claimed.delete(messageId);
  const containers = await revisitCopiesOf(
    st.run.deps.db,
    st.run.target.id,
    claim.path,
    claim.copies.map((c) => c.container),
  );
  addRevisits(st.run, containers);
}

/** The member being read ended: queued indexed (its staged parts made visible) or failed. */
async function done(st: ReceiverState, r: MemberResult): Promise<void> {
  const { run } = st;
  const o = st.open!;
  st.open = null;
  st.finished.set(o.m.path, o.m.hash);
  if (!r.ok) {
    await dropClaim(st, o.m.messageId, o.claim);
    o.stage.discard();
    st.batch.fail({
      id: o.id,
      wasIndexed: o.wasIndexed,
      message: r.message,
      fileType: r.fileType,
      steps: [{ step: r.step, status: 'failed', durationMs: 0, error: r.message }],
    });
    await markFailReason(run.deps.db, o.id, r.reason);
    record(st, o.m.path, 'failed', 0, r.reason, r.message);
    return;
  }
  o.stage.commit(r.chunkCount, r.title);
  // Its copies skipped while it was read are noted now that its row is sure to be there.
  for (const c of o.claim?.copies ?? []) await noteAlsoIn(run.deps.db, run.target.id, o.m.path, c);
  if (!isAttachment(o.m)) {
    st.partial.set(o.m.path, o.wasIndexed);
    st.current = o.m.path;
  }
  const embedMs = r.timings.embedMs + o.stage.times.embedMs;
  const indexMs = o.stage.times.indexMs;
  await inheritThread(run, r.facts);
  st.batch.index({
    id: o.id,
    hash: o.m.hash,
    size: o.m.size,
    mtimeMs: st.container.mtimeMs,
    title: r.title,
    author: r.author,
    fileType: r.fileType,
    mime: r.mime,
    pageCount: r.pageCount,
    chunkCount: r.chunkCount,
    tags: run.req.tags ?? null,
    warnings: r.warnings,
    facts: r.facts,
    ocr: r.ocr ?? null,
    steps: [
      { step: 'extract', status: 'done', durationMs: r.timings.extractMs },
      { step: 'chunk', status: 'done', durationMs: r.timings.chunkMs, details: { chunks: r.chunkCount } },
      { step: 'embed', status: 'done', durationMs: embedMs },
      { step: 'index', status: 'done', durationMs: indexMs },
    ],
  });
  const { timings } = run.summary;
  timings.extractMs += r.timings.extractMs;
  timings.chunkMs += r.timings.chunkMs;
  timings.embedMs += embedMs;
  timings.indexMs += indexMs;
  record(st, o.m.path, o.wasIndexed ? 'updated' : 'imported', r.chunkCount);
}

/** A message file's own message: is it one the collection has from elsewhere? */
async function self(
  st: ReceiverState,
  messageId: string | null,
  repliesTo: string | null,
): Promise<SelfAnswer> {
  const { db } = st.run.deps;
  const { path: own } = st.container;
  if (!messageId) return { duplicateOf: null, quotedKnown: await isKnown(st, repliesTo) };
  const held = st.claimed.get(messageId);
  const other = held?.path ?? (await findIndexedMessage(db, st.run.target.id, messageId, own));
  if (other && other !== own) {
    held?.copies.push({ path: own, container: own });
    await noteAlsoIn(db, st.run.target.id, other, { path: own, container: own });
    return { duplicateOf: other };
  }
  if (!held) {
    const claim = { path: own, copies: [] };
    st.claimed.set(messageId, claim);
    st.selfClaim = { messageId, claim };
  }
  return { duplicateOf: null, quotedKnown: await isKnown(st, repliesTo) };
}

async function recover(st: ReceiverState, err: unknown): Promise<boolean> {
  const o = st.open;
  if (!o) return false;
  st.open = null;
  o.stage.discard();
  await dropClaim(st, o.m.messageId, o.claim);
  // Its message (if an attachment) was not read whole: the next read reads its other attachments.
  st.current = null;
  // The file's own time limit is no fault of the member being read: the file fails, not it.
  if (err instanceof WorkerTaskError && err.reason === 'timeout' && !err.stalled) return false;
  st.stopped.add(o.m.path);
  const why = err instanceof Error ? err.message : String(err);
  const message = `${o.m.path}: reading it stopped the reader (${why}); it was skipped and the rest of ${path.basename(st.container.path)} was read. Unchanged, it is skipped on the next import too.`;
  st.batch.fail({
    id: o.id,
    wasIndexed: o.wasIndexed,
    message,
    fileType: null,
    steps: [{ step: 'extract', status: 'failed', durationMs: 0, error: message }],
  });
  await markStoppedReader(st.run.deps.db, o.id);
  record(st, o.m.path, 'failed', 0, 'crashed', message);
  return ++st.stops <= MAX_STOPS;
}

async function prune(st: ReceiverState): Promise<string | null> {
  const { run, container } = st;
  if (st.current !== null) completeMessage(st);
  const own = await membersOf(st, container.path);
  const indexed = [...own].filter(([, k]) => k.status === 'indexed');
  const lost = indexed.filter(([p]) => !st.seen.has(p)).length;
  if (lost > indexed.length / 2) {
    return `${path.basename(container.path)} no longer shows ${lost} of the ${indexed.length} messages imported from it; they were kept, since the file may be cut short (still being copied, or damaged). If they were deleted on purpose, remove the mailbox from the collection and import it again.`;
  }
  for (const parent of st.reread) {
    for (const gone of await membersNotIn(run.deps.db, run.target.id, parent, st.seen)) {
      try {
        addRevisits(run, (await deleteDocument(run.deps.db, run.deps.vectors, gone.id)).revisit);
      } catch {
        continue; // deleted already, with a parent deleted before it
      }
      run.summary.removed++;
      run.emit({ type: 'file', path: gone.path, outcome: 'removed', chunks: 0 });
    }
  }
  // Copies skipped as duplicates that left the file are no longer "also in" it.
  await dropStaleAlsoIn(run.deps.db, run.target.id, container.path, [container.path, ...st.seen]);
  return null;
}

/** Counts a member's outcome into the summary (and its chunks into the job) and announces it. */
function recordMember(
  run: ImportRun,
  p: string,
  outcome: Outcome,
  chunks: number,
  reason?: string,
  message?: string,
): void {
  const { summary, counters } = run;
  if (outcome === 'failed') summary.failed.push({ path: p, reason: reason!, message: message! });
  else if (outcome === 'unchanged') summary.unchanged++;
  else if (outcome === 'duplicate') summary.duplicates++;
  else {
    summary[outcome]++;
    summary.chunks += chunks;
    counters.chunksTotal += chunks;
  }
  if (outcome === 'unchanged') return; // a changed mailbox would list every message it kept
  run.emit({
    type: 'file',
    path: p,
    outcome,
    chunks,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  });
}
