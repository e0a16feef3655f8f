/**
 * Pure low-precision AdamW (bf16-pure; src/model/reference/adamw.ts adamwStepPure): weights stored
 * in their format with no master copy, the update computed in f32 from the stored value and
 * rounded back to nearest even or stochastically, lost updates counted on the GPU (adamwPure.wgsl).
 *
 * Stochastic rounding draws numerics random32(stepKey, counter + j) for element j of the range,
 * stepKey = pureStepKey(key, t) with t the step number the GPU holds (stepsDone + 1): the CPU
 * reference gives the same bits with adamwStepPure(..., { key: pureStepKey(key, t), counter }).
 * Give each tensor its own counter range (e.g. its offset in the flat layout) or its own key.
 */
import { random32, type FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { EventCounting } from '../counters';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import { arithmeticSuffix, type Arithmetic } from './arithmetic';
import {
  ADAMW_SHARED_BINDINGS,
  ADAMW_SHARED_UNIFORMS,
  adamwBody,
  adamwSharedBuffers,
  adamwSharedUniforms,
  checkRange,
  momentsStride,
  wordsTouched,
  type AdamWStepInputs,
} from './adamw';
import adamwPureWgsl from './adamwPure.wgsl?raw';

const WG = 64;

/** The PRNG key of step t (t >= 1) for a tensor's base key: random32(key, t). */
export function pureStepKey(key: number, t: number): number {
  return random32(key >>> 0, t >>> 0);
}

export function adamwPureKernel(arithmetic: Arithmetic = 'exact'): KernelDescriptor {
  return {
    name: `adamw_pure${arithmeticSuffix(arithmetic)}`,
    body: adamwBody(arithmetic, adamwPureWgsl),
    bindings: [
      { name: 'weights', access: 'read_write', type: 'tensor' },
      ...ADAMW_SHARED_BINDINGS,
      { name: 'lost_updates', access: 'read_write', type: 'atomic_u32' },
    ],
    uniforms: {
      ...ADAMW_SHARED_UNIFORMS,
      words: 'u32',
      group: 'u32',
      stochastic: 'u32',
      key: 'u32',
      counter: 'u32',
      lost_index: 'u32',
    },
    workgroupSize: [WG, 1, 1],
    countsEvents: true,
    dispatch: ([words], limits) => dispatch1d(words, WG, limits.maxComputeWorkgroupsPerDimension),
  };
}

export interface AdamWPureVariant {
  weights: FormatName;
  grads: FormatName;
  arithmetic?: Arithmetic;
  counting?: EventCounting;
}

export function compileAdamWPure(
  ctx: GpuContext,
  cache: PipelineCache,
  variant: AdamWPureVariant,
): Promise<CompiledKernel> {
  return compileKernel(ctx, cache, adamwPureKernel(variant.arithmetic ?? 'exact'), {
    formats: { weights: variant.weights, grads: variant.grads },
    counting: variant.counting,
  });
}

export interface AdamWPureTensors {
  /** Stored weights (fp16 / bf16 / fp32), updated in place. */
  weights: Tensor;
  grads: Tensor;
  /** (2, N) fp32: exp_avg, then exp_avg_sq. */
  moments: Tensor;
}

export interface AdamWPureSizes {
  n: number;
  /** First element in weights and in both moment rows. */
  offset?: number;
  gradOffset?: number;
}

export interface AdamWPureInputs extends AdamWStepInputs {
  rounding: 'nearest' | 'stochastic';
  /** Base PRNG key of the tensor (stochastic rounding); the step mixes in t on the GPU. */
  key?: number;
  /** Counter of the range's first element (stochastic rounding). */
  counter?: number;
  /** u32 counters; lost updates of this range are added to word `index`. */
  lostUpdates: { buffer: GPUBuffer; index: number };
}

/** Records one pure AdamW step of elements [offset, offset + n) into `target`. */
export function recordAdamWPure(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  tensors: AdamWPureTensors,
  sizes: AdamWPureSizes,
  inputs: AdamWPureInputs,
): void {
  const { n, offset = 0, gradOffset = 0 } = sizes;
  const name = kernel.key;
  checkRange(name, tensors.weights, offset, n);
  const stride = momentsStride(name, tensors.moments, offset, n);
  checkRange(name, tensors.grads, gradOffset, n);
  const lostWords = inputs.lostUpdates.buffer.size / 4;
  if (!(Number.isInteger(inputs.lostUpdates.index) && inputs.lostUpdates.index < lostWords)) {
    throw new Error(
      `${name}: lost-update counter ${inputs.lostUpdates.index} is outside its buffer (${lostWords} counters).`,
    );
  }
  if (kernel.variant.counting !== 'off' && !inputs.counting) {
    throw new Error(
      `${name} counts the weights' cast events: pass inputs.counting, or compile it with counting 'off'.`,
    );
  }
  const words = wordsTouched(tensors.weights.storage, offset, n);
  if (words === 0) return;
  runKernel(target, kernel, {
    buffers: {
      weights: tensors.weights,
      ...adamwSharedBuffers(tensors, inputs),
      lost_updates: inputs.lostUpdates.buffer,
      ...(inputs.counting ? { counters: inputs.counting.counters } : {}),
    },
    uniforms: {
      ...adamwSharedUniforms(inputs, n, offset, gradOffset, stride),
      words,
      group: inputs.counting?.group ?? 0,
      stochastic: inputs.rounding === 'stochastic' ? 1 : 0,
      key: (inputs.key ?? 0) >>> 0,
      counter: (inputs.counter ?? 0) >>> 0,
      lost_index: inputs.lostUpdates.index,
    },
    work: [words],
  });
}
