import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { extractFile } from '../extract.ts';
import { sniffDelimiter } from './csv.ts';
import { formatRecords, looksLikeHeader } from './records.ts';
import { writeFixture } from '../../../../test/support/extractor-fixtures.ts';

describe('sniffDelimiter', () => {
  it.each([
    ['comma', 'name,city,note\nAni,Jakarta,"a; b"\nBudi,Bandung,"c; d; e"\n', ','],
    ['semicolon with decimal commas', 'Produk;Harga\nTeh;1,50\nKopi;2,75\n', ';'],
    ['semicolon with a quoted comma', 'Nama;Kota\n"Budi, Jr";Bandung\nAni;Jakarta\n', ';'],
    ['tab', 'a\tb\tc\n1\t2,5\t3\n4\t5,1\t6\n', '\t'],
    ['pipe', 'id|label\n1|one\n2|two\n', '|'],
  ])('%s', (_name, text, expected) => {
    expect(sniffDelimiter(text)).toBe(expected);
  });

  it('treats text with no consistent delimiter as one column', () => {
    expect(sniffDelimiter('just one column\nline two, with comma\nline three\n')).toBe('\u0001');
  });
});

describe('formatRecords', () => {
  it('labels values with a detected header and skips empty cells', () => {
    expect(
      formatRecords([
        ['Produk', 'Harga', 'Stok'],
        ['Teh', '1,50', ''],
        ['', '', ''],
        ['Kopi', '2,75', '10'],
      ]),
    ).toBe('Produk: Teh; Harga: 1,50\nProduk: Kopi; Harga: 2,75; Stok: 10');
  });

  it('does not take a data row for a header', () => {
    expect(looksLikeHeader(['2024-01-01', '100'], [['2024-01-02', '200']])).toBe(false);
    expect(
      looksLikeHeader(
        ['A1', 'B2'],
        [
          ['C3', 'D4'],
          ['E5', 'F6'],
        ],
      ),
    ).toBe(false); // same fixed width as the data
    expect(looksLikeHeader(['Kode', 'Nilai'], [['A1', '5']])).toBe(true);
    expect(looksLikeHeader(['x', 'x'], [['1', '2']])).toBe(false); // labels must be distinct
    expect(
      formatRecords([
        ['10', '20'],
        ['30', '40'],
      ]),
    ).toBe('10; 20\n30; 40');
  });
});

describe('CSV files', () => {
  it('extracts a semicolon CSV written by a European Excel (Windows-1252)', async () => {
    const dir = tempDir();
    const csv = 'Nama;Kota;Catatan\r\nAndré;Jakarta;"baris\r\nkedua"\r\nBudi;Bandung;\r\n';
    const out = await extractFile(writeFixture(dir, 'klien.csv', iconv.encode(csv, 'windows-1252')));
    expect(out).toMatchObject({ fileType: 'csv', mime: 'text/csv', title: 'klien' });
    expect(out.sections).toEqual([
      {
        headingPath: [],
        text: 'Nama: André; Kota: Jakarta; Catatan: baris kedua\nNama: Budi; Kota: Bandung',
        page: null,
      },
    ]);
  });

  it('reads .tsv as tab-separated', async () => {
    const dir = tempDir();
    const out = await extractFile(writeFixture(dir, 'data.tsv', 'kode\tnilai\nA;1\t5\n'));
    expect(out.sections[0]?.text).toBe('kode: A;1; nilai: 5');
  });
});
