/**
 * The built-in embedder every new collection starts with (no model weights needed): hashed word
 * and character n-grams. Its id names the algorithm version, so a change re-embeds collections.
 */
export const BUILTIN_EMBEDDER = { id: 'builtin:hashed-ngrams-v1', dim: 384 } as const;
