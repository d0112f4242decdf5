import { ApiCallError } from '../../../core/contract/client.ts';

/** A message the consultant can act on: what went wrong, then what to do about it. */
export function describeError(err: unknown): { message: string; hint: string | null } {
  if (err instanceof ApiCallError) {
    if (err.details?.disconnected) {
      return { message: err.message, hint: 'Pustaka reconnects by itself; try again in a moment.' };
    }
    const hints: Partial<Record<ApiCallError['code'], string>> = {
      invalid_params: 'Check the highlighted field and try again.',
      not_found: 'It may have been deleted meanwhile — refresh the list.',
      conflict: 'Something else is using it; wait for it to finish or choose another name.',
      storage_error: 'The data folder could not be written: check free disk space and permissions.',
      index_rebuilding:
        'Pustaka is rebuilding its search index from your documents; try again in a moment — results stay incomplete until it finishes.',
      internal: 'This is a bug in Pustaka. Try again; if it persists, restart the app.',
    };
    return { message: capitalise(err.message), hint: hints[err.code] ?? null };
  }
  return { message: err instanceof Error ? err.message : String(err), hint: null };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
