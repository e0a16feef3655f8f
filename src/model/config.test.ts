import { describe, expect, it } from 'vitest';
import {
  estimateMemory,
  MEMORY_CATEGORIES,
  MODEL_SIZES,
  modelConfig,
  validateModelConfig,
  type MemoryRecipe,
  type ModelConfig,
} from './config';

const fp32: MemoryRecipe = { matmulFormat: 'fp32', masterWeights: false, storageFormat: 'fp32', weightsFormat: 'fp32' };
const bf16Pure: MemoryRecipe = { matmulFormat: 'bf16', masterWeights: false, storageFormat: 'bf16', weightsFormat: 'bf16' };
const fp16Amp: MemoryRecipe = { matmulFormat: 'fp16', masterWeights: true, storageFormat: 'fp16', weightsFormat: 'fp32' };

const tiny = modelConfig('tiny', 65);

/** Parameter count written out by hand from DESIGN.md §3 (independent of parameterLayout). */
function parameterCount(c: ModelConfig): number {
  const { vocab: V, d: C, layers: L, experts: E, context: T } = c;
  const F = c.hidden ?? 4 * C;
  const block = 2 * C + (3 * C * C + 3 * C) + (C * C + C) + 2 * C + E * C + E * (F * C + F) + E * (C * F + C);
  return V * C + T * C + L * block + 2 * C + V * C;
}

describe('model config', () => {
  it('names the tiny and default sizes of the design', () => {
    expect(MODEL_SIZES.tiny).toEqual({ d: 32, layers: 1, heads: 2, experts: 4, topK: 2, context: 16, batch: 8 });
    expect(MODEL_SIZES.default).toEqual({ d: 128, layers: 2, heads: 4, experts: 8, topK: 2, context: 64, batch: 32 });
    expect(validateModelConfig(modelConfig('default', 65))).toEqual([]);
    expect(validateModelConfig({ ...tiny, d: 48, heads: 3, hidden: 100 })).toEqual([]);
  });

  it('says in a sentence naming the field what is wrong', () => {
    const one = (c: Partial<ModelConfig>): string[] => validateModelConfig({ ...tiny, ...c } as ModelConfig);
    expect(one({ heads: 3 })).toEqual([
      'heads is 3, which does not divide d = 32; each head needs d / heads channels, so pick heads among 1, 2, 4, 8, 16, 32.',
    ]);
    expect(one({ topK: 2, experts: 1 })).toEqual(['topK is 2 but there are only 1 experts; topK must be at most experts.']);
    expect(one({ topK: 3 as 2 })[0]).toMatch(/^topK is 3; it must be between 1 and 2\.$/);
    expect(one({ batch: 0 })[0]).toMatch(/^batch is 0; it must be between 1 and/);
    expect(one({ d: 12.5 })[0]).toMatch(/^d is 12\.5; it must be a whole number/);
    expect(one({ context: Number.NaN })[0]).toMatch(/^context is NaN; it must be a whole number/);
    expect(one({ initStd: 0 })[0]).toMatch(/^initStd is 0; it must be a number above 0/);
    // Several problems, one sentence each.
    expect(one({ layers: -1, experts: 0, vocab: 1 })).toHaveLength(3);
  });

  it('checks every buffer against the adapter limits and names the fields that make it large', () => {
    const big = { ...modelConfig('default', 65), batch: 256, context: 256 };
    const errors = validateModelConfig(big, { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 2 ** 30 });
    expect(errors).toHaveLength(1);
    // The expert hidden activations: 2*L*R*F f32 with R = B*T*k = 131072, F = 4*128: 1 GiB exactly,
    // over the binding size and not over maxBufferSize (only larger is refused).
    expect(errors[0]).toMatch(
      /^batch, context, d, layers, topK, hidden: the expert hidden activations before and after GELU \(2,L,R,F\) take 1024 MiB in one buffer, above this GPU's maxStorageBufferBindingSize of 128 MiB \(\d+ other buffers too\); lower batch or context or d or layers or topK or hidden\.$/,
    );
    expect(validateModelConfig(tiny, { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 2 ** 28 })).toEqual([]);
  });

  it('refuses a run whose lanes do not fit the memory budget', () => {
    const need = estimateMemory(tiny, fp32).total + estimateMemory(tiny, fp16Amp).total;
    expect(validateModelConfig(tiny, { memoryBudget: { bytes: need, recipes: [fp32, fp16Amp] } })).toEqual([]);
    const errors = validateModelConfig(tiny, { memoryBudget: { bytes: need - 1, recipes: [fp32, fp16Amp] } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^batch, context, d: the 2 lanes need about .* MiB, above the memory budget of .* MiB; use fewer lanes or lower batch, context or d\.$/);
  });

  it('estimates memory by category: bf16 weights take half the bytes of fp32, masters are f32', () => {
    for (const c of [tiny, modelConfig('default', 65)]) {
      const P = parameterCount(c);
      const a = estimateMemory(c, fp32);
      const b = estimateMemory(c, bf16Pure);
      const h = estimateMemory(c, fp16Amp);
      expect(a.weights).toBe(4 * P);
      expect(b.weights).toBe(a.weights / 2);
      expect(a.master).toBe(0);
      expect(h.master).toBe(4 * P);
      expect(a.optimizer).toBe(8 * P);
      expect(b.grads).toBe(2 * P);
      expect(h.grads).toBe(4 * P);
      // 16-bit activations take about half (f32 statistics, indices and softmax probabilities stay f32).
      expect(h.activations).toBeLessThan(0.6 * a.activations);
      expect(h.activations).toBeGreaterThan(0.5 * a.activations);
      for (const e of [a, b, h]) {
        expect(e.total).toBe(MEMORY_CATEGORIES.reduce((s, k) => s + e[k], 0));
        for (const k of MEMORY_CATEGORIES) expect(e[k] % 4).toBe(0); // whole u32 words
      }
    }
  });

  it('counts the saved logits as N*V values of the storage format', () => {
    const withV = (V: number) => estimateMemory({ ...tiny, vocab: V }, fp16Amp).activations;
    const N = tiny.batch * tiny.context;
    // One more vocabulary entry: N more logits (2 bytes) and N more f32 probabilities (4 bytes).
    expect(withV(66) - withV(65)).toBe(N * 2 + N * 4);
  });
});
