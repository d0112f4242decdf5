/**
 * Wall-clock accounting for one ask: when it started, how long each stage took, when the first
 * token streamed. Stages run one after another, so their times never overlap: each is rounded
 * down and the total rounded up (to 0.1 ms), which keeps "the stages add up to at most the total"
 * true after rounding as well.
 */
import type { AskTimings } from '../../contract/methods/ask.ts';

/** Per-stage wall time of one ask in ms; 0 for a stage that did not run. */
export interface AskStageTimings {
  /** Scope, history and model resolved, answer cache looked up. */
  cacheMs: number;
  /** Golden answer looked up. */
  goldenMs: number;
  /** Hybrid retrieval of the passages. */
  retrieveMs: number;
  /** The chat model loaded (or found loaded). */
  loadMs: number;
  /** The system prompt built and the prompt fitted to the context. */
  promptMs: number;
  /** Streamed generation. */
  generateMs: number;
  /** The extractive answer (no usable model). */
  extractMs: number;
  /** Conversation, messages, query log and golden usage written and committed. */
  persistMs: number;
  /** Conversation analysis queued. */
  queueMs: number;
}
export type AskStage = keyof AskStageTimings;

export const ASK_STAGES: readonly AskStage[] = [
  'cacheMs',
  'goldenMs',
  'retrieveMs',
  'loadMs',
  'promptMs',
  'generateMs',
  'extractMs',
  'persistMs',
  'queueMs',
];

const down = (ms: number) => Math.floor(ms * 10) / 10;
const up = (ms: number) => Math.ceil(ms * 10) / 10;
const nearest = (ms: number) => Math.round(ms * 10) / 10;

export class AskClock {
  /** Entry into `ask`: every other time is measured from here. */
  readonly t0 = performance.now();
  private readonly raw: AskStageTimings = {
    cacheMs: 0,
    goldenMs: 0,
    retrieveMs: 0,
    loadMs: 0,
    promptMs: 0,
    generateMs: 0,
    extractMs: 0,
    persistMs: 0,
    queueMs: 0,
  };
  private running: { stage: AskStage; since: number } | null = null;
  /** From entry to the first streamed token (null: nothing generated). */
  firstTokenMs: number | null = null;

  /**
   * Runs one asynchronous stage and adds its wall time (failed or not) to that stage. Stages run
   * one at a time, never nested.
   */
  async time<T>(stage: AskStage, run: () => Promise<T>): Promise<T> {
    const since = performance.now();
    this.running = { stage, since };
    try {
      return await run();
    } finally {
      this.raw[stage] += performance.now() - since;
      this.running = null;
    }
  }

  /** `time` for a synchronous stage. */
  timeSync<T>(stage: AskStage, run: () => T): T {
    const since = performance.now();
    try {
      return run();
    } finally {
      this.raw[stage] += performance.now() - since;
    }
  }

  /** Notes the first streamed token (later ones change nothing). */
  markFirstToken(): void {
    this.firstTokenMs ??= nearest(performance.now() - this.t0);
  }

  /** Time since entry, rounded up: what a caller waiting since entry has waited at least. */
  totalMs(): number {
    return up(performance.now() - this.t0);
  }

  /** Each stage's time so far, a running stage included up to now. */
  stages(): AskStageTimings {
    const out = { ...this.raw };
    if (this.running) out[this.running.stage] += performance.now() - this.running.since;
    for (const s of ASK_STAGES) out[s] = down(out[s]);
    return out;
  }

  /** The contract's timings (core/contract/methods/ask.ts) with the given total. */
  timings(totalMs: number, stages = this.stages()): AskTimings {
    return {
      cacheMs: stages.cacheMs,
      goldenMs: stages.goldenMs,
      retrieveMs: stages.retrieveMs,
      promptMs: stages.promptMs,
      generateMs: stages.generateMs,
      firstTokenMs: this.firstTokenMs,
      totalMs,
    };
  }

  /**
   * What query_logs.latency_ms and the assistant message's metadata record, taken now: the
   * contract's timings (total so far), the model load, the extraction and persistence so far.
   */
  latencySoFar(): Record<string, number | null> {
    const stages = this.stages();
    return {
      ...this.timings(this.totalMs(), stages),
      loadMs: stages.loadMs,
      extractMs: stages.extractMs,
      persistMs: stages.persistMs,
    };
  }
}
