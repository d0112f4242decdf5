/**
 * What this machine can run: CPU cores, RAM, and the GPU backend node-llama-cpp finds (Metal,
 * CUDA, Vulkan) with its free VRAM, probed in a short-lived child process (llama.cpp is never
 * loaded in the engine). planModelLoad() turns that and a model's shape into GPU layers and a
 * context size; it is a pure function so its rules are tested with table cases.
 */
import os from 'node:os';
import { ChildHost } from './child-host.ts';
import { entryPoint } from '../../base/app-files.ts';

export interface Hardware {
  platform: string;
  arch: string;
  /** os.availableParallelism(): also the thread count every model uses. */
  cpuCores: number;
  cpuModel: string;
  ramTotal: number;
  ramFree: number;
  /** 'metal' | 'cuda' | 'vulkan', or false for CPU only. */
  gpu: string | false;
  gpuName: string | null;
  vramTotal: number;
  vramFree: number;
  /** GPU and CPU share memory (Apple silicon). */
  unifiedMemory: boolean;
  /** Why the GPU probe failed, when it did (then gpu is false). */
  probeError: string | null;
}

export type HardwareProbeResponse =
  | {
      type: 'ready';
      gpu: string | false;
      gpuName: string | null;
      vramTotal: number;
      vramFree: number;
      unifiedMemory: boolean;
      cpuMathCores: number;
    }
  | { type: 'error'; id: null; message: string };

type ProbeRequest = { type: 'init'; threads: number } | { type: 'close' };

const PROBE_ENTRY = entryPoint('hardware-host');

/** CPU, RAM and (from a child process) the GPU; never throws: a failed probe means CPU only. */
export async function detectHardware(opts: { timeoutMs?: number } = {}): Promise<Hardware> {
  const cpuCores = os.availableParallelism();
  const base = {
    platform: process.platform,
    arch: process.arch,
    cpuCores,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    ramTotal: os.totalmem(),
    ramFree: os.freemem(),
  };
  const host = new ChildHost<ProbeRequest, HardwareProbeResponse>({
    entry: PROBE_ENTRY,
    init: { type: 'init', threads: cpuCores },
    label: 'the hardware probe',
    loadingWhat: 'looking for a GPU',
    loadTimeoutMs: opts.timeoutMs ?? 60_000,
  });
  try {
    const r = await host.ready;
    return {
      ...base,
      gpu: r.gpu,
      gpuName: r.gpuName,
      vramTotal: r.vramTotal,
      vramFree: r.vramFree,
      unifiedMemory: r.unifiedMemory,
      probeError: null,
    };
  } catch (err) {
    return {
      ...base,
      gpu: false,
      gpuName: null,
      vramTotal: 0,
      vramFree: 0,
      unifiedMemory: false,
      probeError: (err as Error).message,
    };
  } finally {
    await host.close();
  }
}

export interface ModelShape {
  fileSize: number;
  layers?: number | undefined;
  contextLength?: number | undefined;
  embeddingLength?: number | undefined;
  heads?: number | undefined;
  headsKv?: number | undefined;
}

export interface LoadPlan {
  /** Layers to offload (0 = CPU only; layers + 1 = everything, output layer included). */
  gpuLayers: number;
  contextSize: number;
  threads: number;
  /** False when even the smallest context does not fit in free memory. */
  fits: boolean;
  /** One line a person can read: why these numbers. */
  reason: string;
}

const MiB = 1024 * 1024;
/** Compute buffers and runtime overhead beside the weights and the KV cache. */
const OVERHEAD = 384 * MiB;
const MIN_CONTEXT = 512;
const MAX_CONTEXT = 8192;

/** f16 K and V for every layer: 2 × 2 bytes × layers × KV width, per token. */
export function kvBytesPerToken(shape: ModelShape): number {
  const layers = shape.layers ?? 32;
  const embd = shape.embeddingLength ?? 4096;
  const heads = shape.heads ?? 32;
  const headsKv = shape.headsKv ?? heads;
  return 4 * layers * Math.ceil((embd * headsKv) / heads);
}

function gib(n: number): string {
  return `${(n / 1024 / MiB).toFixed(1)} GB`;
}

/**
 * GPU layers and context size for a model on this hardware. Rules: offload every layer when the
 * weights plus the largest context fit in 90% of free VRAM, else as many layers as fit (none
 * below one); then halve the context (from min(training context, 8192)) until its KV cache fits
 * in what is left of VRAM (all layers on the GPU) or of 80% of free RAM.
 */
export function planModelLoad(shape: ModelShape, hw: Hardware, want?: { contextSize?: number }): LoadPlan {
  const layers = Math.max(1, shape.layers ?? 32);
  const train = shape.contextLength ?? 4096;
  const kv = kvBytesPerToken(shape);
  let ctx = Math.max(Math.min(MIN_CONTEXT, train), Math.min(want?.contextSize ?? MAX_CONTEXT, train));
  const perLayer = shape.fileSize / (layers + 1);

  let gpuLayers = 0;
  let vramLeft = 0;
  if (hw.gpu) {
    const usable = hw.vramFree * 0.9 - OVERHEAD;
    if (usable >= shape.fileSize + kv * Math.min(ctx, 2048)) {
      gpuLayers = layers + 1;
      vramLeft = usable - shape.fileSize;
    } else if (usable > perLayer) {
      gpuLayers = Math.min(layers, Math.floor(usable / perLayer));
    }
  }
  const allOnGpu = gpuLayers > layers;
  const cpuWeights = allOnGpu ? 0 : shape.fileSize - gpuLayers * perLayer;
  // With unified memory, VRAM and RAM are the same pool: count it once.
  const ramLeft = (hw.unifiedMemory && allOnGpu ? 0 : hw.ramFree * 0.8) - cpuWeights - OVERHEAD;
  const room = allOnGpu ? vramLeft : ramLeft;
  while (ctx > MIN_CONTEXT && kv * ctx > room) ctx = Math.max(MIN_CONTEXT, Math.floor(ctx / 2));
  const fits = kv * ctx <= room;
  const where = allOnGpu
    ? `all ${layers} layers on the ${hw.gpu} GPU (${gib(hw.vramFree)} free)`
    : gpuLayers > 0
      ? `${gpuLayers} of ${layers} layers on the ${hw.gpu} GPU, the rest on ${hw.cpuCores} CPU threads`
      : `CPU only, ${hw.cpuCores} threads`;
  const reason = fits
    ? `${where}; context ${ctx} tokens (KV cache ${gib(kv * ctx)})`
    : `the model (${gib(shape.fileSize)}) does not fit in free memory (${gib(hw.ramFree)} RAM${hw.gpu ? `, ${gib(hw.vramFree)} VRAM` : ''})`;
  return { gpuLayers, contextSize: ctx, threads: hw.cpuCores, fits, reason };
}
