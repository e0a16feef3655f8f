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
import type { Bindable, CompiledKernel } from '../kernel';
import gatherWgsl from './gather.wgsl?raw';
import gatherBackwardWgsl from './gatherBackward.wgsl?raw';
import { compileMoeKernel, launchMoe, moeKernel } from './factory';
import { checkBindings, checkRowShape, checkSameStorage } from './shared';

// work = [words of the output].
export const gatherForwardKernel = moeKernel({
  name: 'moe_gather_forward',
  body: gatherWgsl,
  bindings: { inp: 'main', tokenOf: 'u32', out: 'main rw' },
  uniforms: { R: 'u32', C: 'u32', words: 'u32' },
});

export const gatherBackwardKernel = moeKernel({
  name: 'moe_gather_backward',
  body: gatherBackwardWgsl,
  bindings: { dout: 'main', rowOf: 'u32', dinp: 'main rw' },
  uniforms: { N: 'u32', C: 'u32', k: 'u32', words: 'u32' },
  counts: true,
});

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
  return compileMoeKernel(ctx, cache, 'gather forward', gatherForwardKernel, { main: format });
}

/** `format`: storage of dout and dinp (the main format). */
export function compileGatherBackward(
  ctx: GpuContext,
  cache: PipelineCache,
  format: FormatName,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  const f = { main: format };
  return compileMoeKernel(ctx, cache, 'gather backward', gatherBackwardKernel, f, counting);
}

/** out (R,C) <- rows of inp (N,C) in grouped order. */
export function recordGatherForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  t: { out: Tensor; inp: Tensor; tokenOf: Bindable },
  s: GatherSizes,
): void {
  const op = 'gather forward';
  checkRowShape(op, s);
  checkSameStorage(op, t.inp, t.out);
  const R = s.N * s.k;
  checkBindings(op, t, { inp: s.N * s.C, out: R * s.C, tokenOf: R });
  const words = wordCount(t.out.storage, R * s.C);
  launchMoe(target, kernel, { buffers: t, uniforms: { R, C: s.C, words }, work: [words] });
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
  checkRowShape(op, s);
  const { N, C, k } = s;
  checkBindings(op, t, { dinp: N * C, dout: N * k * C, rowOf: N * k });
  const words = wordCount(t.dinp.storage, N * C);
  launchMoe(target, kernel, { buffers: t, uniforms: { N, C, k, words }, work: [words] }, counting);
}
