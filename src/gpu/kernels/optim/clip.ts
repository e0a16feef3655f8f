/**
 * Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_, src/model/reference/gradNorm.ts
 * clipByGlobalNorm): f32 gradients multiplied in place by the coefficient that recordGradNorm
 * computed on the GPU. AdamW can apply the same coefficient itself while reading the gradients
 * (AdamWStepInputs.clipNorm), which also serves gradients stored in 16 bits; this kernel is for
 * f32 gradients other consumers read clipped.
 */
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import { arithmeticWgsl } from './arithmetic';
import { checkRange, checkStorage } from './adamw';
import type { GradNormOutput } from './gradNorm';
import clipWgsl from './clip.wgsl?raw';

const WG = 64;

export const clipKernel: KernelDescriptor = {
  name: 'clip_grads',
  body: arithmeticWgsl('exact') + clipWgsl,
  bindings: [
    { name: 'grads', access: 'read_write', type: 'u32' },
    { name: 'norm', access: 'read', type: 'u32' },
  ],
  uniforms: { n: 'u32', offset: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: ([n], limits) => dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension),
};

export function compileClip(ctx: GpuContext, cache: PipelineCache): Promise<CompiledKernel> {
  return compileKernel(ctx, cache, clipKernel);
}

/** Records grads[offset + j] *= coef for j < n (default: the whole tensor). */
export function recordClipGrads(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  grads: Tensor,
  norm: GradNormOutput,
  sizes: { n?: number; offset?: number } = {},
): void {
  const { n = grads.size, offset = 0 } = sizes;
  checkStorage(kernel.key, grads, 'fp32');
  checkRange(kernel.key, grads, offset, n);
  if (n === 0) return;
  runKernel(target, kernel, {
    buffers: { grads: grads.buffer, norm: norm.buffer },
    uniforms: { n, offset },
    work: [n],
  });
}
