import ExcelJS from 'exceljs';
import type { CellValue } from 'exceljs';
import type { ExtractedSection, Extractor } from '../types.ts';
import { formatRecords } from './records.ts';

/** XLSX (exceljs): one section per non-empty sheet, heading path [sheet name], rows as records. */
export const extractXlsx: Extractor = async ({ bytes, signal }) => {
  const workbook = new ExcelJS.Workbook();
  // exceljs types its input as an ArrayBuffer-like "Buffer"; at run time it takes Node's Buffer.
  const input = bytes as unknown as Parameters<typeof workbook.xlsx.load>[0];
  await workbook.xlsx.load(input, { ignoreNodes: ['dataValidations', 'conditionalFormatting', 'extLst'] });
  const sections: ExtractedSection[] = [];
  for (const sheet of workbook.worksheets) {
    signal.throwIfAborted();
    const rows: string[][] = [];
    sheet.eachRow({ includeEmpty: false }, (row) => {
      const cells: string[] = [];
      const values = Array.isArray(row.values) ? (row.values as CellValue[]) : [];
      for (let col = 1; col < values.length; col++) cells.push(cellText(values[col]));
      rows.push(cells);
    });
    const text = formatRecords(rows);
    if (text) sections.push({ headingPath: [sheet.name], text, page: null });
  }
  return {
    title: workbook.title || null,
    fileType: 'xlsx',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    sections,
    pageCount: null,
    warnings: [],
  };
};

export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return formatDate(value);
  if (typeof value !== 'object') return String(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text);
  if ('result' in value) return cellText(value.result);
  if ('error' in value) return value.error;
  return '';
}

/** Dates as ISO: "2024-03-01", or "2024-03-01 14:30" when there is a time of day. */
function formatDate(date: Date): string {
  const iso = date.toISOString();
  const time = iso.slice(11, 16);
  return time === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
}
