/**
 * The OCR language data the app ships: Tesseract's "best (integer)" LSTM models for English and
 * Indonesian, from the npm packages @tesseract.js-data/eng and @tesseract.js-data/ind (production
 * dependencies). Read from the app's own node_modules in every layout (source tree, build,
 * installed app, where electron-builder.yml unpacks them beside app.asar), never fetched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appFile } from '../../../base/app-files.ts';
import { unpackedAsarPath } from '../../../stores/vectors/asar-path.ts';
import type { LanguageData } from './tesseract-worker.ts';

/** Recognition tries them in this order: most of what is imported is English or Indonesian. */
export const OCR_LANGUAGES = ['eng', 'ind'] as const;

/** The folder of each package that holds the LSTM-only integer models (its `4.0.0` folder also carries legacy ones). */
const MODEL_FOLDER = '4.0.0_best_int';

/** Where `lang`'s shipped .traineddata.gz is. */
export function languageDataFile(lang: string): string {
  return unpackedAsarPath(
    appFile('node_modules', '@tesseract.js-data', lang, MODEL_FOLDER, `${lang}.traineddata.gz`),
  );
}

let cached: LanguageData[] | null = null;

/**
 * The shipped language data, read once per thread (about 4 MB, gzipped as shipped: Tesseract's
 * worker unpacks it with Node's zlib). A missing file means a broken install: the error says
 * which file and what to do.
 */
export function loadLanguageData(): LanguageData[] {
  if (cached) return cached;
  cached = OCR_LANGUAGES.map((code) => {
    const file = languageDataFile(code);
    try {
      return { code, data: fs.readFileSync(file) };
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'cannot be read';
      throw new Error(
        `the OCR language data for "${code}" ${why} (${path.normalize(file)}); reinstall Pustaka (or run npm install)`,
        { cause: err },
      );
    }
  });
  return cached;
}
