import type { Extractor } from '../types.ts';
import { decodeText } from '../text-decode.ts';

/**
 * JSON and JSON Lines as readable "path.to.key: value" lines (arrays as `items[0].name`); JSONL
 * records are numbered by line. Invalid JSON is kept as plain text with a warning.
 */
export const extractJson: Extractor = async ({ path: file, bytes }) => {
  const { text } = decodeText(bytes);
  const jsonLines = /\.(jsonl|ndjson)$/i.test(file);
  const warnings: string[] = [];
  let body: string;
  try {
    body = jsonLines ? flattenJsonLines(text) : flattenJson(JSON.parse(text));
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message}` : '';
    warnings.push(`not valid JSON${detail}; indexed as plain text`);
    body = text;
  }
  return {
    title: null,
    fileType: 'json',
    mime: 'application/json',
    sections: [{ headingPath: [], text: body, page: null }],
    pageCount: null,
    warnings,
  };
};

export function flattenJson(value: unknown, prefix = ''): string {
  const lines: string[] = [];
  walk(value, prefix, lines);
  return lines.join('\n');
}

function flattenJsonLines(text: string): string {
  const out: string[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      out.push(flattenJson(JSON.parse(line), `[${lineNo}]`));
    } catch (err) {
      throw new SyntaxError(`line ${lineNo}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out.join('\n\n');
}

function walk(value: unknown, path: string, lines: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) lines.push(`${path || '(root)'}: []`);
    value.forEach((item, i) => walk(item, `${path}[${i}]`, lines));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) lines.push(`${path || '(root)'}: {}`);
    for (const [key, item] of entries) {
      const name = /^[\p{L}\p{N}_$-]+$/u.test(key) ? key : JSON.stringify(key);
      walk(item, path ? `${path}.${name}` : name, lines);
    }
  } else {
    lines.push(`${path || '(root)'}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
}
