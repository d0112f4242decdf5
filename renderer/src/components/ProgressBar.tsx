/** Determinate when `total` is known, otherwise an indeterminate stripe. */
export function ProgressBar({ label, done, total }: { label: string; done?: number; total?: number }) {
  const known = total !== undefined && total > 0 && done !== undefined;
  return (
    <div
      className={`progress ${known ? '' : 'indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? total : undefined}
      aria-valuenow={known ? done : undefined}
    >
      <div
        className="progress-fill"
        style={known ? { width: `${Math.min(100, (done / total) * 100)}%` } : undefined}
      />
    </div>
  );
}
