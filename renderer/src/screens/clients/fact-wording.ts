import type { FactInfo } from '../../../../core/contract/methods/memory.ts';

const METHOD: Record<string, string> = {
  patterns: 'found by pattern',
  model: 'extracted by the model',
  user: 'corrected by you',
};

/** How a fact was learned, in words. */
export function describeMethod(method: string): string {
  return METHOD[method] ?? method;
}

/** The fact's status badge tone: superseded ones are a warning, rejected ones are out. */
export function factTone(status: FactInfo['status']): string {
  return status === 'active' ? 'ok' : status === 'superseded' ? 'busy' : 'bad';
}
