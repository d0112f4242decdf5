import type { IndexRebuild } from '../contract/methods/search.ts';

/** "3 of 10 documents" */
export function rebuildProgress(r: IndexRebuild): string {
  return `${r.documentsDone} of ${r.documentsTotal} document${r.documentsTotal === 1 ? '' : 's'} done`;
}

/**
 * The warning status, search and ask print (stderr) while the search index is being rebuilt: how
 * far it is, that results are incomplete, and how to finish it when nothing runs it now (a CLI
 * command does not wait for a rebuild: it would hold the data folder for minutes).
 */
export function renderRebuildWarning(r: IndexRebuild): string {
  const lines = [
    `pustaka: warning: the search index is being rebuilt: ${rebuildProgress(r)}; results are incomplete.`,
  ];
  if (!r.running)
    lines.push(
      '  Run `pustaka import --resume` to finish it now (the app and `pustaka serve` rebuild it by themselves).',
    );
  if (r.setAside) lines.push(`  The damaged file was kept as ${r.setAside}.`);
  return `${lines.join('\n')}\n`;
}
