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
import type { Bindable, CompiledKernel } from '../kernel';
import loadBalanceWgsl from './loadBalance.wgsl?raw';
import loadBalanceBackwardWgsl from './loadBalanceBackward.wgsl?raw';
import zLossWgsl from './zLoss.wgsl?raw';
import zLossSumWgsl from './zLossSum.wgsl?raw';
import zLossBackwardWgsl from './zLossBackward.wgsl?raw';
import { compileMoeKernels, launchMoe, moeKernel } from './factory';
import {
  MAX_EXPERTS,
  checkBindings,
  checkRouterShape,
  checkSameStorage,
  checkSize,
  checkF32,
} from './shared';

// One workgroup: one invocation per expert.
export const loadBalanceForwardKernel = moeKernel({
  name: 'moe_load_balance_forward',
  body: loadBalanceWgsl,
  bindings: { probs: 'router', counts: 'u32', loss: 'f32 rw' },
  uniforms: { N: 'u32', E: 'u32', k: 'u32', slot: 'u32', alphaE: 'f32' },
  workgroup: MAX_EXPERTS,
  grid: 'single',
});

// work = [N*E].
export const loadBalanceBackwardKernel = moeKernel({
  name: 'moe_load_balance_backward',
  body: loadBalanceBackwardWgsl,
  bindings: { counts: 'u32', lossScale: 'f32', dprobs: 'f32 rw' },
  uniforms: { N: 'u32', E: 'u32', k: 'u32', coef: 'f32' },
});

// work = [N].
export const zLossLseKernel = moeKernel({
  name: 'moe_z_loss_lse',
  body: zLossWgsl,
  bindings: { logits: 'router', lse: 'f32 rw' },
  uniforms: { N: 'u32', E: 'u32' },
  workgroup: 64,
});

// One invocation sums the N lse values in order.
export const zLossSumKernel = moeKernel({
  name: 'moe_z_loss_sum',
  body: zLossSumWgsl,
  bindings: { lse: 'f32', loss: 'f32 rw' },
  uniforms: { N: 'u32', slot: 'u32', beta: 'f32' },
  workgroup: 1,
  grid: 'single',
});

// work = [words of dlogits].
export const zLossBackwardKernel = moeKernel({
  name: 'moe_z_loss_backward',
  body: zLossBackwardWgsl,
  bindings: { logits: 'router', lse: 'f32', lossScale: 'f32', dlogits: 'router rw' },
  uniforms: { N: 'u32', E: 'u32', words: 'u32', coef: 'f32' },
  counts: true,
});

export interface LoadBalanceKernels {
  forward: CompiledKernel;
  backward: CompiledKernel;
}

/** `router`: storage of the router probabilities. */
export function compileLoadBalance(
  ctx: GpuContext,
  cache: PipelineCache,
  router: FormatName,
): Promise<LoadBalanceKernels> {
  const kernels = { forward: loadBalanceForwardKernel, backward: loadBalanceBackwardKernel };
  return compileMoeKernels(ctx, cache, 'load-balancing loss', kernels, { router });
}

export interface ZLossKernels {
  lse: CompiledKernel;
  sum: CompiledKernel;
  backward: CompiledKernel;
}

/** `router`: storage of the router logits and their gradient. */
export function compileZLoss(
  ctx: GpuContext,
  cache: PipelineCache,
  router: FormatName,
  counting?: EventCounting,
): Promise<ZLossKernels> {
  const kernels = { lse: zLossLseKernel, sum: zLossSumKernel, backward: zLossBackwardKernel };
  return compileMoeKernels(ctx, cache, 'z-loss', kernels, { router }, counting);
}

export interface RouterLossSizes {
  N: number;
  E: number;
  k: number;
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
  checkRouterShape(op, s);
  checkSlot(op, t.loss, s.slot);
  const { N, E, k, slot } = s;
  checkBindings(op, t, { probs: N * E, counts: E });
  const uniforms = { N, E, k, slot, alphaE: Math.fround(s.alpha * E) };
  launchMoe(target, kernel, { buffers: t, uniforms, work: [1] });
}

/** dprobs (N,E) f32 += d(load balance)/dprobs, times lossScale[0]. Zero dprobs first if needed. */
export function recordLoadBalanceBackward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: { dprobs: Bindable; counts: Bindable; lossScale: Bindable },
  s: RouterLossSizes & { alpha: number },
): void {
  const op = 'load-balancing loss backward';
  checkRouterShape(op, s);
  const { N, E, k } = s;
  checkBindings(op, t, { dprobs: N * E, counts: E, lossScale: 1 }, ['dprobs', 'lossScale']);
  const uniforms = { N, E, k, coef: Math.fround((s.alpha * E) / N) };
  launchMoe(target, kernel, { buffers: t, uniforms, work: [N * E] });
}

/** lse (N) f32 and loss[slot] (f32) <- beta * mean_t lse_t^2 of logits (N,E). */
export function recordZLossForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernels: ZLossKernels,
  t: { loss: Bindable; lse: Bindable; logits: Tensor },
  s: { N: number; E: number; beta: number; slot: number },
): void {
  const op = 'z-loss';
  checkRouterShape(op, { ...s, k: 1 });
  checkSlot(op, t.loss, s.slot);
  const { N, E, slot } = s;
  checkBindings(op, t, { lse: N, logits: N * E }, ['lse']);
  const { logits, lse, loss } = t;
  launchMoe(target, kernels.lse, { buffers: { logits, lse }, uniforms: { N, E }, work: [N] });
  const uniforms = { N, slot, beta: Math.fround(s.beta) };
  launchMoe(target, kernels.sum, { buffers: { lse, loss }, uniforms, work: [1] });
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
  checkRouterShape(op, { ...s, k: 1 });
  checkSameStorage(op, t.logits, t.dlogits);
  const { N, E } = s;
  const sizes = { dlogits: N * E, logits: N * E, lse: N, lossScale: 1 };
  checkBindings(op, t, sizes, ['lse', 'lossScale']);
  const words = wordCount(t.dlogits.storage, N * E);
  const uniforms = { N, E, words, coef: Math.fround((2 * s.beta) / N) };
  launchMoe(target, kernels.backward, { buffers: t, uniforms, work: [words] }, counting);
}
