/**
 * Auxiliary router losses of one MoE layer, forward and backward (reference:
 * model/reference/routerLosses.ts), all f32 under the router policy:
 *   Switch load balance  alpha * E * sum_e f_e * P_e   (f_e = counts_e / (N*k), P_e mean prob)
 *   ST-MoE z-loss        beta * mean_t lse_t^2          (lse_t = logsumexp of the logits row)
 * Loss values land in a small f32 GPU buffer at a caller-chosen slot (never read back here).
 * Backward: the load balance adds into dprobs (f32), the z-loss into dlogits (router format).
 * dloss comes from an f32 buffer (lossScale[0]: 1, or the GradScaler's scale on the GPU), so a
 * dynamic scale needs no new uniforms; scalars from hyperparameters are rounded to f32 on the
 * host as the reference does. With dloss a power of two (every GradScaler scale is), the GPU's
 * dloss * round(c) equals the reference's round(dloss * c) exactly.
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import { wordCount } from '../../packing';
import type { Tensor } from '../../tensor';
import type { CastCounting } from '../convert';
import type { EventCounting } from '../counters';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type Bindable,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import loadBalanceWgsl from './loadBalance.wgsl?raw';
import loadBalanceBackwardWgsl from './loadBalanceBackward.wgsl?raw';
import zLossWgsl from './zLoss.wgsl?raw';
import zLossSumWgsl from './zLossSum.wgsl?raw';
import zLossBackwardWgsl from './zLossBackward.wgsl?raw';
import {
  MAX_EXPERTS,
  checkCount,
  checkF32,
  checkFormat,
  checkRouting,
  checkSameStorage,
  checkSize,
  countersOf,
} from './shared';

const WG = 256;
const linear = ([n]: readonly number[], limits: GPUSupportedLimits): [number, number, number] =>
  dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension);
const single = (): [number, number, number] => [1, 1, 1];

export const loadBalanceForwardKernel: KernelDescriptor = {
  name: 'moe_load_balance_forward',
  body: loadBalanceWgsl,
  bindings: [
    { name: 'probs', access: 'read', type: 'tensor' },
    { name: 'counts', access: 'read', type: 'u32' },
    { name: 'loss', access: 'read_write', type: 'f32' },
  ],
  uniforms: { N: 'u32', E: 'u32', k: 'u32', slot: 'u32', alphaE: 'f32' },
  workgroupSize: [MAX_EXPERTS, 1, 1],
  countsEvents: false,
  dispatch: single,
};

export const loadBalanceBackwardKernel: KernelDescriptor = {
  name: 'moe_load_balance_backward',
  body: loadBalanceBackwardWgsl,
  bindings: [
    { name: 'counts', access: 'read', type: 'u32' },
    { name: 'lossScale', access: 'read', type: 'f32' },
    { name: 'dprobs', access: 'read_write', type: 'f32' },
  ],
  uniforms: { N: 'u32', E: 'u32', k: 'u32', coef: 'f32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: linear,
};

export const zLossLseKernel: KernelDescriptor = {
  name: 'moe_z_loss_lse',
  body: zLossWgsl,
  bindings: [
    { name: 'logits', access: 'read', type: 'tensor' },
    { name: 'lse', access: 'read_write', type: 'f32' },
  ],
  uniforms: { N: 'u32', E: 'u32' },
  workgroupSize: [64, 1, 1],
  countsEvents: false,
  dispatch: ([N], limits) => dispatch1d(N, 64, limits.maxComputeWorkgroupsPerDimension),
};

export const zLossSumKernel: KernelDescriptor = {
  name: 'moe_z_loss_sum',
  body: zLossSumWgsl,
  bindings: [
    { name: 'lse', access: 'read', type: 'f32' },
    { name: 'loss', access: 'read_write', type: 'f32' },
  ],
  uniforms: { N: 'u32', slot: 'u32', beta: 'f32' },
  workgroupSize: [1, 1, 1],
  countsEvents: false,
  dispatch: single,
};

export const zLossBackwardKernel: KernelDescriptor = {
  name: 'moe_z_loss_backward',
  body: zLossBackwardWgsl,
  bindings: [
    { name: 'logits', access: 'read', type: 'tensor' },
    { name: 'lse', access: 'read', type: 'f32' },
    { name: 'lossScale', access: 'read', type: 'f32' },
    { name: 'dlogits', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { N: 'u32', E: 'u32', words: 'u32', coef: 'f32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: linear,
};

export interface LoadBalanceKernels {
  forward: CompiledKernel;
  backward: CompiledKernel;
}

/** `router`: storage of the router probabilities. */
export async function compileLoadBalance(
  ctx: GpuContext,
  cache: PipelineCache,
  router: FormatName,
): Promise<LoadBalanceKernels> {
  checkFormat('load-balancing loss', 'the router', router);
  const [forward, backward] = await Promise.all([
    compileKernel(ctx, cache, loadBalanceForwardKernel, { formats: { probs: router } }),
    compileKernel(ctx, cache, loadBalanceBackwardKernel),
  ]);
  return { forward, backward };
}

export interface ZLossKernels {
  lse: CompiledKernel;
  sum: CompiledKernel;
  backward: CompiledKernel;
}

/** `router`: storage of the router logits and their gradient. */
export async function compileZLoss(
  ctx: GpuContext,
  cache: PipelineCache,
  router: FormatName,
  counting?: EventCounting,
): Promise<ZLossKernels> {
  checkFormat('z-loss', 'the router', router);
  const [lse, sum, backward] = await Promise.all([
    compileKernel(ctx, cache, zLossLseKernel, { formats: { logits: router } }),
    compileKernel(ctx, cache, zLossSumKernel),
    compileKernel(ctx, cache, zLossBackwardKernel, {
      formats: { logits: router, dlogits: router },
      counting,
    }),
  ]);
  return { lse, sum, backward };
}

export interface RouterLossSizes {
  N: number;
  E: number;
  k: number;
}

function checkSizes(op: string, s: RouterLossSizes): void {
  checkCount(op, 'N', s.N);
  checkRouting(op, s.E, s.k);
}

function checkSlot(op: string, loss: Bindable, slot: number): void {
  if (!Number.isInteger(slot) || slot < 0) {
    throw new Error(`MoE ${op}: loss slot ${slot} must be a non-negative integer.`);
  }
  checkSize(op, 'loss', loss, slot + 1);
  checkF32(op, 'loss', loss);
}

/** loss[slot] (f32) <- alpha * E * sum_e f_e P_e; counts (E) u32 from the dispatch. */
export function recordLoadBalanceForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: { loss: Bindable; probs: Tensor; counts: Bindable },
  s: RouterLossSizes & { alpha: number; slot: number },
): void {
  const op = 'load-balancing loss';
  checkSizes(op, s);
  checkSlot(op, t.loss, s.slot);
  checkSize(op, 'probs', t.probs, s.N * s.E);
  checkSize(op, 'counts', t.counts, s.E);
  runKernel(target, kernel, {
    buffers: t,
    uniforms: { N: s.N, E: s.E, k: s.k, slot: s.slot, alphaE: Math.fround(s.alpha * s.E) },
    work: [1],
  });
}

/** dprobs (N,E) f32 += d(load balance)/dprobs, times lossScale[0]. Zero dprobs first if needed. */
export function recordLoadBalanceBackward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: { dprobs: Bindable; counts: Bindable; lossScale: Bindable },
  s: RouterLossSizes & { alpha: number },
): void {
  const op = 'load-balancing loss backward';
  checkSizes(op, s);
  checkSize(op, 'dprobs', t.dprobs, s.N * s.E);
  checkSize(op, 'counts', t.counts, s.E);
  checkSize(op, 'lossScale', t.lossScale, 1);
  checkF32(op, 'dprobs', t.dprobs);
  checkF32(op, 'lossScale', t.lossScale);
  runKernel(target, kernel, {
    buffers: t,
    uniforms: { N: s.N, E: s.E, k: s.k, coef: Math.fround((s.alpha * s.E) / s.N) },
    work: [s.N * s.E],
  });
}

/** lse (N) f32 and loss[slot] (f32) <- beta * mean_t lse_t^2 of logits (N,E). */
export function recordZLossForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernels: ZLossKernels,
  t: { loss: Bindable; lse: Bindable; logits: Tensor },
  s: { N: number; E: number; beta: number; slot: number },
): void {
  const op = 'z-loss';
  checkSizes(op, { ...s, k: 1 });
  checkSlot(op, t.loss, s.slot);
  checkSize(op, 'lse', t.lse, s.N);
  checkSize(op, 'logits', t.logits, s.N * s.E);
  checkF32(op, 'lse', t.lse);
  runKernel(target, kernels.lse, {
    buffers: { logits: t.logits, lse: t.lse },
    uniforms: { N: s.N, E: s.E },
    work: [s.N],
  });
  runKernel(target, kernels.sum, {
    buffers: { lse: t.lse, loss: t.loss },
    uniforms: { N: s.N, slot: s.slot, beta: Math.fround(s.beta) },
    work: [1],
  });
}

/** dlogits (N,E) = store(dlogits + d(z-loss)/dlogits * lossScale[0]). Events: the dlogits stores. */
export function recordZLossBackward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernels: ZLossKernels,
  t: { dlogits: Tensor; logits: Tensor; lse: Bindable; lossScale: Bindable },
  s: { N: number; E: number; beta: number },
  counting?: CastCounting,
): void {
  const op = 'z-loss backward';
  checkSizes(op, { ...s, k: 1 });
  checkSameStorage(op, t.logits, t.dlogits);
  checkSize(op, 'dlogits', t.dlogits, s.N * s.E);
  checkSize(op, 'logits', t.logits, s.N * s.E);
  checkSize(op, 'lse', t.lse, s.N);
  checkSize(op, 'lossScale', t.lossScale, 1);
  checkF32(op, 'lse', t.lse);
  checkF32(op, 'lossScale', t.lossScale);
  const c = countersOf(kernels.backward, counting);
  const words = wordCount(t.dlogits.storage, s.N * s.E);
  runKernel(target, kernels.backward, {
    buffers: { ...t, ...c.buffers },
    uniforms: { N: s.N, E: s.E, words, coef: Math.fround((2 * s.beta) / s.N), group: c.group },
    work: [words],
  });
}
