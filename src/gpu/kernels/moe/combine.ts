/**
 * MoE weighted combine of expert outputs back into token order, forward and backward
 * (reference: model/reference/combine.ts):
 *   y (N,C)     = store(sum_s gate[t,s] * expertOut[rowOf[t,s]])      f32, slots ascending
 *   deo (R,C)   = store(gate[t,s] * dy[t])                            for the (t,s) of each row
 *   dgates (N,k) = sum_c dy[t,c] * expertOut[rowOf[t,s], c]            f32, kept for the router
 * expertOut, y, dy, deo in the main storage format; gates in the router's.
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import { wordCount } from '../../packing';
import type { Tensor } from '../../tensor';
import type { CastCounting } from '../convert';
import type { EventCounting } from '../counters';
import type { Bindable, CompiledKernel } from '../kernel';
import combineWgsl from './combine.wgsl?raw';
import combineBackwardExpertWgsl from './combineBackwardExpert.wgsl?raw';
import combineBackwardGatesWgsl from './combineBackwardGates.wgsl?raw';
import { compileMoeKernel, compileMoeKernels, launchMoe, moeKernel } from './factory';
import { checkBindings, checkRowShape } from './shared';

// work = [words of the output] or [N*k].
export const combineForwardKernel = moeKernel({
  name: 'moe_combine_forward',
  body: combineWgsl,
  bindings: { eo: 'main', gates: 'router', rowOf: 'u32', y: 'main rw' },
  uniforms: { N: 'u32', C: 'u32', k: 'u32', words: 'u32' },
  counts: true,
});

export const combineBackwardExpertKernel = moeKernel({
  name: 'moe_combine_backward_expert',
  body: combineBackwardExpertWgsl,
  bindings: { dy: 'main', gates: 'router', tokenOf: 'u32', rowOf: 'u32', deo: 'main rw' },
  uniforms: { R: 'u32', C: 'u32', k: 'u32', words: 'u32' },
  counts: true,
});

export const combineBackwardGatesKernel = moeKernel({
  name: 'moe_combine_backward_gates',
  body: combineBackwardGatesWgsl,
  bindings: { dy: 'main', eo: 'main', rowOf: 'u32', dgates: 'f32 rw' },
  uniforms: { N: 'u32', C: 'u32', k: 'u32' },
});

export interface CombineSizes {
  N: number;
  C: number;
  k: number;
}

/** Storage formats: `main` for expert outputs and activations, `router` for the gates. */
export interface CombineFormats {
  main: FormatName;
  router: FormatName;
}

export function compileCombineForward(
  ctx: GpuContext,
  cache: PipelineCache,
  f: CombineFormats,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  return compileMoeKernel(ctx, cache, 'combine forward', combineForwardKernel, f, counting);
}

export interface CombineBackwardKernels {
  expert: CompiledKernel;
  gates: CompiledKernel;
}

export function compileCombineBackward(
  ctx: GpuContext,
  cache: PipelineCache,
  f: CombineFormats,
  counting?: EventCounting,
): Promise<CombineBackwardKernels> {
  const kernels = { expert: combineBackwardExpertKernel, gates: combineBackwardGatesKernel };
  return compileMoeKernels(ctx, cache, 'combine backward', kernels, f, counting);
}

/** out (N,C) overwritten <- gate-weighted sum of each token's k expert output rows. */
export function recordCombineForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: { out: Tensor; expertOut: Tensor; gates: Tensor; rowOf: Bindable },
  s: CombineSizes,
  counting?: CastCounting,
): void {
  const op = 'combine forward';
  checkRowShape(op, s);
  const { N, C, k } = s;
  const R = N * k;
  checkBindings(op, t, { out: N * C, expertOut: R * C, gates: R, rowOf: R });
  const words = wordCount(t.out.storage, N * C);
  const buffers = { eo: t.expertOut, gates: t.gates, rowOf: t.rowOf, y: t.out };
  launchMoe(target, kernel, { buffers, uniforms: { N, C, k, words }, work: [words] }, counting);
}

/** dexpertOut (R,C) and dgates (N,k, f32) overwritten from dout (N,C). Events: dexpertOut stores. */
export function recordCombineBackward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernels: CombineBackwardKernels,
  t: {
    dexpertOut: Tensor;
    dgates: Bindable;
    dout: Tensor;
    expertOut: Tensor;
    gates: Tensor;
    rowOf: Bindable;
    tokenOf: Bindable;
  },
  s: CombineSizes,
  counting?: CastCounting,
): void {
  const op = 'combine backward';
  checkRowShape(op, s);
  const { N, C, k } = s;
  const R = N * k;
  const sizes = { dexpertOut: R * C, dgates: R, dout: N * C, expertOut: R * C, gates: R };
  checkBindings(op, t, { ...sizes, rowOf: R, tokenOf: R }, ['dgates']);
  const words = wordCount(t.dexpertOut.storage, R * C);
  const { dout: dy, gates, tokenOf, rowOf } = t;
  launchMoe(
    target,
    kernels.expert,
    {
      buffers: { dy, gates, tokenOf, rowOf, deo: t.dexpertOut },
      uniforms: { R, C, k, words },
      work: [words],
    },
    counting,
  );
  launchMoe(target, kernels.gates, {
    buffers: { dy, eo: t.expertOut, rowOf, dgates: t.dgates },
    uniforms: { N, C, k },
    work: [R],
  });
}
