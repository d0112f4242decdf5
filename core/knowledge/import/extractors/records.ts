/**
 * Table rows → readable records, shared by CSV and XLSX. With a header row each row becomes
 * "Header: value; Header2: value" (empty cells left out); without one, "value; value".
 */
export function formatRecords(rows: string[][]): string {
  const cleaned = rows.map((row) => row.map((cell) => cell.replace(/\s+/g, ' ').trim()));
  const nonEmpty = cleaned.filter((row) => row.some((cell) => cell !== ''));
  const first = nonEmpty[0];
  if (!first) return '';
  const header = looksLikeHeader(first, nonEmpty.slice(1)) ? first : null;
  const body = header ? nonEmpty.slice(1) : nonEmpty;
  const lines: string[] = [];
  for (const row of body) {
    const fields: string[] = [];
    row.forEach((cell, i) => {
      if (cell === '') return;
      const label = header?.[i];
      fields.push(label ? `${label}: ${cell}` : cell);
    });
    lines.push(fields.join('; '));
  }
  if (header && body.length === 0) lines.push(header.filter(Boolean).join('; '));
  return lines.join('\n');
}

const NUMBERISH = /^[-+]?[\d.,\s%$€£¥]+$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}/;
const SAMPLE_ROWS = 200;

/**
 * Decides whether the first row labels the columns, in the spirit of Python's csv.Sniffer: labels
 * must be short, distinct and non-numeric; then each column votes — a numeric column under a text
 * label, or a fixed-width column under a label of another width, says "header"; a label that looks
 * like the values below it says "data". Two or more labels and no votes either way count as a header
 * (most tables have one, and a missed header loses more than a wrong one).
 */
export function looksLikeHeader(first: string[], rest: string[][]): boolean {
  const labels = first.filter((cell) => cell !== '');
  if (labels.length === 0 || rest.length === 0) return false;
  if (labels.some((label) => label.length > 60 || NUMBERISH.test(label))) return false;
  if (new Set(labels.map((label) => label.toLowerCase())).size !== labels.length) return false;
  const sample = rest.slice(0, SAMPLE_ROWS);
  let votes = 0;
  first.forEach((label, col) => {
    if (label === '') return;
    const values = sample.map((row) => row[col] ?? '').filter((value) => value !== '');
    if (values.length === 0) return;
    if (values.every((value) => NUMBERISH.test(value))) {
      votes += 1;
    } else if (values.length > 1 && values.every((value) => value.length === values[0]!.length)) {
      votes += label.length === values[0]!.length ? -1 : 1;
    }
  });
  return labels.length >= 2 ? votes >= 0 : votes > 0;
}
