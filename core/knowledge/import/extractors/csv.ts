import { parse } from 'csv-parse/sync';
import type { Extractor } from '../types.ts';
import { decodeText } from '../text-decode.ts';
import { formatRecords } from './records.ts';

const CANDIDATES = [',', ';', '\t', '|'];
/** Used when no delimiter is consistent: a character that never occurs, so each line is one field. */
const NO_DELIMITER = '\u0001';

/** CSV/TSV: delimiter sniffed (`,` `;` tab `|`), rows as header-aware records (see records.ts). */
export const extractCsv: Extractor = async ({ path: file, bytes }) => {
  const { text } = decodeText(bytes);
  const delimiter = /\.tsv$/i.test(file) ? '\t' : sniffDelimiter(text);
  const rows: string[][] = parse(text, {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    bom: true,
  });
  return {
    title: null,
    fileType: 'csv',
    mime: 'text/csv',
    sections: [{ headingPath: [], text: formatRecords(rows), page: null }],
    pageCount: null,
    warnings: [],
  };
};

/**
 * The candidate that splits the first lines into the same number of fields most consistently
 * (quoted text ignored); NO_DELIMITER when none does for at least half of the lines.
 */
export function sniffDelimiter(text: string): string {
  const lines = text
    .slice(0, 64 * 1024)
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, 50);
  if (lines.length > 1 && text.length > 64 * 1024) lines.pop(); // may be cut short
  let best = { delimiter: NO_DELIMITER, consistency: 0, fields: 0 };
  for (const delimiter of CANDIDATES) {
    const counts = lines.map((line) => countOutsideQuotes(line, delimiter));
    const frequency = new Map<number, number>();
    for (const count of counts) if (count > 0) frequency.set(count, (frequency.get(count) ?? 0) + 1);
    for (const [fields, lineCount] of frequency) {
      const consistency = lineCount / lines.length;
      if (
        consistency >= 0.5 &&
        (consistency > best.consistency || (consistency === best.consistency && fields > best.fields))
      ) {
        best = { delimiter, consistency, fields };
      }
    }
  }
  return best.delimiter;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) count++;
  }
  return count;
}
