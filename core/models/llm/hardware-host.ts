/**
 * A one-shot process that asks node-llama-cpp which GPU backend it can use and how much VRAM is
 * free, then exits (core/models/llm/hardware.ts forks it: llama.cpp is never loaded in the engine).
 */
import { loadLlamaRuntime } from './llama-runtime.ts';
import type { HardwareProbeResponse } from './hardware.ts';

function send(msg: HardwareProbeResponse): void {
  process.send?.(msg);
}

async function probe(threads: number): Promise<void> {
  try {
    const llama = await loadLlamaRuntime({ gpu: 'auto', threads: threads });
    const vram = llama.gpu ? await llama.getVramState() : null;
    send({
      type: 'ready',
      gpu: llama.gpu,
      gpuName: llama.gpu ? (await llama.getGpuDeviceNames()).join(', ') || null : null,
      vramTotal: vram?.total ?? 0,
      vramFree: vram?.free ?? 0,
      unifiedMemory: (vram?.unifiedSize ?? 0) > 0,
      cpuMathCores: llama.cpuMathCores,
    });
    await llama.dispose();
  } catch (err) {
    send({ type: 'error', id: null, message: err instanceof Error ? err.message : String(err) });
  }
}

process.on('message', (msg: { type: string; threads?: number }) => {
  if (msg.type === 'init') void probe(msg.threads ?? 1);
  if (msg.type === 'close') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
