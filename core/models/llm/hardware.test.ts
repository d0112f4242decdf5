import { describe, expect, it } from 'vitest';
import { kvBytesPerToken, planModelLoad } from './hardware.ts';
import type { Hardware, ModelShape } from './hardware.ts';

const GB = 1024 ** 3;
const cpu: Hardware = {
  platform: 'linux',
  arch: 'x64',
  cpuCores: 2,
  cpuModel: 'test',
  ramTotal: 16 * GB,
  ramFree: 12 * GB,
  gpu: false,
  gpuName: null,
  vramTotal: 0,
  vramFree: 0,
  unifiedMemory: false,
  probeError: null,
};
const cuda = (vramFree: number): Hardware => ({ ...cpu, gpu: 'cuda', vramTotal: 8 * GB, vramFree });
/** Llama 3.2 1B at Q4_K_M: 16 layers, 2048-d, 32 heads / 8 KV heads, 128k training context. */
const llama1b: ModelShape = {
  fileSize: 0.8 * GB,
  layers: 16,
  contextLength: 131072,
  embeddingLength: 2048,
  heads: 32,
  headsKv: 8,
};
/** An 8B-class model at Q4: 32 layers, 4096-d, 8 KV heads. */
const llama8b: ModelShape = {
  fileSize: 4.9 * GB,
  layers: 32,
  contextLength: 8192,
  embeddingLength: 4096,
  heads: 32,
  headsKv: 8,
};

describe('planModelLoad', () => {
  it('computes the KV cache per token from the shape', () => {
    // 4 bytes (K+V, f16) × 16 layers × 512 (2048 × 8/32)
    expect(kvBytesPerToken(llama1b)).toBe(32768);
  });

  const cases: [string, ModelShape, Hardware, { gpuLayers: number; contextSize: number; fits: boolean }][] = [
    ['1B on CPU: max context 8192', llama1b, cpu, { gpuLayers: 0, contextSize: 8192, fits: true }],
    [
      '1B, 8 GB VRAM free: all layers + output',
      llama1b,
      cuda(8 * GB),
      { gpuLayers: 17, contextSize: 8192, fits: true },
    ],
    ['8B, 3 GB VRAM: some layers', llama8b, cuda(3 * GB), { gpuLayers: 15, contextSize: 8192, fits: true }],
    ['8B, 200 MB VRAM: CPU only', llama8b, cuda(0.2 * GB), { gpuLayers: 0, contextSize: 8192, fits: true }],
    [
      '8B on 7.5 GB free RAM: context halved',
      llama8b,
      { ...cpu, ramFree: 7.5 * GB },
      { gpuLayers: 0, contextSize: 4096, fits: true },
    ],
    [
      '8B on 3 GB free RAM: does not fit',
      llama8b,
      { ...cpu, ramFree: 3 * GB },
      { gpuLayers: 0, contextSize: 512, fits: false },
    ],
    [
      'training context below 8192 is the ceiling',
      { ...llama1b, contextLength: 2048 },
      cpu,
      { gpuLayers: 0, contextSize: 2048, fits: true },
    ],
  ];
  it.each(cases)('%s', (_name, shape, hw, expected) => {
    const plan = planModelLoad(shape, hw);
    expect(plan).toMatchObject({ ...expected, threads: 2 });
    expect(plan.reason.length).toBeGreaterThan(10);
  });

  it('honours a smaller wanted context', () => {
    expect(planModelLoad(llama1b, cpu, { contextSize: 4096 }).contextSize).toBe(4096);
  });
});
