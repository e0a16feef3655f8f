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
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type Bindable,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import combineWgsl from './combine.wgsl?raw';
import combineBackwardExpertWgsl from './combineBackwardExpert.wgsl?raw';
import combineBackwardGatesWgsl from './combineBackwardGates.wgsl?raw';
import { checkCount, checkF32, checkFormat, checkSize, countersOf } from './shared';

const WG = 256;
/** work = [words of the output] or [N*k]. */
const linear = ([n]: readonly number[], limits: GPUSupportedLimits): [number, number, number] =>
  dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension);

export const combineForwardKernel: KernelDescriptor = {
  name: 'moe_combine_forward',
  body: combineWgsl,
  bindings: [
    { name: 'eo', access: 'read', type: 'tensor' },
    { name: 'gates', access: 'read', type: 'tensor' },
    { name: 'rowOf', access: 'read', type: 'u32' },
    { name: 'y', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { N: 'u32', C: 'u32', k: 'u32', words: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: linear,
};

export const combineBackwardExpertKernel: KernelDescriptor = {
  name: 'moe_combine_backward_expert',
  body: combineBackwardExpertWgsl,
  bindings: [
    { name: 'dy', access: 'read', type: 'tensor' },
    { name: 'gates', access: 'read', type: 'tensor' },
    { name: 'tokenOf', access: 'read', type: 'u32' },
    { name: 'rowOf', access: 'read', type: 'u32' },
    { name: 'deo', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { R: 'u32', C: 'u32', k: 'u32', words: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: linear,
};

export const combineBackwardGatesKernel: KernelDescriptor = {
  name: 'moe_combine_backward_gates',
  body: combineBackwardGatesWgsl,
  bindings: [
    { name: 'dy', access: 'read', type: 'tensor' },
    { name: 'eo', access: 'read', type: 'tensor' },
    { name: 'rowOf', access: 'read', type: 'u32' },
    { name: 'dgates', access: 'read_write', type: 'f32' },
  ],
  uniforms: { N: 'u32', C: 'u32', k: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: linear,
};

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

function checkFormats(op: string, f: CombineFormats): void {
  checkFormat(op, 'the activations', f.main);
  checkFormat(op, 'the gates', f.router);
}

export function compileCombineForward(
  ctx: GpuContext,
  cache: PipelineCache,
  f: CombineFormats,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  checkFormats('combine forward', f);
  return compileKernel(ctx, cache, combineForwardKernel, {
    formats: { eo: f.main, gates: f.router, y: f.main },
    counting,
  });
}

export interface CombineBackwardKernels {
  expert: CompiledKernel;
  gates: CompiledKernel;
}

export async function compileCombineBackward(
  ctx: GpuContext,
  cache: PipelineCache,
  f: CombineFormats,
  counting?: EventCounting,
): Promise<CombineBackwardKernels> {
  checkFormats('combine backward', f);
  const [expert, gates] = await Promise.all([
    compileKernel(ctx, cache, combineBackwardExpertKernel, {
      formats: { dy: f.main, gates: f.router, deo: f.main },
      counting,
    }),
    compileKernel(ctx, cache, combineBackwardGatesKernel, { formats: { dy: f.main, eo: f.main } }),
  ]);
  return { expert, gates };
}

function checkSizes(op: string, s: CombineSizes): void {
  checkCount(op, 'N', s.N);
  checkCount(op, 'C', s.C);
  checkCount(op, 'k', s.k);
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
  checkSizes(op, s);
  checkSize(op, 'out', t.out, s.N * s.C);
  checkSize(op, 'expertOut', t.expertOut, s.N * s.k * s.C);
  checkSize(op, 'gates', t.gates, s.N * s.k);
  checkSize(op, 'rowOf', t.rowOf, s.N * s.k);
  const c = countersOf(kernel, counting);
  const words = wordCount(t.out.storage, s.N * s.C);
  runKernel(target, kernel, {
    buffers: { eo: t.expertOut, gates: t.gates, rowOf: t.rowOf, y: t.out, ...c.buffers },
    uniforms: { N: s.N, C: s.C, k: s.k, words, group: c.group },
    work: [words],
  });
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
  checkSizes(op, s);
  const R = s.N * s.k;
  checkSize(op, 'dexpertOut', t.dexpertOut, R * s.C);
  checkSize(op, 'dgates', t.dgates, R);
  checkSize(op, 'dout', t.dout, s.N * s.C);
  checkSize(op, 'expertOut', t.expertOut, R * s.C);
  checkSize(op, 'gates', t.gates, R);
  checkSize(op, 'rowOf', t.rowOf, R);
  checkSize(op, 'tokenOf', t.tokenOf, R);
  checkF32(op, 'dgates', t.dgates);
  const c = countersOf(kernels.expert, counting);
  const words = wordCount(t.dexpertOut.storage, R * s.C);
  runKernel(target, kernels.expert, {
    buffers: {
      dy: t.dout,
      gates: t.gates,
      tokenOf: t.tokenOf,
      rowOf: t.rowOf,
      deo: t.dexpertOut,
      ...c.buffers,
    },
    uniforms: { R, C: s.C, k: s.k, words, group: c.group },
    work: [words],
  });
  runKernel(target, kernels.gates, {
    buffers: { dy: t.dout, eo: t.expertOut, rowOf: t.rowOf, dgates: t.dgates },
    uniforms: { N: s.N, C: s.C, k: s.k },
    work: [R],
  });
}
