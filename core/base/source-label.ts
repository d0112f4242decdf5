import path from 'node:path';

/** Where a passage comes from, as the prompt and the CLI name it. */
export interface SourceRef {
  title: string | null;
  sourcePath: string;
  headingPath: readonly string[];
}

/** "Title › heading › sub-heading", without repeating a first heading equal to the title. */
export function sourceLabel(p: SourceRef): string {
  const title = p.title ?? path.basename(p.sourcePath);
  const headings = p.headingPath[0] === title ? p.headingPath.slice(1) : p.headingPath;
  return [title, ...headings].join(' › ');
}
