/**
 * A byte-level BPE vocabulary (GPT-2 / Llama 3 style) trained on a small built-in corpus, for the
 * tiny test models: 256 byte tokens (written with GPT-2's byte → printable-character mapping),
 * one token per learned merge, then the special tokens. llama.cpp reads it as
 * tokenizer.ggml.model = 'gpt2' with the 'llama-bpe' pre-tokenizer.
 */

/** GPT-2's bytes_to_unicode(): every byte gets a printable character (spaces become 'Ġ' …). */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const set = new Set(printable);
  const out: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = String.fromCodePoint(set.has(b) ? b : 256 + extra++);
  }
  return out;
}

/**
 * The Llama 3 pre-tokenizer split (llama.cpp's LLAMA_VOCAB_PRE_TYPE_LLAMA3), with the
 * case-insensitive contractions spelt out because Node 20's RegExp has no (?i:…) groups.
 */
export const LLAMA3_SPLIT =
  /'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

export function preTokenize(text: string): string[] {
  return text.match(LLAMA3_SPLIT) ?? [];
}

export interface BpeVocab {
  /** Byte tokens (ids 0–255, in byte order), then merged tokens. Special tokens are not included. */
  readonly tokens: string[];
  /** "left right" strings in rank order, as tokenizer.ggml.merges stores them. */
  readonly merges: string[];
}

/** A small English/Indonesian corpus in the assistant's domain (visas, tax, companies). */
export const TINY_CORPUS = `
The consultant answers questions about visas, permits, tax and company registration in Indonesia.
A foreign worker needs a work permit and a limited stay permit before starting work. The sponsor
company applies for the permit, and the immigration office issues the visa. The application needs
a passport valid for at least six months, a recent photograph, and a letter from the sponsor.
Tax residents report their worldwide income every year; the annual tax return is due in March.
A new company registers with the online system, receives a business identification number, and
opens a bank account. Keep copies of every document, and note the date when each one expires.
Questions and answers: What is the fee? How long does it take? Which documents are required?
The answer depends on the type of visa, the length of stay, and the purpose of the visit.

Konsultan menjawab pertanyaan tentang visa, izin tinggal, pajak, dan pendirian perusahaan di
Indonesia. Pekerja asing memerlukan izin kerja dan izin tinggal terbatas sebelum mulai bekerja.
Perusahaan sponsor mengajukan permohonan izin, dan kantor imigrasi menerbitkan visa. Permohonan
memerlukan paspor yang berlaku paling sedikit enam bulan, pas foto terbaru, dan surat dari sponsor.
Wajib pajak dalam negeri melaporkan penghasilan setiap tahun; surat pemberitahuan tahunan paling
lambat bulan Maret. Perusahaan baru mendaftar melalui sistem daring, menerima nomor induk berusaha,
dan membuka rekening bank. Simpan salinan setiap dokumen, dan catat tanggal berakhirnya.
Pertanyaan dan jawaban: Berapa biayanya? Berapa lama prosesnya? Dokumen apa saja yang diperlukan?
Jawabannya tergantung pada jenis visa, lama tinggal, dan tujuan kunjungan.
Numbers: 2024, 2025, 100, 250, 1000. Dates: 1 January, 31 March, 30 June. Rp 1.000.000, USD 50.
`;

/**
 * Learns up to `maxMerges` merges from `corpus` (most frequent adjacent pair first, ties broken by
 * the pair's text so the result is deterministic; pairs seen once are merged last).
 */
export function trainBpe(corpus: string = TINY_CORPUS, maxMerges = 400): BpeVocab {
  const byteChar = bytesToUnicode();
  const enc = new TextEncoder();
  const wordCounts = new Map<string, number>();
  for (const piece of preTokenize(corpus)) {
    const mapped = Array.from(enc.encode(piece), (b) => byteChar[b]!).join('\u0000');
    wordCounts.set(mapped, (wordCounts.get(mapped) ?? 0) + 1);
  }
  const words = [...wordCounts].map(([w, count]) => ({ symbols: w.split('\u0000'), count }));

  const tokens = [...byteChar];
  const known = new Set(tokens);
  const merges: string[] = [];
  for (let m = 0; m < maxMerges; m++) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + ' ' + symbols[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, count] of pairs) {
      if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === undefined) break;
    const space = best.indexOf(' ');
    const left = best.slice(0, space);
    const right = best.slice(space + 1);
    const merged = left + right;
    merges.push(best);
    if (!known.has(merged)) {
      known.add(merged);
      tokens.push(merged);
    }
    for (const w of words) {
      const s = w.symbols;
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          out.push(merged);
          i++;
        } else {
          out.push(s[i]!);
        }
      }
      w.symbols = out;
    }
  }
  return { tokens, merges };
}
