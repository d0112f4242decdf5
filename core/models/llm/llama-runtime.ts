// Child-process side only: the one way our model hosts start llama.cpp.
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';

/**
 * llama.cpp with an explicit thread count (node-llama-cpp's default of max(cores, 4) threads is
 * ~35× slower on a 2-core machine), never building from source (no toolchain or network on a
 * user's laptop), and only errors in the log.
 */
export function loadLlamaRuntime(opts: { gpu: 'auto' | false; threads: number }): Promise<Llama> {
  return getLlama({ gpu: opts.gpu, maxThreads: opts.threads, build: 'never', logLevel: LlamaLogLevel.error });
}
