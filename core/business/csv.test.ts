import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv.ts';

describe('CSV', () => {
  it('quotes what needs quoting and round-trips through a real CSV parser', () => {
    const rows = [
      [1, 'PT Maju Jaya, Tbk', 'said "hello"', 'two\nlines', null, true],
      [2, ' padded ', '=SUM(A1)', '', 3.5, false],
    ];
    const csv = toCsv(['id', 'a', 'b', 'c', 'd', 'e'], rows);
    expect(csv.endsWith('\r\n')).toBe(true);
    const back = parse(csv, { columns: true }) as Record<string, string>[];
    expect(back).toEqual([
      { id: '1', a: 'PT Maju Jaya, Tbk', b: 'said "hello"', c: 'two\nlines', d: '', e: 'true' },
      { id: '2', a: ' padded ', b: "'=SUM(A1)", c: '', d: '3.5', e: 'false' },
    ]);
    expect(csvField(-5)).toBe('-5');
  });
});
