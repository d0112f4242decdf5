/** What every worker step gets: the engine, the abort signal, the budget and its checkpoint. */
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';

export type StepName = 'cluster' | 'golden' | 'cultural' | 'memory' | 'maintenance';
export const STEP_ORDER: readonly StepName[] = ['cluster', 'golden', 'cultural', 'memory', 'maintenance'];

export interface Budget {
  /** Tokens (in + out) the run may spend on generation. */
  tokens: number;
  /** Wall time the run may take, in ms. */
  ms: number;
}

export interface StepCounts {
  clustersFound?: number;
  goldenGenerated?: number;
  culturalGenerated?: number;
  factsExtracted?: number;
}

export interface StepContext {
  engine: Engine;
  signal: AbortSignal;
  /** This step's saved state from an earlier, interrupted attempt ({} the first time). */
  state: Record<string, unknown>;
  /** Saves the step's state (resumes from here after a crash or an abort). */
  checkpoint(state: Record<string, unknown>): Promise<void>;
  /** Counts tokens against the run's budget. */
  spend(tokensIn: number, tokensOut: number): void;
  /** True once the token or time budget is used up: generation steps stop early. */
  overBudget(): boolean;
  remainingTokens(): number;
  progress(done: number, total: number, message: string): void;
  options: WorkerOptions;
}

export interface WorkerOptions {
  /** Clusters answered per run at most. */
  maxGolden: number;
  /** Questions asked at least this often (summed over a cluster) get a golden answer. */
  minAsks: number;
  /** Longest generated golden answer, in characters (the JSON schema bounds it). */
  answerMaxChars: number;
  /** Cultural notes generated per run at most. */
  maxCultural: number;
  /** Days of questions the clustering looks at. */
  days: number;
  /** Take a scheduled backup (and apply retention) in the maintenance step. */
  backup: boolean;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  maxGolden: 20,
  minAsks: 2,
  answerMaxChars: 1_500,
  maxCultural: 5,
  days: 30,
  backup: true,
};

export interface StepResult extends StepCounts {
  /** Why the step stopped early (budget) or what it skipped; shown in history. */
  note?: string;
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new PustakaError('cancelled', 'the worker was stopped');
}

/** A step's checkpoint in nightly_worker_runs.steps. */
export interface StepState {
  status: 'pending' | 'running' | 'done' | 'failed' | 'aborted';
  ms?: number;
  note?: string;
  error?: string;
  state?: Record<string, unknown>;
}
