export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summary(values: number[]): { min: number; p50: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0]!, p50: percentile(s, 50), max: s.at(-1)! };
}

export const fmtMs = (ms: number) => `${ms.toFixed(0)} ms`;
export const fmtMB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
