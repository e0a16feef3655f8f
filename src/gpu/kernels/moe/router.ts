/**
 * MoE router after its linear layer, forward and backward (reference: model/reference/router.ts):
 * softmax over E experts in f32, top-k by stored probability (ties to the lower expert), gates
 * (k = 1 the raw probability, k >= 2 renormalised), and the gradient back to the logits.
 * Every router tensor (logits, probs, gates, dlogits) shares the router's storage format: fp32
 * by default (Switch's selective precision) or the lane's low format. dgates and dprobs are f32.
 *
 *   probs (N,E), gates (N,k), topIdx (N,k) u32  <- routerForward(logits (N,E))
 *   dlogits (N,E), dprobs (N,E) updated         <- routerBackward(dprobs, dgates, probs, gates, topIdx)
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { CastCounting } from '../convert';
import type { EventCounting } from '../counters';
import type { Bindable, CompiledKernel } from '../kernel';
import routerWgsl from './router.wgsl?raw';
import routerBackwardWgsl from './routerBackward.wgsl?raw';
import { compileMoeKernel, launchMoe, moeKernel } from './factory';
import { checkBindings, checkRouterShape, checkSameStorage } from './shared';

// work = [N]: one invocation per pair of tokens.
export const routerForwardKernel = moeKernel({
  name: 'moe_router_forward',
  body: routerWgsl,
  bindings: { logits: 'router', probs: 'router rw', gates: 'router rw', topIdx: 'u32 rw' },
  uniforms: { N: 'u32', E: 'u32', k: 'u32' },
  counts: true,
  workgroup: 64,
  grid: 'pairs',
});

export const routerBackwardKernel = moeKernel({
  name: 'moe_router_backward',
  body: routerBackwardWgsl,
  bindings: {
    dprobs: 'f32 rw',
    dgates: 'f32',
    probs: 'router',
    gates: 'router',
    topIdx: 'u32',
    dlogits: 'router rw',
  },
  uniforms: { N: 'u32', E: 'u32', k: 'u32' },
  counts: true,
  workgroup: 64,
  grid: 'pairs',
});

export interface RouterSizes {
  N: number;
  E: number;
  k: number;
}

/** `router`: the router's storage format (logits, probs, gates, dlogits). */
export function compileRouterForward(
  ctx: GpuContext,
  cache: PipelineCache,
  router: FormatName,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  return compileMoeKernel(ctx, cache, 'router forward', routerForwardKernel, { router }, counting);
}

export function compileRouterBackward(
  ctx: GpuContext,
  cache: PipelineCache,
  router: FormatName,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  const f = { router };
  return compileMoeKernel(ctx, cache, 'router backward', routerBackwardKernel, f, counting);
}

/** probs, gates, topIdx <- softmax and top-k of logits. Events of probs/gates stores -> counting. */
export function recordRouterForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: { logits: Tensor; probs: Tensor; gates: Tensor; topIdx: Bindable },
  s: RouterSizes,
  counting?: CastCounting,
): void {
  const op = 'router forward';
  checkRouterShape(op, s);
  const { N, E, k } = s;
  checkBindings(op, t, { logits: N * E, probs: N * E, gates: N * k, topIdx: N * k });
  launchMoe(target, kernel, { buffers: t, uniforms: { N, E, k }, work: [N] }, counting);
}

/**
 * dlogits (overwritten) <- softmax backward of dprobs + the gates' gradient; dprobs (f32) holds
 * the gradient from other consumers (load-balancing loss, or zeros) and gets dgates added in
 * place, as the reference. Events of the dlogits stores -> counting.
 */
export function recordRouterBackward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: {
    dlogits: Tensor;
    dprobs: Bindable;
    dgates: Bindable;
    probs: Tensor;
    gates: Tensor;
    topIdx: Bindable;
  },
  s: RouterSizes,
  counting?: CastCounting,
): void {
  const op = 'router backward';
  checkRouterShape(op, s);
  checkSameStorage(op, t.probs, t.dlogits);
  const { N, E, k } = s;
  const sizes = { dlogits: N * E, dprobs: N * E, dgates: N * k, probs: N * E, gates: N * k };
  checkBindings(op, t, { ...sizes, topIdx: N * k }, ['dprobs', 'dgates']);
  launchMoe(target, kernel, { buffers: t, uniforms: { N, E, k }, work: [N] }, counting);
}
