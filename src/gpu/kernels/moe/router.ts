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
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type Bindable,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import routerWgsl from './router.wgsl?raw';
import routerBackwardWgsl from './routerBackward.wgsl?raw';
import {
  checkCount,
  checkF32,
  checkFormat,
  checkRouting,
  checkSameStorage,
  checkSize,
  countersOf,
} from './shared';

const WG = 64;
/** work = [N]: one invocation per pair of tokens. */
const perTokenPair = (
  [N]: readonly number[],
  limits: GPUSupportedLimits,
): [number, number, number] =>
  dispatch1d(Math.ceil(N / 2), WG, limits.maxComputeWorkgroupsPerDimension);

export const routerForwardKernel: KernelDescriptor = {
  name: 'moe_router_forward',
  body: routerWgsl,
  bindings: [
    { name: 'logits', access: 'read', type: 'tensor' },
    { name: 'probs', access: 'read_write', type: 'tensor' },
    { name: 'gates', access: 'read_write', type: 'tensor' },
    { name: 'topIdx', access: 'read_write', type: 'u32' },
  ],
  uniforms: { N: 'u32', E: 'u32', k: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: perTokenPair,
};

export const routerBackwardKernel: KernelDescriptor = {
  name: 'moe_router_backward',
  body: routerBackwardWgsl,
  bindings: [
    { name: 'dprobs', access: 'read_write', type: 'f32' },
    { name: 'dgates', access: 'read', type: 'f32' },
    { name: 'probs', access: 'read', type: 'tensor' },
    { name: 'gates', access: 'read', type: 'tensor' },
    { name: 'topIdx', access: 'read', type: 'u32' },
    { name: 'dlogits', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { N: 'u32', E: 'u32', k: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: perTokenPair,
};

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
  checkFormat('router forward', 'the router', router);
  return compileKernel(ctx, cache, routerForwardKernel, {
    formats: { logits: router, probs: router, gates: router },
    counting,
  });
}

export function compileRouterBackward(
  ctx: GpuContext,
  cache: PipelineCache,
  router: FormatName,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  checkFormat('router backward', 'the router', router);
  return compileKernel(ctx, cache, routerBackwardKernel, {
    formats: { probs: router, gates: router, dlogits: router },
    counting,
  });
}

function checkSizes(op: string, s: RouterSizes): void {
  checkCount(op, 'N', s.N);
  checkRouting(op, s.E, s.k);
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
  checkSizes(op, s);
  checkSize(op, 'logits', t.logits, s.N * s.E);
  checkSize(op, 'probs', t.probs, s.N * s.E);
  checkSize(op, 'gates', t.gates, s.N * s.k);
  checkSize(op, 'topIdx', t.topIdx, s.N * s.k);
  const c = countersOf(kernel, counting);
  runKernel(target, kernel, {
    buffers: { ...t, ...c.buffers },
    uniforms: { N: s.N, E: s.E, k: s.k, group: c.group },
    work: [s.N],
  });
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
  checkSizes(op, s);
  checkSameStorage(op, t.probs, t.dlogits);
  checkSize(op, 'dlogits', t.dlogits, s.N * s.E);
  checkSize(op, 'dprobs', t.dprobs, s.N * s.E);
  checkSize(op, 'dgates', t.dgates, s.N * s.k);
  checkSize(op, 'probs', t.probs, s.N * s.E);
  checkSize(op, 'gates', t.gates, s.N * s.k);
  checkSize(op, 'topIdx', t.topIdx, s.N * s.k);
  checkF32(op, 'dprobs', t.dprobs);
  checkF32(op, 'dgates', t.dgates);
  const c = countersOf(kernel, counting);
  runKernel(target, kernel, {
    buffers: { ...t, ...c.buffers },
    uniforms: { N: s.N, E: s.E, k: s.k, group: c.group },
    work: [s.N],
  });
}
