import type { AnswerPath } from '../../../core/contract/methods/ask.ts';

const LABELS: Record<AnswerPath, { label: string; title: string }> = {
  cache: { label: 'cache', title: 'The same question was answered before: served from the answer cache.' },
  golden: { label: 'golden', title: 'An approved golden answer.' },
  rag: { label: 'generated', title: 'Written by the local language model from the cited passages.' },
  extractive: { label: 'extractive', title: 'No language model: the most relevant passages, quoted.' },
};

/** Which path produced an answer, so the consultant knows how far to trust it. */
export function PathBadge({ path }: { path: AnswerPath }) {
  const { label, title } = LABELS[path];
  return (
    <span className={`badge path-${path}`} title={title} aria-label={`answer path: ${label}`}>
      {label}
    </span>
  );
}
