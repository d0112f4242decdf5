import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { extractFile } from '../extract.ts';
import { writeFixture } from '../../../../test/support/extractor-fixtures.ts';

async function makeWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const clients = wb.addWorksheet('Klien');
  clients.addRow(['Name', 'City', 'Revenue', 'Since']);
  clients.addRow(['PT Maju', 'Jakarta', 1500, new Date(Date.UTC(2021, 2, 1))]);
  clients.addRow(['CV Sentosa', null, 320.5, new Date(Date.UTC(2023, 10, 15, 9, 30))]);
  clients.addRow([]);
  clients.addRow([
    { richText: [{ text: 'Rich ' }, { text: 'text', font: { bold: true } }] },
    { text: 'link', hyperlink: 'https://example.com' },
    { formula: 'C2+C3', result: 1820.5 },
  ]);
  wb.addWorksheet('Empty');
  const notes = wb.addWorksheet('Catatan');
  notes.addRow(['Just a note']);
  notes.addRow(['Another note']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('XLSX files', () => {
  it('makes one section per non-empty sheet with header-aware records', async () => {
    const dir = tempDir();
    const out = await extractFile(writeFixture(dir, 'klien.xlsx', await makeWorkbook()));
    expect(out.fileType).toBe('xlsx');
    expect(out.title).toBe('klien');
    expect(out.sections).toEqual([
      {
        headingPath: ['Klien'],
        text: [
          'Name: PT Maju; City: Jakarta; Revenue: 1500; Since: 2021-03-01',
          'Name: CV Sentosa; Revenue: 320.5; Since: 2023-11-15 09:30',
          'Name: Rich text; City: link; Revenue: 1820.5',
        ].join('\n'),
        page: null,
      },
      { headingPath: ['Catatan'], text: 'Just a note\nAnother note', page: null },
    ]);
  });
});
