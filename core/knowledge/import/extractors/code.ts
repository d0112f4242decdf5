import path from 'node:path';
import type { ExtractedSection, Extractor } from '../types.ts';
import { decodeText } from '../text-decode.ts';

/** A top-level (unindented) definition line in the common languages. */
const DEFINITION =
  /^(?:export\s+)?(?:default\s+)?(?:pub(?:\([\w:]+\))?\s+)?(?:public\s+|private\s+|protected\s+|internal\s+|static\s+|abstract\s+|final\s+|async\s+|unsafe\s+)*(?:function\*?|class|interface|enum|struct|trait|impl|def|fn|func|module|namespace|type|object|CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW|FUNCTION|PROCEDURE|INDEX|TRIGGER))\b/i;
/** Sections shorter than this many lines are merged into the next one. */
const MIN_LINES = 12;

/**
 * Source code: the file as text, cut at top-level definitions (function/class/def/fn/… at column
 * 0) into sections of at least MIN_LINES lines. The heading path is [file name] plus the first
 * definition line of the section, so a citation says where in the file it points.
 */
export const extractCode: Extractor = async ({ path: file, bytes }) => ({
  title: null,
  fileType: 'code',
  mime: 'text/plain',
  sections: codeSections(path.basename(file), decodeText(bytes).text),
  pageCount: null,
  warnings: [],
});

/** Above this size a file is one section: splitting millions of lines is not worth the memory. */
const MAX_SPLIT_CHARS = 8 * 1024 * 1024;

export function codeSections(fileName: string, source: string): ExtractedSection[] {
  if (source.length > MAX_SPLIT_CHARS) return [{ headingPath: [fileName], text: source, page: null }];
  const lines = source.split('\n');
  const sections: ExtractedSection[] = [];
  let start = 0;
  let label: string | null = null;
  const flush = (end: number) => {
    if (end <= start) return;
    const headingPath = label ? [fileName, label] : [fileName];
    sections.push({ headingPath, text: lines.slice(start, end).join('\n'), page: null });
    start = end;
  };
  lines.forEach((line, i) => {
    if (!DEFINITION.test(line)) return;
    const signature = line.replace(/\s*[{:]?\s*$/, '').slice(0, 80);
    if (i - start >= MIN_LINES) {
      flush(i);
      label = signature;
    } else if (label === null && lines.slice(start, i).every((l) => isPreamble(l))) {
      // Imports and comments above the first definition belong with it.
      label = signature;
    }
  });
  flush(lines.length);
  return sections;
}

function isPreamble(line: string): boolean {
  return /^\s*$|^\s*(?:\/\/|#|\/\*|\*|--|import\b|from\b|use\b|using\b|package\b|require\b|#include\b)/.test(
    line,
  );
}
