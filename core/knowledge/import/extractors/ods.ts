import type { ExtractedSection, Extractor } from '../types.ts';
import { openOdf } from './odf-package.ts';
import { ODF_SKIPPED, odfInlineText, stylesWhere } from './odf-text.ts';
import { walkOfficeXml } from './office-xml.ts';
import { formatRecords } from './records.ts';

/**
 * Repeated rows and columns are how OpenDocument stores runs of equal cells, and how a formatted
 * but empty sheet tail reaches row 1,048,576: empty runs cost nothing, a run with content is
 * spelt out up to this many times (a few bytes must not become millions of records).
 */
const MAX_REPEAT = 1000;
/**
 * Row and column repeats multiply (1,000 rows of 1,000 cells): a sheet stops at this many cells,
 * as a spreadsheet grid this size is already more than anyone reads as text.
 */
const MAX_CELLS = 1_000_000;

/**
 * ODS: one section per sheet with text, heading path [sheet name], its rows as records (as for
 * XLSX and CSV, see records.ts). Cells read as shown (their text paragraphs), so dates, currency
 * and percentages come out as formatted. Hidden sheets are left out, with a warning. The ZIP has
 * passed the zip guard.
 */
export const extractOds: Extractor = async ({ path: file, bytes, signal }) => {
  const pkg = await openOdf(file, bytes, 'spreadsheet');
  const hiddenStyles = stylesWhere(
    [pkg.content, pkg.styles],
    'table',
    (name, attrs) => name === 'style:table-properties' && attrs['table:display'] === 'false',
  );
  const sheets = readSheets(pkg.content, hiddenStyles);
  const sections: ExtractedSection[] = [];
  const hidden: string[] = [];
  for (const sheet of sheets) {
    signal.throwIfAborted();
    const text = formatRecords(sheet.rows);
    if (!text) continue;
    if (sheet.hidden) hidden.push(sheet.name);
    else sections.push({ headingPath: [sheet.name], text, page: null });
  }
  const warnings = [];
  if (hidden.length > 0) warnings.push(`hidden sheets left out: ${hidden.join(', ')}`);
  if (sheets.some((sheet) => sheet.cut))
    warnings.push(`cell runs repeated more than ${MAX_REPEAT} times were cut`);
  const full = sheets.filter((sheet) => sheet.full).map((sheet) => sheet.name);
  if (full.length > 0)
    warnings.push(`sheets cut at ${MAX_CELLS.toLocaleString('en')} cells: ${full.join(', ')}`);
  return {
    title: pkg.properties.title,
    author: pkg.properties.author,
    fileType: 'ods',
    mime: 'application/vnd.oasis.opendocument.spreadsheet',
    sections,
    pageCount: null,
    warnings,
  };
};

interface Sheet {
  name: string;
  hidden: boolean;
  rows: string[][];
  cut: boolean;
  /** Cells in `rows` so far; at MAX_CELLS the sheet is `full` and the rest is left out. */
  cells: number;
  full: boolean;
}

const repeat = (attrs: Record<string, string>, key: string) =>
  Math.max(1, Math.floor(Number(attrs[key] ?? 1)) || 1);

function readSheets(content: string, hiddenStyles: Set<string>): Sheet[] {
  const sheets: Sheet[] = [];
  let sheet: Sheet | null = null;
  let skipDepth = 0;
  let row: string[] | null = null;
  let rowRepeat = 1;
  let cell: { parts: string[]; repeat: number } | null = null;
  let paragraph: string | null = null;
  /** Cells at the end of a row stay pending until a cell with content follows them. */
  let pendingEmpty = 0;
  /** Tables inside a cell (sub-tables) are read as part of it. */
  let nested = 0;
  walkOfficeXml(content, {
    open(name, attrs) {
      if (skipDepth > 0 || ODF_SKIPPED.has(name) || name === 'table:shapes') {
        skipDepth++;
        return;
      }
      if (name === 'table:table' && !sheet) {
        const hidden = hiddenStyles.has(attrs['table:style-name'] ?? '');
        sheet = {
          name: attrs['table:name'] ?? `Sheet${sheets.length + 1}`,
          hidden,
          rows: [],
          cut: false,
          cells: 0,
          full: false,
        };
      } else if (!sheet) {
        return;
      } else if (name === 'table:table') {
        nested++;
      } else if (nested > 0) {
        if (name === 'text:p' && cell) paragraph = '';
      } else if (name === 'table:table-row') {
        row = [];
        rowRepeat = repeat(attrs, 'table:number-rows-repeated');
        pendingEmpty = 0;
      } else if ((name === 'table:table-cell' || name === 'table:covered-table-cell') && row) {
        cell = { parts: [], repeat: repeat(attrs, 'table:number-columns-repeated') };
      } else if (name === 'text:p' && cell) {
        paragraph = '';
      } else if (paragraph !== null) {
        paragraph += odfInlineText(name, attrs) ?? '';
      }
    },
    text(data) {
      if (skipDepth === 0 && paragraph !== null) paragraph += data;
    },
    close(name) {
      if (skipDepth > 0) {
        skipDepth--;
        return;
      }
      if (!sheet) return;
      if (name === 'table:table' && nested > 0) nested--;
      else if (name === 'text:p' && cell && paragraph !== null) {
        cell.parts.push(paragraph);
        paragraph = null;
      } else if (nested > 0) {
        return;
      } else if ((name === 'table:table-cell' || name === 'table:covered-table-cell') && cell && row) {
        const text = cell.parts.join(' ').trim();
        if (text === '') {
          pendingEmpty += cell.repeat;
        } else {
          const empties = Math.min(pendingEmpty, MAX_REPEAT);
          pendingEmpty = 0;
          if (cell.repeat > MAX_REPEAT) sheet.cut = true;
          const room = MAX_CELLS - sheet.cells - row.length;
          const copies = Math.min(cell.repeat, MAX_REPEAT, Math.max(0, room - empties));
          if (empties + copies > room || copies < Math.min(cell.repeat, MAX_REPEAT)) sheet.full = true;
          if (copies > 0) {
            row.push(...new Array<string>(empties).fill(''));
            row.push(...new Array<string>(copies).fill(text));
          }
        }
        cell = null;
      } else if (name === 'table:table-row' && row) {
        if (row.length > 0) {
          if (rowRepeat > MAX_REPEAT) sheet.cut = true;
          const fit = Math.floor((MAX_CELLS - sheet.cells) / row.length);
          if (fit < Math.min(rowRepeat, MAX_REPEAT)) sheet.full = true;
          const copies = Math.min(rowRepeat, MAX_REPEAT, fit);
          for (let i = 0; i < copies; i++) sheet.rows.push(row);
          sheet.cells += copies * row.length;
        }
        row = null;
      } else if (name === 'table:table') {
        sheets.push(sheet);
        sheet = null;
      }
    },
  });
  return sheets;
}
