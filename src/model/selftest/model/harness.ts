/**
 * Machinery of the GPU model self-tests: the recipes as data (a mirror of train/recipes.ts,
 * which the model layer may not import; only the fields that decide precision), seeded batches,
 * id buffers, poisoning of everything a step must write, one training step recorded into one
 * encoder and submitted once, and error measures.
 */
import { uniform01 } from '../../../numerics';
import { writeWords, type BufferPool } from '../../../gpu';
import type { MoeConfig } from '../../reference';
import { viewOf } from '../../gpu/views';
import {
  modelPolicy,
  type GpuMoeModel,
  type LanePrecisionSettings,
  type ModelPolicy,
  type OptimizerHyper,
  type RecipeData,
} from '../../gpu';

/** NaN in every lane of every format: an element a kernel fails to write matches nothing. */
export const POISON_WORD = 0x7fc07fc0;

const NO_SCALING = { init_scale: 65536, growth_factor: 2, backoff_factor: 0.5, growth_interval: 2000, enabled: false };
const amp = (f: 'fp16' | 'bf16', scaled: boolean, name: string): RecipeData => ({
  name,
  matmulFormat: f,
  masterWeights: true,
  storageFormat: f,
  weightsFormat: 'fp32',
  lowFormat: f,
  lossScaling: { ...NO_SCALING, enabled: scaled },
});

/** train/recipes.ts RECIPES, the precision fields. */
export const RECIPE_DATA: Readonly<Record<string, RecipeData>> = {
  fp32: { name: 'fp32', matmulFormat: 'fp32', masterWeights: false, storageFormat: 'fp32', weightsFormat: 'fp32', lowFormat: 'fp32', lossScaling: NO_SCALING },
  'fp16-amp': amp('fp16', true, 'fp16-amp'),
  'fp16-amp-noscale': amp('fp16', false, 'fp16-amp-noscale'),
  'bf16-amp': amp('bf16', false, 'bf16-amp'),
  'bf16-pure': { name: 'bf16-pure', matmulFormat: 'bf16', masterWeights: false, storageFormat: 'bf16', weightsFormat: 'bf16', lowFormat: 'bf16', lossScaling: NO_SCALING },
};

export function policyOf(recipe: string, lane: LanePrecisionSettings = { router: 'f32' }): ModelPolicy {
  return modelPolicy(RECIPE_DATA[recipe], lane);
}

/** Sizes: 'small' for speed, 'tiny' as model/config's MODEL_SIZES.tiny with a 65-symbol vocab. */
export const SMALL: MoeConfig = { vocab: 11, d: 16, layers: 1, heads: 2, experts: 4, topK: 2, context: 8, batch: 2 };
export const TINY: MoeConfig = { vocab: 65, d: 32, layers: 1, heads: 2, experts: 4, topK: 2, context: 16, batch: 8 };
/** Odd sizes: C, N, V odd (packed words straddle rows), two layers, top-1 routing, F != 4C. */
export const ODD: MoeConfig = { vocab: 13, d: 15, layers: 2, heads: 3, experts: 5, topK: 1, context: 7, batch: 3, hidden: 22 };
export const DEFAULT: MoeConfig = { vocab: 65, d: 128, layers: 2, heads: 4, experts: 8, topK: 2, context: 64, batch: 32 };

/** (B,T) tokens and next-token targets of step `step`, from the seed. */
export function batchOf(seed: number, step: number, c: MoeConfig): { tokens: Int32Array; targets: Int32Array } {
  const N = c.batch * c.context;
  const stream = Int32Array.from({ length: N + c.batch }, (_, i) =>
    Math.floor(uniform01(seed ^ (step * 0x9e3779b9), i) * c.vocab),
  );
  const tokens = new Int32Array(N);
  const targets = new Int32Array(N);
  for (let b = 0; b < c.batch; b++) {
    for (let t = 0; t < c.context; t++) {
      tokens[b * c.context + t] = stream[b * (c.context + 1) + t];
      targets[b * c.context + t] = stream[b * (c.context + 1) + t + 1];
    }
  }
  return { tokens, targets };
}

export function idBuffer(pool: BufferPool, ids: Int32Array, label: string): GPUBuffer {
  const buffer = pool.acquire({ label, byteLength: ids.length * 4, category: 'selftest' });
  writeWords(pool.device, buffer, new Uint32Array(ids.buffer, ids.byteOffset, ids.length));
  return buffer;
}

/** NaN into every activation, scratch and gradient view the step must write (not the padding
 * of the flat gradient buffers, which must stay 0). */
export function poisonModel(model: GpuMoeModel): void {
  const { device } = model.ctx;
  const { a, s, p } = model.parts;
  const poison = (buffer: GPUBuffer, byteOffset = 0, byteLength = buffer.size - byteOffset) =>
    device.queue.writeBuffer(buffer, byteOffset, new Uint32Array(byteLength / 4).fill(POISON_WORD));
  const tensors = [a.encoded, a.lnf, a.lnfMean, a.lnfRstd, a.logits, a.probs, a.losses, a.loss, ...Object.values(s)];
  for (const la of a.layers) {
    for (const v of Object.values(la)) if ('storage' in v) tensors.push(v);
  }
  for (const t of tensors) poison(t.buffer);
  for (const la of a.layers) {
    const d = la.dispatch;
    for (const b of [la.topIdx, d.counts, d.offsets, d.tokenOf, d.rowOf]) poison(b);
  }
  for (const s2 of p.slices) {
    const out = p.gradOut[s2.name][s2.layer ?? 0];
    const full = viewOf(p.grads, s2.offset, s2.size, s2.shape, 'poison');
    for (const v of [out, full]) poison(v.buffer, v.byteOffset, v.byteLength);
  }
}

/** Records one full training step into one encoder, submits once, waits; returns wall ms. */
export async function trainStep(
  model: GpuMoeModel,
  tokens: GPUBuffer,
  targets: GPUBuffer,
  hyper: OptimizerHyper,
): Promise<number> {
  const { device } = model.ctx;
  const enc = device.createCommandEncoder({ label: 'model selftest step' });
  model.recordForward(enc, tokens, targets);
  model.recordBackward(enc);
  model.recordOptimizerStep(enc, hyper);
  const t0 = performance.now();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

/** Largest |a - b| over elements, and where; NaN anywhere is infinite error. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = a.length): { err: number; at: number } {
  let err = 0;
  let at = -1;
  for (let i = from; i < to; i++) {
    const d = Math.abs(a[i] - b[i]);
    const e = Number.isNaN(d) ? Infinity : d;
    if (e > err) {
      err = e;
      at = i;
    }
  }
  return { err, at };
}

export function maxAbs(a: ArrayLike<number>, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function relErr(gpu: number, cpu: number): number {
  if (gpu === cpu || (Number.isNaN(gpu) && Number.isNaN(cpu))) return 0;
  if (!Number.isFinite(gpu) || !Number.isFinite(cpu)) return Infinity;
  return Math.abs(gpu - cpu) / Math.max(Math.abs(cpu), 1e-30);
}

export const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2));
