import type { CitationInfo } from '../../../../core/contract/methods/ask.ts';
import { useOpenPassage } from '../../components/passage-context.tsx';

/** Answer text with its `[n]` markers turned into links to the cited passage. */
export function AnswerText({ text, citations }: { text: string; citations: CitationInfo[] }) {
  const open = useOpenPassage();
  const byN = new Map(citations.map((c) => [c.n, c]));
  return (
    <div className="answer-text">
      {text.split(/\n{2,}/).map((para, p) => (
        <p key={p}>
          {para.split(/(\[\d+\])/).map((part, i) => {
            const n = /^\[(\d+)\]$/.exec(part)?.[1];
            const c = n ? byN.get(Number(n)) : undefined;
            if (!c || c.documentId === null) return part;
            return (
              <button
                key={i}
                type="button"
                className="cite-ref"
                title={c.quote}
                aria-label={`source ${c.n}`}
                onClick={() => open({ documentId: c.documentId!, chunkId: c.chunkId })}
              >
                {c.n}
              </button>
            );
          })}
        </p>
      ))}
    </div>
  );
}
