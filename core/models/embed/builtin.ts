/**
 * The built-in embedder ('builtin:hashed-ngrams-v1', 384 dims): no weights, deterministic on every
 * platform, any script. Changing anything that alters its vectors means a new id (collections
 * record the id and are re-embedded when it changes); builtin.test.ts pins a checksum.
 *
 * 1. Normalise: NFKC, lower case, strip diacritics (NFD, drop combining accents and Arabic
 *    harakat/tatweel, NFC again), ß → ss. So "Résumé" and "resume" are the same word.
 * 2. Segment (classes from core/base/tokens.ts): a *word* is a run of letters/digits of any
 *    script; a run of CJK characters (no spaces in those scripts) is read as characters.
 * 3. Features, each with a kind weight: word unigrams (1.0), bigrams of neighbouring words (0.7),
 *    character 3-, 4- and 5-grams of each word with boundary markers ("<re", "res", …, "me>";
 *    0.25 each; not for pure numbers or words over 32 units), CJK character bigrams (1.0) and
 *    characters (0.4).
 * 4. Each distinct feature is hashed (FNV-1a over UTF-16 code units, murmur3 finaliser) to one of
 *    384 buckets; the hash's top bit chooses its sign so collisions cancel instead of piling up.
 *    Its value is kindWeight × (1 + ln tf) (sublinear term frequency).
 * 5. L2-normalise into a Float32Array.
 *
 * Empty input: a text with no words (only symbols) uses each symbol as a feature; a text with
 * nothing but whitespace embeds to a fixed unit vector (a single "empty" feature), so every output
 * is unit length and stores that normalise never divide by zero. All empty texts are therefore
 * identical to each other and about orthogonal to real text.
 *
 * Determinism: features are accumulated in first-seen order from typed arrays (no Map iteration,
 * no randomness); Math.log is V8's own fdlibm port, and the result is rounded to float32.
 */
import { BUILTIN_EMBEDDER } from './builtin-spec.ts';
import type { Embedder } from './types.ts';
import {
  CHAR_CJK,
  CHAR_DIGIT,
  CHAR_SPACE,
  CHAR_WORD,
  classAt,
  countTokens,
  lastChar,
} from '../../base/tokens.ts';

const DIM = BUILTIN_EMBEDDER.dim;

// Feature kinds: the seed makes equal strings of different kinds hash apart.
const K_WORD = 0;
const K_BIGRAM = 1;
const K_NGRAM = 2;
const K_CJK_BIGRAM = 3;
const K_CJK_CHAR = 4;
const K_SYMBOL = 5;
const KIND_WEIGHT = [1.0, 0.7, 0.25, 1.0, 0.4, 1.0];
const SEED = [0x811c9dc5, 0x2c9277b5, 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a];
const SEED_EMPTY = 0x510e527f;

const NGRAM_MIN = 3;
const NGRAM_MAX = 5;
const NGRAM_MAX_WORD = 32;
/** Boundary markers around a word for its character n-grams (control codes never in text). */
const BEGIN = 0x02;
const END = 0x03;

const FNV_PRIME = 0x01000193;

/** murmur3's 32-bit finaliser: spreads FNV's weak low bits over the whole word. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** FNV-1a over text[from, to), unfinalised. */
function fnv(text: string, from: number, to: number, seed: number): number {
  let h = seed;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** 1 + ln(tf) for small tf. */
const TF = new Float64Array(256);
for (let i = 1; i < TF.length; i++) TF[i] = 1 + Math.log(i);
const tfWeight = (tf: number) => (tf < TF.length ? TF[tf]! : 1 + Math.log(tf));

/** Open-addressing set of 32-bit feature hashes with counts, remembering first-seen order. */
class FeatureBag {
  private keys = new Int32Array(0);
  private counts = new Uint32Array(0);
  private kinds = new Uint8Array(0);
  private order = new Int32Array(0);
  private mask = 0;
  size = 0;

  constructor() {
    this.alloc(4096);
  }

  private alloc(capacity: number): void {
    this.keys = new Int32Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.order = new Int32Array(capacity >> 1);
    this.mask = capacity - 1;
  }

  add(hash: number, kind: number): void {
    const key = hash === 0 ? 1 : hash;
    const keys = this.keys;
    let i = key & this.mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) {
        this.counts[i]!++;
        return;
      }
      if (k === 0) break;
      i = (i + 1) & this.mask;
    }
    keys[i] = key;
    this.counts[i] = 1;
    this.kinds[i] = kind;
    this.order[this.size++] = i;
    if (this.size >= this.order.length) this.grow();
  }

  private grow(): void {
    const { keys, counts, kinds, order, size } = this;
    this.alloc(keys.length * 2);
    this.size = 0;
    for (let j = 0; j < size; j++) {
      const slot = order[j]!;
      this.add(keys[slot]!, kinds[slot]!);
      this.counts[this.order[j]!] = counts[slot]!;
    }
  }

  /** Adds every feature into `v` (signed unless `unsigned`), in first-seen order. */
  accumulate(v: Float64Array, unsigned: boolean): void {
    const { keys, counts, kinds, order } = this;
    for (let j = 0; j < this.size; j++) {
      const slot = order[j]!;
      const key = keys[slot]!;
      const w = KIND_WEIGHT[kinds[slot]!]! * tfWeight(counts[slot]!);
      const bucket = (key & 0x7fffffff) % DIM;
      v[bucket]! += key < 0 && !unsigned ? -w : w;
    }
  }

  clear(): void {
    const { keys, order } = this;
    for (let j = 0; j < this.size; j++) keys[order[j]!] = 0;
    this.size = 0;
  }
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Combining accents (and Arabic harakat/tatweel) removed after NFD. */
const isDiacritic = (c: number) =>
  (c >= 0x0300 && c <= 0x036f) ||
  (c >= 0x1ab0 && c <= 0x1aff) ||
  (c >= 0x1dc0 && c <= 0x1dff) ||
  (c >= 0x20d0 && c <= 0x20ff) ||
  (c >= 0xfe20 && c <= 0xfe2f) ||
  c === 0x0640 ||
  (c >= 0x064b && c <= 0x065f) ||
  c === 0x0670;

function stripDiacritics(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (isDiacritic(s.charCodeAt(i))) {
      out += s.slice(from, i);
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** Step 1 of the module comment: the text the features are taken from. */
export function normalizeForEmbedding(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return stripDiacritics(text.normalize('NFKC').toLowerCase().normalize('NFD'))
    .normalize('NFC')
    .replace(/ß/g, 'ss');
}

function addWordNgrams(bag: FeatureBag, t: string, from: number, to: number): void {
  // Padded word: BEGIN, t[from..to), END; position p in [0, len + 2).
  const len = to - from + 2;
  const seed = SEED[K_NGRAM]!;
  for (let p = 0; p + NGRAM_MIN <= len; p++) {
    let h = seed;
    const stop = Math.min(len, p + NGRAM_MAX);
    for (let q = p; q < stop; q++) {
      const c = q === 0 ? BEGIN : q === len - 1 ? END : t.charCodeAt(from + q - 1);
      h = Math.imul(h ^ c, FNV_PRIME);
      if (q - p + 1 >= NGRAM_MIN) bag.add(fmix(h), K_NGRAM);
    }
  }
}

/** Collects the features of normalised text `t` into `bag`. */
function extract(bag: FeatureBag, t: string): void {
  const n = t.length;
  let prevWord = 0; // finalised hash of the previous word, 0 at the start
  let i = 0;
  while (i < n) {
    const k = classAt(t, i);
    if (k === CHAR_WORD || k === CHAR_DIGIT) {
      let j = i + lastChar.width;
      let letters = k === CHAR_WORD;
      for (;;) {
        if (j >= n) break;
        const kj = classAt(t, j);
        if (kj !== CHAR_WORD && kj !== CHAR_DIGIT) break;
        if (kj === CHAR_WORD) letters = true;
        j += lastChar.width;
      }
      const word = fmix(fnv(t, i, j, SEED[K_WORD]!));
      bag.add(word, K_WORD);
      if (prevWord !== 0) bag.add(fmix(Math.imul(prevWord, 0x9e3779b1) ^ word ^ SEED[K_BIGRAM]!), K_BIGRAM);
      prevWord = word;
      if (letters && j - i <= NGRAM_MAX_WORD) addWordNgrams(bag, t, i, j);
      i = j;
    } else if (k === CHAR_CJK) {
      let prevStart = -1;
      let j = i;
      for (;;) {
        const w = lastChar.width;
        bag.add(fmix(fnv(t, j, j + w, SEED[K_CJK_CHAR]!)), K_CJK_CHAR);
        if (prevStart >= 0) bag.add(fmix(fnv(t, prevStart, j + w, SEED[K_CJK_BIGRAM]!)), K_CJK_BIGRAM);
        prevStart = j;
        j += w;
        if (j >= n || classAt(t, j) !== CHAR_CJK) break;
      }
      prevWord = 0;
      i = j;
    } else {
      i += lastChar.width;
    }
  }
}

function embedOne(bag: FeatureBag, text: string): Float32Array {
  const t = normalizeForEmbedding(text);
  bag.clear();
  extract(bag, t);
  if (bag.size === 0) {
    // No words: let the symbols speak ("%", "€", "→"); whitespace alone gets the empty feature.
    for (let i = 0; i < t.length; i++) {
      if (classAt(t, i) !== CHAR_SPACE)
        bag.add(fmix(fnv(t, i, i + lastChar.width, SEED[K_SYMBOL]!)), K_SYMBOL);
      i += lastChar.width - 1;
    }
  }
  const v = new Float64Array(DIM);
  if (bag.size === 0) {
    const h = fmix(SEED_EMPTY);
    v[(h & 0x7fffffff) % DIM] = 1;
  } else {
    bag.accumulate(v, false);
  }
  let sq = 0;
  for (let d = 0; d < DIM; d++) sq += v[d]! * v[d]!;
  if (sq === 0) {
    // Every feature cancelled out against another: use unsigned values instead.
    bag.accumulate(v, true);
    for (let d = 0; d < DIM; d++) sq += v[d]! * v[d]!;
  }
  const inv = 1 / Math.sqrt(sq);
  const out = new Float32Array(DIM);
  for (let d = 0; d < DIM; d++) out[d] = v[d]! * inv;
  return out;
}

export function createBuiltinEmbedder(): Embedder {
  const bag = new FeatureBag();
  return {
    id: BUILTIN_EMBEDDER.id,
    dim: DIM,
    batchSize: 64,
    countTokens,
    async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
      const out: Float32Array[] = [];
      for (const text of texts) {
        if (signal?.aborted) throw signal.reason;
        out.push(embedOne(bag, text));
      }
      return out;
    },
    async close(): Promise<void> {},
  };
}
