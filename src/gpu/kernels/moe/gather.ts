/**
 * MoE gather of each expert's token rows and its backward (reference: model/reference/dispatch.ts):
 *   out (R,C) = inp[tokenOf[r]]               copy of stored bits, no rounding
 *   dinp (N,C) = store(sum_s dout[rowOf[t,s]]) f32 sum in slot order, one invocation per word
 * R = N*k. tokenOf and rowOf come from the dispatch (GpuDispatch).
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
import gatherWgsl from './gather.wgsl?raw';
import gatherBackwardWgsl from './gatherBackward.wgsl?raw';
import { checkCount, checkFormat, checkSameStorage, checkSize, countersOf } from './shared';

const WG = 256;
/** work = [words of the output]. */
const perWord = (
  [words]: readonly number[],
  limits: GPUSupportedLimits,
): [number, number, number] => dispatch1d(words, WG, limits.maxComputeWorkgroupsPerDimension);

export const gatherForwardKernel: KernelDescriptor = {
  name: 'moe_gather_forward',
  body: gatherWgsl,
  bindings: [
    { name: 'inp', access: 'read', type: 'tensor' },
    { name: 'tokenOf', access: 'read', type: 'u32' },
    { name: 'out', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { R: 'u32', C: 'u32', words: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: perWord,
};

export const gatherBackwardKernel: KernelDescriptor = {
  name: 'moe_gather_backward',
  body: gatherBackwardWgsl,
  bindings: [
    { name: 'dout', access: 'read', type: 'tensor' },
    { name: 'rowOf', access: 'read', type: 'u32' },
    { name: 'dinp', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { N: 'u32', C: 'u32', k: 'u32', words: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: perWord,
};

export interface GatherSizes {
  N: number;
  C: number;
  k: number;
}

/** `format`: storage of inp and out (the main format). */
export function compileGatherForward(
  ctx: GpuContext,
  cache: PipelineCache,
  format: FormatName,
): Promise<CompiledKernel> {
  checkFormat('gather forward', 'the activations', format);
  return compileKernel(ctx, cache, gatherForwardKernel, { formats: { inp: format, out: format } });
}

/** `format`: storage of dout and dinp (the main format). */
export function compileGatherBackward(
  ctx: GpuContext,
  cache: PipelineCache,
  format: FormatName,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  checkFormat('gather backward', 'the gradients', format);
  return compileKernel(ctx, cache, gatherBackwardKernel, {
    formats: { dout: format, dinp: format },
    counting,
  });
}

function checkSizes(op: string, s: GatherSizes): void {
  checkCount(op, 'N', s.N);
  checkCount(op, 'C', s.C);
  checkCount(op, 'k', s.k);
}

/** out (R,C) <- rows of inp (N,C) in grouped order. */
export function recordGatherForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: { out: Tensor; inp: Tensor; tokenOf: Bindable },
  s: GatherSizes,
): void {
  const op = 'gather forward';
  checkSizes(op, s);
  checkSameStorage(op, t.inp, t.out);
  const R = s.N * s.k;
  checkSize(op, 'inp', t.inp, s.N * s.C);
  checkSize(op, 'out', t.out, R * s.C);
  checkSize(op, 'tokenOf', t.tokenOf, R);
  const words = wordCount(t.out.storage, R * s.C);
  runKernel(target, kernel, {
    buffers: t,
    uniforms: { R, C: s.C, words },
    work: [words],
  });
}

/** dinp (N,C) overwritten <- sum of each token's k row gradients of dout (R,C). */
export function recordGatherBackward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: { dinp: Tensor; dout: Tensor; rowOf: Bindable },
  s: GatherSizes,
  counting?: CastCounting,
): void {
  const op = 'gather backward';
  checkSizes(op, s);
  checkSize(op, 'dinp', t.dinp, s.N * s.C);
  checkSize(op, 'dout', t.dout, s.N * s.k * s.C);
  checkSize(op, 'rowOf', t.rowOf, s.N * s.k);
  const c = countersOf(kernel, counting);
  const words = wordCount(t.dinp.storage, s.N * s.C);
  runKernel(target, kernel, {
    buffers: { ...t, ...c.buffers },
    uniforms: { N: s.N, C: s.C, k: s.k, words, group: c.group },
    work: [words],
  });
}
