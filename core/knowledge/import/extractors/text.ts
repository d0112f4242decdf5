import type { Extractor } from '../types.ts';
import { decodeText } from '../text-decode.ts';

/** Plain text: one section, decoded with BOM/UTF-8/charset detection. */
export const extractText: Extractor = async ({ bytes }) => ({
  title: null,
  fileType: 'text',
  mime: 'text/plain',
  sections: [{ headingPath: [], text: decodeText(bytes).text, page: null }],
  pageCount: null,
  warnings: [],
});
