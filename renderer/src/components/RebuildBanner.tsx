import type { IndexRebuild } from '../../../core/contract/methods/search.ts';
import { ProgressBar } from './ProgressBar.tsx';

/**
 * While the search index is rebuilt from the source files (it was found damaged or missing):
 * how far it is, and that search results and answers are incomplete until then.
 */
export function RebuildBanner({ rebuilding }: { rebuilding: IndexRebuild | null | undefined }) {
  if (!rebuilding) return null;
  const { documentsDone: done, documentsTotal: total } = rebuilding;
  return (
    <div className="rebuild-banner" role="status">
      <p>
        <strong>
          The search index is being rebuilt: {done} of {total} documents done.
        </strong>{' '}
        Results and answers are incomplete until it finishes.
        {rebuilding.running ? null : ' It is not running now: restart Pustaka to continue it.'}
      </p>
      <ProgressBar label="Search index rebuilt" done={done} total={total} />
    </div>
  );
}
