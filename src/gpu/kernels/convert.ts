/**
 * Conversion kernels: cast between storage formats (f32 -> packed fp16/bf16/fp8 with cast-event
 * counting, packed -> f32, or any pair), and a plain f32 copy as the bandwidth baseline.
 * Rounding is the prelude's integer round-to-nearest-even; decoding is exact.
 */
import type { FormatName } from '../../numerics';
import type { GpuContext } from '../device';
import type { PipelineCache } from '../pipelines';
import type { Tensor } from '../tensor';
import { wordCount } from '../packing';
import type { EventCounters, EventCounting } from './counters';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type Bindable,
  type CompiledKernel,
  type KernelDescriptor,
} from './kernel';
import convertWgsl from './convert.wgsl?raw';
import copyWgsl from './copy.wgsl?raw';

const WG = 256;

/** src (any format) -> dst (any format); work = [dst words]. */
export const castKernel: KernelDescriptor = {
  name: 'cast',
  body: convertWgsl,
  bindings: [
    { name: 'src', access: 'read', type: 'tensor' },
    { name: 'dst', access: 'read_write', type: 'tensor' },
  ],
  uniforms: { n: 'u32', words: 'u32', group: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: true,
  dispatch: ([words], limits) => dispatch1d(words, WG, limits.maxComputeWorkgroupsPerDimension),
};

/** dst[i] = src[i] on raw f32 words; work = [n]. */
export const copyF32Kernel: KernelDescriptor = {
  name: 'copy_f32',
  body: copyWgsl,
  bindings: [
    { name: 'src', access: 'read', type: 'u32' },
    { name: 'dst', access: 'read_write', type: 'u32' },
  ],
  uniforms: { n: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: ([n], limits) => dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension),
};

/** The cast kernel for src -> dst; counting defaults to subgroups when present, else atomics. */
export function compileCast(
  ctx: GpuContext,
  cache: PipelineCache,
  src: FormatName,
  dst: FormatName,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  return compileKernel(ctx, cache, castKernel, { formats: { src, dst }, counting });
}

export interface CastCounting {
  counters: EventCounters;
  /** Counter group the dst tensor's events go to. */
  group: number;
}

/** Records dst = cast(src) into `target`; events are added to `counting` when the kernel counts. */
export function recordCast(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  src: Tensor,
  dst: Tensor,
  counting?: CastCounting,
): void {
  if (src.size !== dst.size) {
    throw new Error(
      `Cannot cast "${src.label}" (${src.size} values) into "${dst.label}" (${dst.size} values): sizes must match.`,
    );
  }
  if (kernel.variant.counting !== 'off' && !counting) {
    throw new Error(
      `Kernel "${kernel.key}" counts events: pass the counters and a group, or compile it with counting 'off'.`,
    );
  }
  const words = wordCount(dst.storage, dst.size);
  const buffers: Record<string, Bindable> = counting
    ? { src, dst, counters: counting.counters }
    : { src, dst };
  runKernel(target, kernel, {
    buffers,
    uniforms: { n: dst.size, words, group: counting?.group ?? 0 },
    work: [words],
  });
}

export function compileCopyF32(ctx: GpuContext, cache: PipelineCache): Promise<CompiledKernel> {
  return compileKernel(ctx, cache, copyF32Kernel);
}

/** Records dst = src for two fp32 tensors of the same size. */
export function recordCopyF32(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  src: Tensor,
  dst: Tensor,
): void {
  if (src.storage !== 'fp32' || dst.storage !== 'fp32' || src.size !== dst.size) {
    throw new Error(
      `copy_f32 copies between fp32 tensors of one size; got "${src.label}" (${src.storage}, ${src.size}) and "${dst.label}" (${dst.storage}, ${dst.size}).`,
    );
  }
  runKernel(target, kernel, { buffers: { src, dst }, uniforms: { n: src.size }, work: [src.size] });
}
