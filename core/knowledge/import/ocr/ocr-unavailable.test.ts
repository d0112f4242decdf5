// OCR that cannot run at all (its language data missing: a broken install) is not a page's
// failure: a picture fails with a reason of its own ('ocr_unavailable', saying what is missing
// and what to do), and a PDF keeps the pages its text layer gives, noting the scanned ones unread
// (so an import after the install is mended reads them). The language data's loader is replaced
// here by one that finds the file missing, as loadLanguageData reports it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { extractFile } from '../extract.ts';
import { stopOcrEngine } from './ocr-engine.ts';

vi.mock('./ocr-data.ts', () => ({
  loadLanguageData: () => {
    throw new Error(
      'the OCR language data for "eng" is missing (/opt/pustaka/eng.traineddata.gz); reinstall Pustaka (or run npm install)',
    );
  },
}));

const SCANS = path.resolve(import.meta.dirname, '../../../../.fixtures/scans');
const present = ['mixed-en.pdf', 'en-150-p1.png'].every((f) => fs.existsSync(path.join(SCANS, f)));
const MISSING =
  'OCR is not available: the OCR language data for "eng" is missing (/opt/pustaka/eng.traineddata.gz); reinstall Pustaka (or run npm install)';

describe.skipIf(!present)('OCR unavailable (language data missing)', () => {
  afterAll(() => stopOcrEngine());

  it('a picture fails saying OCR is not available and why', async () => {
    await expect(extractFile(path.join(SCANS, 'en-150-p1.png'))).rejects.toMatchObject({
      reason: 'ocr_unavailable',
      message: `en-150-p1.png is a picture, and ${MISSING}`,
    });
  });

  it('a mixed PDF keeps its text page; the scanned page is noted unread', async () => {
    const doc = await extractFile(path.join(SCANS, 'mixed-en.pdf'));
    expect(doc.sections.map((s) => s.page)).toEqual([1]);
    expect(doc.ocrUnread).toEqual([2]);
    expect(doc.warnings).toContain(`${MISSING}: page 2 not read`);
  });
});
