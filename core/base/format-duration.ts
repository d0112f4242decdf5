/** A limit or wait for a message: `250 ms` below a second, whole seconds (`30 s`) from there. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
