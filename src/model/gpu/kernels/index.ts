/**
 * The few kernels the model needs between the families' ops (same descriptor pattern):
 *   residual            out = store(a + b)                    (reference residualForward)
 *   addInto             dst = store(dst + src)                (reference addInto)
 *   lossTotal           loss[0] = (ce + sum balance) + sum z  (reference moeForward's total)
 *   clearUnlessSkipped  zero a u32 buffer unless the optimizer state's foundInf is set
 */
import type { FormatName } from '../../../numerics';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  wordCount,
  type Bindable,
  type CompiledKernel,
  type EventCounters,
  type GpuContext,
  type KernelDescriptor,
  type PipelineCache,
  type Tensor,
} from '../../../gpu';
import residualWgsl from './residual.wgsl?raw';
import addIntoWgsl from './addInto.wgsl?raw';
import lossTotalWgsl from './lossTotal.wgsl?raw';
import clearUnlessSkippedWgsl from './clearUnlessSkipped.wgsl?raw';

const WG = 64;
const linear = ([n]: readonly number[], limits: GPUSupportedLimits): [number, number, number] =>
  dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension);

export const residualKernel: KernelDescriptor = {
  name: 'model_residual',
  body: residualWgsl,
  bindings: [
    { name: 'a', access: 'read', type: 'tensor' },
    { name: 'b', access: 'read', type: 'tensor' },
    { name: 'out', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { n: 'u32', words: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: linear,
};

export const addIntoKernel: KernelDescriptor = {
  name: 'model_add_into',
  body: addIntoWgsl,
  bindings: [
    { name: 'src', access: 'read', type: 'tensor' },
    { name: 'dst', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { n: 'u32', words: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: linear,
};

/** Slots of the loss buffer (f32): totals, then per-layer aux losses. */
export const LOSS_SLOT = { total: 0, crossEntropy: 1, balance: 2, zLoss: 3, aux: 4 } as const;
/** f32 words of the loss buffer of an L-layer model. */
export const lossWords = (L: number): number => LOSS_SLOT.aux + 2 * L;

export const lossTotalKernel: KernelDescriptor = {
  name: 'model_loss_total',
  body: lossTotalWgsl,
  bindings: [{ name: 'loss', access: 'read_write', type: 'f32' }],
  uniforms: { L: 'u32' },
  workgroupSize: [1, 1, 1],
  countsEvents: false,
  dispatch: () => [1, 1, 1],
};

export const clearUnlessSkippedKernel: KernelDescriptor = {
  name: 'model_clear_unless_skipped',
  body: clearUnlessSkippedWgsl,
  bindings: [
    { name: 'state', access: 'read', type: 'u32' },
    { name: 'dst', access: 'read_write', type: 'u32' },
  ],
  uniforms: { n: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: linear,
};

export interface ModelKernels {
  residual: CompiledKernel;
  addInto: CompiledKernel;
  lossTotal: CompiledKernel;
  clearUnlessSkipped: CompiledKernel;
}

/** storage: activations and their gradients; router: the router's format (addInto's src). */
export async function compileModelKernels(
  ctx: GpuContext,
  cache: PipelineCache,
  storage: FormatName,
  router: FormatName,
  counting?: 'subgroup' | 'atomic' | 'off',
): Promise<ModelKernels> {
  const [residual, addInto, lossTotal, clearUnlessSkipped] = await Promise.all([
    compileKernel(ctx, cache, residualKernel, {
      formats: { a: storage, b: storage, out: storage },
      counting,
    }),
    compileKernel(ctx, cache, addIntoKernel, { formats: { src: router, dst: storage }, counting }),
    compileKernel(ctx, cache, lossTotalKernel),
    compileKernel(ctx, cache, clearUnlessSkippedKernel),
  ]);
  return { residual, addInto, lossTotal, clearUnlessSkipped };
}

export interface Counting {
  counters: EventCounters;
  group: number;
}

function countersOf(k: CompiledKernel, counting: Counting): Record<string, Bindable> {
  return k.variant.counting === 'off' ? {} : { counters: counting.counters };
}

function expectSizes(op: string, n: number, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (t.size !== n) {
      throw new Error(`${op}: "${t.label}" holds ${t.size} values but ${n} are needed.`);
    }
  }
}

/** out = store(a + b), elementwise. */
export function recordResidual(
  target: GPUCommandEncoder,
  k: CompiledKernel,
  t: { out: Tensor; a: Tensor; b: Tensor },
  counting: Counting,
): void {
  expectSizes('residual', t.out.size, t.a, t.b);
  const words = wordCount(t.out.storage, t.out.size);
  runKernel(target, k, {
    buffers: { ...t, ...countersOf(k, counting) },
    uniforms: { n: t.out.size, words, group: counting.group },
    work: [words],
  });
}

/** dst = store(dst + src), elementwise. */
export function recordAddInto(
  target: GPUCommandEncoder,
  k: CompiledKernel,
  t: { dst: Tensor; src: Tensor },
  counting: Counting,
): void {
  expectSizes('add into', t.dst.size, t.src);
  const words = wordCount(t.dst.storage, t.dst.size);
  runKernel(target, k, {
    buffers: { ...t, ...countersOf(k, counting) },
    uniforms: { n: t.dst.size, words, group: counting.group },
    work: [words],
  });
}

/** loss[0..3] from the cross-entropy and the per-layer aux losses (lossWords(L) f32). */
export function recordLossTotal(target: GPUCommandEncoder, k: CompiledKernel, loss: GPUBuffer, L: number): void {
  if (loss.size < lossWords(L) * 4) {
    throw new Error(`loss total: the loss buffer has ${loss.size} bytes; ${L} layers need ${lossWords(L) * 4}.`);
  }
  runKernel(target, k, { buffers: { loss }, uniforms: { L }, work: [1] });
}

/** dst[0 .. words) = 0 unless state[0] (foundInf) is set. */
export function recordClearUnlessSkipped(
  target: GPUCommandEncoder,
  k: CompiledKernel,
  state: GPUBuffer,
  dst: GPUBuffer,
): void {
  const n = dst.size / 4;
  runKernel(target, k, { buffers: { state, dst }, uniforms: { n }, work: [n] });
}
