import type { AnswerPath, CitationInfo } from '../../../../core/contract/methods/ask.ts';
import { CitationChip } from '../../components/CitationChip.tsx';
import { PathBadge } from '../../components/PathBadge.tsx';
import { AnswerText } from './AnswerText.tsx';

export interface ShownMessage {
  key: string;
  role: 'system' | 'user' | 'assistant';
  content: string;
  path: AnswerPath | null;
  citations: CitationInfo[];
  status: 'complete' | 'partial' | 'error' | 'streaming';
  note?: string | null;
  model?: string | null;
}

/** One message: the question, or an answer with its path badge and citation chips. */
export function MessageView({ m }: { m: ShownMessage }) {
  if (m.role === 'user') {
    return (
      <div className="message user" aria-label="Your question">
        <p>{m.content}</p>
      </div>
    );
  }
  return (
    <div className="message assistant" aria-label="Answer" aria-busy={m.status === 'streaming'}>
      <AnswerText text={m.content || (m.status === 'streaming' ? '…' : '')} citations={m.citations} />
      {m.note ? <p className="notice">{m.note}</p> : null}
      <div className="message-foot">
        {m.path ? <PathBadge path={m.path} /> : null}
        {m.status === 'partial' ? <span className="badge tone-muted">stopped</span> : null}
        {m.status === 'error' ? <span className="badge tone-bad">failed</span> : null}
        {m.model ? <span className="muted small">{m.model}</span> : null}
      </div>
      {m.citations.length ? (
        <div className="chips" role="group" aria-label="Sources">
          {m.citations.map((c) => (
            <CitationChip key={c.n} citation={c} />
          ))}
        </div>
      ) : null}
    </div>
  );
}
