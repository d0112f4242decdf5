import { describeError } from '../api/errors.ts';

/** An error that says what happened and what to do; `role="alert"` so it is announced. */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const { message, hint } = describeError(error);
  return (
    <div className="error-note" role="alert">
      <strong>{message}</strong>
      {hint ? <span> {hint}</span> : null}
      {onRetry ? (
        <button type="button" className="link" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
