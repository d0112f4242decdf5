/** Turns texts into unit-length vectors; one implementation per embedder id. */
export interface Embedder {
  /** Stable id recorded per collection, e.g. 'builtin:hashed-ngrams-v1' or 'gguf:<sha256-prefix>'. */
  readonly id: string;
  readonly dim: number;
  /** Largest number of texts worth passing to one embed() call. */
  readonly batchSize: number;
  /** Counts tokens the way this embedder does (used by the chunker). */
  countTokens(text: string): number;
  /** One L2-normalised Float32Array of length `dim` per text, in order. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  close(): Promise<void>;
}
