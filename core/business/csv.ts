/** CSV as RFC 4180 wants it: fields with a comma, quote or line break quoted, quotes doubled, CRLF rows. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  // A leading =, +, - or @ makes spreadsheets run the cell as a formula.
  if (/^[=+\-@]/u.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/u.test(s) || s !== s.trim() ? `"${s.replace(/"/gu, '""')}"` : s;
}

export function toCsv(headers: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  return [headers, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
