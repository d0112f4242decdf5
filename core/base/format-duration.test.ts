import { describe, expect, it } from 'vitest';
import { formatDuration, formatWait } from './format-duration.ts';

describe('formatDuration', () => {
  it('shows milliseconds below a second and whole seconds from a second on', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(999)).toBe('999 ms');
    expect(formatDuration(1000)).toBe('1 s');
    expect(formatDuration(1499)).toBe('1 s');
    expect(formatDuration(90_000)).toBe('90 s');
  });
});

describe('formatWait', () => {
  it('rounds up to whole seconds, and shows minutes from a minute on', () => {
    expect(formatWait(1)).toBe('1 s');
    expect(formatWait(12_000)).toBe('12 s');
    expect(formatWait(59_001)).toBe('1 min');
    expect(formatWait(185_000)).toBe('3 min 5 s');
  });
});
