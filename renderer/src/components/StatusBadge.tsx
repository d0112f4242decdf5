const TONE: Record<string, string> = {
  indexed: 'ok',
  failed: 'bad',
  deleted: 'muted',
  done: 'ok',
  running: 'busy',
  cancelled: 'muted',
};

/** A document's, a job's or a run's status, coloured by what it means. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge tone-${TONE[status] ?? 'busy'}`}>{status}</span>;
}
