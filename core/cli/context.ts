import type { Command } from 'commander';
import type { GlobalOptions } from './session.ts';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  /** Where a live progress bar may draw (a TTY), or null. */
  progressStream?: NodeJS.WriteStream | null;
  confirm?: (question: string) => Promise<boolean>;
}

/** What every command registration needs. */
export interface CliContext {
  io: CliIO;
  signal: AbortSignal;
  globals(cmd: Command): GlobalOptions;
  /** Human text, or the data as JSON under --json. */
  print(opts: GlobalOptions, human: string, data: unknown): void;
}

/** A numeric argument is an id, anything else a name. */
export function collectionArg(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`"${value}" is not a positive whole number`);
  return n;
}

/** A repeatable, comma-separated option: `--type pdf --type html` or `--type pdf,html`. */
export function commaList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}
