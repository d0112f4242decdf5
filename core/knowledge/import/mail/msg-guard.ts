import { Reader } from '@kenjiuno/msgreader/lib/Reader.js';

/**
 * Bounds for @kenjiuno/msgreader on damaged .msg files. An Outlook message is a compound file
 * (CFB): streams are chains of blocks linked through allocation tables, and entries a tree. The
 * reader follows those links trusting them, so a damaged file with a loop in a chain or in the
 * tree makes it gather block numbers without end, until V8 gives up on the array with a fatal
 * error that ends the whole process (no exception to catch; found by test/fuzz/parsers.test.ts).
 * Here its steps are bounded instead: header counts no larger than the file, at most a few
 * steps through the chains per block the file has, an entry tree walked without revisiting an
 * entry, streams no longer than the file. Past a bound the reading stops with an error that says
 * the file is damaged. The patches apply to the reader's prototype once, in the worker that reads
 * .msg files; reading is synchronous, so one budget at a time is enough.
 */

const NO_INDEX = -1;
const DIRECTORY = 1;

interface ReaderInternals {
  ds: { byteLength: number };
  bigBlockSize: number;
  batCount: number;
  sbatCount: number;
  xbatCount: number;
  createPropertyHierarchy(props: Entry[], node: Entry | undefined): void;
}

interface Entry {
  type: number;
  previousProperty: number;
  nextProperty: number;
  childProperty: number;
  sizeBlock: number;
  children?: number[];
}

export class DamagedMsgError extends Error {}

let budget = Infinity;
let patched = false;

function damaged(why: string): DamagedMsgError {
  return new DamagedMsgError(`its structure is damaged (${why})`);
}

function patch(): void {
  if (patched) return;
  patched = true;
  const proto = Reader.prototype as unknown as Record<
    string,
    (this: ReaderInternals, ...args: never[]) => unknown
  >;
  const headerData = proto.headerData!;
  proto.headerData = function (this: ReaderInternals) {
    headerData.call(this);
    const blocks = Math.ceil(this.ds.byteLength / this.bigBlockSize);
    for (const [name, count] of [
      ['allocation table', this.batCount],
      ['small-block table', this.sbatCount],
      ['extra table', this.xbatCount],
    ] as const) {
      if (!(count >= 0 && count <= blocks))
        throw damaged(`its header counts ${count} ${name} blocks in a file of ${blocks}`);
    }
  };
  const nextBlock = proto.getNextBlockInner!;
  proto.getNextBlockInner = function (this: ReaderInternals, ...args: never[]) {
    if (--budget < 0) throw damaged('a loop in its block chains');
    return nextBlock.apply(this, args);
  };
  const readProperty = proto.readProperty!;
  proto.readProperty = function (this: ReaderInternals, ...args: never[]) {
    const entry = args[0] as unknown as Entry;
    if (!(entry.sizeBlock >= 0 && entry.sizeBlock <= this.ds.byteLength))
      throw damaged(`a stream of ${entry.sizeBlock} bytes in a file of ${this.ds.byteLength}`);
    return readProperty.apply(this, args);
  };
  proto.createPropertyHierarchy = function (this: ReaderInternals, ...args: never[]) {
    entryTree(this, args[0] as unknown as Entry[], args[1] as unknown as Entry | undefined, new Set());
  };
}

/**
 * The reader's own walk of the entry tree (each directory's children in order: left subtree,
 * the entry, right subtree), refusing to visit an entry twice.
 */
function entryTree(
  reader: ReaderInternals,
  props: Entry[],
  node: Entry | undefined,
  seen: Set<number>,
): void {
  if (!node || node.childProperty === NO_INDEX) return;
  node.children = [];
  const stack: { push: boolean; index: number }[] = [{ push: false, index: node.childProperty }];
  while (stack.length) {
    const { push, index } = stack.pop()!;
    const entry = props[index];
    if (!entry) throw damaged(`an entry points to entry ${index}, which does not exist`);
    if (push) {
      node.children.push(index);
      continue;
    }
    if (seen.has(index)) throw damaged('a loop in its entry tree');
    seen.add(index);
    if (entry.type === DIRECTORY) entryTree(reader, props, entry, seen);
    if (entry.nextProperty !== NO_INDEX) stack.push({ push: false, index: entry.nextProperty });
    stack.push({ push: true, index });
    if (entry.previousProperty !== NO_INDEX) stack.push({ push: false, index: entry.previousProperty });
  }
}

/** Runs `read` (msgreader on `bytes`) within the bounds above. */
export function guardedMsgRead<T>(bytes: Buffer, read: () => T): T {
  patch();
  // A chain step per small block several times over (each stream is read once or twice).
  budget = 8 * Math.ceil(bytes.length / 64) + 10_000;
  try {
    return read();
  } finally {
    budget = Infinity;
  }
}
