/**
 * The end of an optimizer step on the GPU, one invocation (scalerUpdate.wgsl): the GradScaler
 * update (torch's _amp_update_scale_, numerics GradScaler.update) when the lane scales its loss,
 * and for every lane the step count and skip bookkeeping of the optimizer state. Record it after
 * the lane's optimizer kernels: it clears foundInf for the next step.
 */
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import { f32Bits } from '../../../numerics';
import { compileKernel, runKernel, type CompiledKernel, type KernelDescriptor } from '../kernel';
import { arithmeticWgsl } from './arithmetic';
import type { OptimizerState } from './optimizerState';
import scalerUpdateWgsl from './scalerUpdate.wgsl?raw';

export const scalerUpdateKernel: KernelDescriptor = {
  name: 'scaler_update',
  body: arithmeticWgsl('exact') + scalerUpdateWgsl,
  bindings: [{ name: 'state', access: 'read_write', type: 'u32' }],
  uniforms: { scaling: 'u32', growth_factor: 'u32', backoff_factor: 'u32', growth_interval: 'u32' },
  workgroupSize: [1, 1, 1],
  countsEvents: false,
  dispatch: () => [1, 1, 1],
};

/** torch.amp.GradScaler's update settings (defaults 2, 0.5, 2000). */
export interface ScalerUpdateOptions {
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
}

/** A sentence saying what is wrong, or null. The GPU multiplies the f32 scale by the factors in
 * f32, which equals torch's f32(scale * double factor) only for factors that are f32 values. */
export function scalerUpdateOptionsError(o: ScalerUpdateOptions): string | null {
  const growth = o.growthFactor ?? 2;
  const backoff = o.backoffFactor ?? 0.5;
  const interval = o.growthInterval ?? 2000;
  if (!(growth > 1) || Math.fround(growth) !== growth)
    return `GradScaler growthFactor ${growth} must be above 1 and exact in f32 (e.g. 2) for the GPU update to match torch.`;
  if (!(backoff >= 0 && backoff < 1) || Math.fround(backoff) !== backoff)
    return `GradScaler backoffFactor ${backoff} must be in [0, 1) and exact in f32 (e.g. 0.5) for the GPU update to match torch.`;
  if (!(Number.isInteger(interval) && interval >= 1 && interval <= 0x7fffffff))
    return `GradScaler growthInterval ${interval} must be a whole number of steps, at least 1 (default 2000).`;
  return null;
}

export function compileScalerUpdate(
  ctx: GpuContext,
  cache: PipelineCache,
): Promise<CompiledKernel> {
  return compileKernel(ctx, cache, scalerUpdateKernel);
}

/** Records the step end; scaler: the lane's GradScaler settings, or null without loss scaling. */
export function recordStepEnd(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  state: OptimizerState,
  scaler: ScalerUpdateOptions | null,
): void {
  if (scaler) {
    const error = scalerUpdateOptionsError(scaler);
    if (error) throw new Error(error);
  }
  runKernel(target, kernel, {
    buffers: { state: state.buffer },
    uniforms: {
      scaling: scaler ? 1 : 0,
      growth_factor: f32Bits(scaler?.growthFactor ?? 2),
      backoff_factor: f32Bits(scaler?.backoffFactor ?? 0.5),
      growth_interval: scaler?.growthInterval ?? 2000,
    },
    work: [1],
  });
}
