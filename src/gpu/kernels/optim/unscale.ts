/**
 * GradScaler.unscale_ on the GPU (src/model/reference/gradNorm.ts unscaleGrads, numerics
 * GradScaler.unscale): out = grads * invScale in f32, with foundInf from the SCALED gradients
 * or-ed into the optimizer state; invScale is read from that state, so the loss scale never
 * visits the CPU. Out-of-place (a WebGPU dispatch cannot bind one buffer for reading and
 * writing): the scaled fp16 gradients of fp16-amp become f32 gradients. out is normally fp32
 * (the reference keeps unscaled gradients in f32); a narrower out is rounded to nearest even.
 * Cast events of out (nonfinite ones, for fp32) are counted when the kernel counts.
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { EventCounters, EventCounting } from '../counters';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import { PACKED_LANES_WGSL, arithmeticWgsl } from './arithmetic';
import { checkRange, wordsTouched } from './adamw';
import type { OptimizerState } from './optimizerState';
import unscaleWgsl from './unscale.wgsl?raw';

const WG = 64;

export const unscaleKernel: KernelDescriptor = {
  name: 'unscale',
  body: [arithmeticWgsl('exact'), PACKED_LANES_WGSL, unscaleWgsl].join('\n'),
  bindings: [
    { name: 'src', access: 'read', type: 'tensor' },
    { name: 'dst', access: 'read_write', type: 'tensor' },
    { name: 'state', access: 'read_write', type: 'atomic_u32' },
  ],
  uniforms: { n: 'u32', src_offset: 'u32', dst_offset: 'u32', words: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: ([words], limits) => dispatch1d(words, WG, limits.maxComputeWorkgroupsPerDimension),
};

export function compileUnscale(
  ctx: GpuContext,
  cache: PipelineCache,
  grads: FormatName,
  out: FormatName = 'fp32',
  counting?: EventCounting,
): Promise<CompiledKernel> {
  return compileKernel(ctx, cache, unscaleKernel, { formats: { src: grads, dst: out }, counting });
}

export interface UnscaleSizes {
  n?: number;
  gradOffset?: number;
  outOffset?: number;
}

/** Records out[outOffset + j] = grads[gradOffset + j] * invScale for j < n (default: all). */
export function recordUnscale(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  tensors: { grads: Tensor; out: Tensor },
  sizes: UnscaleSizes,
  inputs: { state: OptimizerState; counting?: { counters: EventCounters; group: number } },
): void {
  const { grads, out } = tensors;
  const { n = grads.size, gradOffset = 0, outOffset = 0 } = sizes;
  checkRange(kernel.key, grads, gradOffset, n);
  checkRange(kernel.key, out, outOffset, n);
  if (grads.buffer === out.buffer) {
    throw new Error(
      `${kernel.key}: "${grads.label}" cannot be unscaled in place (WebGPU forbids reading and writing one buffer in a dispatch); give a separate f32 output.`,
    );
  }
  if (kernel.variant.counting !== 'off' && !inputs.counting) {
    throw new Error(
      `${kernel.key} counts cast events: pass inputs.counting, or compile it with counting 'off'.`,
    );
  }
  const words = wordsTouched(out.storage, outOffset, n);
  if (words === 0) return;
  runKernel(target, kernel, {
    buffers: {
      src: grads,
      dst: out,
      state: inputs.state.buffer,
      ...(inputs.counting ? { counters: inputs.counting.counters } : {}),
    },
    uniforms: {
      n,
      src_offset: gradOffset,
      dst_offset: outOffset,
      words,
      group: inputs.counting?.group ?? 0,
    },
    work: [words],
  });
}
