// Two forms of each test query:
//
// - exact: the section title itself. It occurs verbatim in the page (and in the chunk's heading
//   path), so BM25 is at its best.
// - reworded: what a user might type instead, made by fixed rules (no randomness, no model): stop
//   words dropped, every other word put in another inflection of itself (plural ↔ singular,
//   -ing ↔ -ed, Indonesian affixes meN-/di-/ber-/-kan/-an/-nya removed or -nya added), the word
//   order reversed. FTS5 does no stemming, so BM25 matches a reworded word only where the page
//   happens to use that form too; the embedder's character n-grams still share the stem. The
//   rules are crude on purpose (some outputs are not real words, as with a user's typos).
const EN_STOP = new Set(
  `a an the and or of to in on for with by from at as is are be into over under using use how what
   when why your you it its this that these those about via not no can could would should may
   be been has have do does all every which`.split(/\s+/),
);
const ID_STOP = new Set(
  `yang dan di ke dari untuk dengan pada dalam atau ini itu sebagai adalah oleh secara tidak akan
   juga bagi sebuah suatu para lebih antara tentang melalui serta`.split(/\s+/),
);

const WORD = /[\p{L}\p{N}_]+/gu;

function inflectEnglish(w: string): string {
  if (w.length <= 3 || /[^a-z]/.test(w)) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ing') && w.length > 5) return `${w.slice(0, -3)}ed`;
  if (w.endsWith('ed') && w.length > 4) return `${w.slice(0, -2)}ing`;
  if (w.endsWith('s') && !w.endsWith('ss') && w.length > 4) return w.slice(0, -1);
  if (w.endsWith('y')) return `${w.slice(0, -1)}ies`;
  return `${w}s`;
}

const VOWEL = /^[aeiou]/;

function inflectIndonesian(w: string): string {
  if (w.length <= 4 || /[^a-z]/.test(w)) return w;
  // The meN- prefix drops or merges the stem's first sound: menyiapkan → siapkan, memakai → pakai.
  const meN: [string, string][] = [
    ['meny', 's'],
    ['meng', ''],
    ['mem', VOWEL.test(w.slice(3)) ? 'p' : ''],
    ['men', VOWEL.test(w.slice(3)) ? 't' : ''],
    ['me', ''],
    ['di', ''],
    ['ber', ''],
  ];
  for (const [prefix, sound] of meN) {
    if (w.startsWith(prefix) && w.length - prefix.length >= 4) return sound + w.slice(prefix.length);
  }
  for (const suffix of ['kan', 'nya', 'an']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 4) return w.slice(0, -suffix.length);
  }
  return `${w}nya`;
}

export function reword(title: string, language: 'en' | 'id'): string {
  const stop = language === 'id' ? ID_STOP : EN_STOP;
  const inflect = language === 'id' ? inflectIndonesian : inflectEnglish;
  const words = (title.toLowerCase().match(WORD) ?? []).filter((w) => !stop.has(w));
  return words.map(inflect).reverse().join(' ');
}
