/**
 * AdamW kernels (torch.optim.AdamW, src/model/reference/adamw.ts) on GPU tensors:
 *   master  f32 master weights (fp32 recipe; f32 tensors of every recipe)
 *   copy    f32 master weights AND, in the same pass, the low-precision copy the next forward
 *           reads (fp16-amp / bf16-amp: the master cast with round to nearest even, events
 *           counted): one read of the master per step instead of an update plus a cast
 *   pure    weights stored in their format, no master (bf16-pure): adamwPure.ts
 * All read the optimizer state (optimizerState.ts): when foundInf is set they change nothing
 * (GradScaler's skipped step, decided on the GPU), and t = stepsDone + 1 picks the bias
 * corrections from the step table (adamwScalars.ts). With `clipNorm` the gradients are first
 * multiplied by the grad-norm output's clip coefficient, as clip_grad_norm_ then step would do.
 *
 * Moments: one fp32 tensor of shape (2, N), torch's exp_avg in row 0 and exp_avg_sq in row 1 (one
 * binding instead of two: with event counters the kernels stay within WebGPU's default of 8
 * storage buffers per stage).
 * Element ranges: `n` elements from `offset` in master and in both moment rows (one parameter
 * layout), from `gradOffset` in grads and from `copyOffset` in copy, so a flat parameter buffer
 * can be updated tensor by tensor. Packed copies: one invocation owns a copy word; the lanes of a
 * boundary word outside the range keep their bits (the neighbouring tensor's dispatch writes
 * them, in its own dispatch).
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import { lanesPerWord } from '../formatWgsl';
import type { EventCounters, EventCounting } from '../counters';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type Bindable,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import { PACKED_LANES_WGSL, arithmeticSuffix, arithmeticWgsl, type Arithmetic } from './arithmetic';
import { adamwUniformBits, type AdamWStepTable } from './adamwScalars';
import type { OptimizerState } from './optimizerState';
import type { GradNormOutput } from './gradNorm';
import adamwCommonWgsl from './adamwCommon.wgsl?raw';
import adamwMasterWgsl from './adamwMaster.wgsl?raw';
import adamwMasterCopyWgsl from './adamwMasterCopy.wgsl?raw';

const WG = 64;

/** Bindings every AdamW kernel has besides its weights. */
export const ADAMW_SHARED_BINDINGS = [
  { name: 'grads', access: 'read', type: 'tensor' },
  { name: 'moments', access: 'read_write', type: 'u32' },
  { name: 'state', access: 'read', type: 'u32' },
  { name: 'steps', access: 'read', type: 'u32' },
  { name: 'norm', access: 'read', type: 'u32' },
] as const;

export const ADAMW_SHARED_UNIFORMS = {
  n: 'u32',
  offset: 'u32',
  grad_offset: 'u32',
  decay: 'u32',
  one_minus_beta1: 'u32',
  beta2: 'u32',
  one_minus_beta2: 'u32',
  eps: 'u32',
  rows: 'u32',
  clip: 'u32',
  moments_stride: 'u32',
} as const;

/** The WGSL body: arithmetic, lane helpers, the shared element update, then `main`. */
export function adamwBody(arithmetic: Arithmetic, main: string): string {
  return [arithmeticWgsl(arithmetic), PACKED_LANES_WGSL, adamwCommonWgsl, main].join('\n');
}

export function adamwMasterKernel(arithmetic: Arithmetic = 'exact'): KernelDescriptor {
  return {
    name: `adamw_master${arithmeticSuffix(arithmetic)}`,
    body: adamwBody(arithmetic, adamwMasterWgsl),
    bindings: [{ name: 'master', access: 'read_write', type: 'u32' }, ...ADAMW_SHARED_BINDINGS],
    uniforms: ADAMW_SHARED_UNIFORMS,
    workgroupSize: [WG, 1, 1],
    countsEvents: false,
    dispatch: ([n], limits) => dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension),
  };
}

export function adamwMasterCopyKernel(arithmetic: Arithmetic = 'exact'): KernelDescriptor {
  return {
    name: `adamw_master_copy${arithmeticSuffix(arithmetic)}`,
    body: adamwBody(arithmetic, adamwMasterCopyWgsl),
    bindings: [
      { name: 'master', access: 'read_write', type: 'u32' },
      ...ADAMW_SHARED_BINDINGS,
      { name: 'copy', access: 'read_write', type: 'tensor' },
    ],
    uniforms: { ...ADAMW_SHARED_UNIFORMS, copy_offset: 'u32', words: 'u32', group: 'u32' },
    workgroupSize: [WG, 1, 1],
    countsEvents: true,
    dispatch: ([words], limits) => dispatch1d(words, WG, limits.maxComputeWorkgroupsPerDimension),
  };
}

export interface AdamWVariant {
  /** Storage of the gradients read. */
  grads: FormatName;
  /** Storage of the low-precision copy written with the master; none: master only. */
  copy?: FormatName;
  /** Default 'exact' (bit for bit the CPU reference on every GPU). */
  arithmetic?: Arithmetic;
  /** Event counting of the copy's cast (default: subgroups when present). */
  counting?: EventCounting;
}

export function compileAdamW(
  ctx: GpuContext,
  cache: PipelineCache,
  variant: AdamWVariant,
): Promise<CompiledKernel> {
  const arithmetic = variant.arithmetic ?? 'exact';
  if (variant.copy === undefined) {
    return compileKernel(ctx, cache, adamwMasterKernel(arithmetic), {
      formats: { grads: variant.grads },
    });
  }
  return compileKernel(ctx, cache, adamwMasterCopyKernel(arithmetic), {
    formats: { grads: variant.grads, copy: variant.copy },
    counting: variant.counting,
  });
}

export interface AdamWTensors {
  /** f32 master weights, updated in place. */
  master: Tensor;
  grads: Tensor;
  /** (2, N) fp32: exp_avg, then exp_avg_sq, updated in place. */
  moments: Tensor;
  /** Low-precision copy for the next forward (kernels compiled with `copy`). */
  copy?: Tensor;
}

export interface AdamWSizes {
  n: number;
  offset?: number;
  gradOffset?: number;
  copyOffset?: number;
}

/** What a step reads besides the tensors. */
export interface AdamWStepInputs {
  state: OptimizerState;
  table: AdamWStepTable;
  /** Grad-norm output whose clip coefficient scales the gradients first; null: no clipping. */
  clipNorm?: GradNormOutput | null;
  /** Where the copy's cast events go (kernels that count). */
  counting?: { counters: EventCounters; group: number };
}

/** Checks that [offset, offset + n) lies inside the tensor; a sentence otherwise. */
export function checkRange(kernel: string, t: Tensor, offset: number, n: number): void {
  if (!(Number.isInteger(offset) && offset >= 0 && Number.isInteger(n) && n >= 0)) {
    throw new Error(
      `${kernel}: offset ${offset} and count ${n} for "${t.label}" must be integers >= 0.`,
    );
  }
  if (offset + n > t.size) {
    throw new Error(
      `${kernel}: elements ${offset} .. ${offset + n - 1} are outside "${t.label}" (${t.size} values); check the parameter layout.`,
    );
  }
}

export function checkStorage(kernel: string, t: Tensor, storage: FormatName): void {
  if (t.storage !== storage) {
    throw new Error(
      `${kernel}: "${t.label}" is stored as ${t.storage} but must be ${storage}; allocate it as ${storage}.`,
    );
  }
}

/** Words of `storage` touched by elements [offset, offset + n). */
export function wordsTouched(storage: FormatName, offset: number, n: number): number {
  const lanes = lanesPerWord(storage);
  return n === 0 ? 0 : Math.floor((offset + n - 1) / lanes) - Math.floor(offset / lanes) + 1;
}

/** Row length N of a (2, N) moments tensor, checked to hold [offset, offset + n). */
export function momentsStride(kernel: string, moments: Tensor, offset: number, n: number): number {
  checkStorage(kernel, moments, 'fp32');
  if (moments.shape.length !== 2 || moments.shape[0] !== 2) {
    throw new Error(
      `${kernel}: moments "${moments.label}" has shape [${moments.shape.join(', ')}]; allocate it as [2, N] (exp_avg, exp_avg_sq).`,
    );
  }
  const stride = moments.shape[1];
  if (offset + n > stride) {
    throw new Error(
      `${kernel}: elements ${offset} .. ${offset + n - 1} are outside the moments' rows of ${stride}; check the parameter layout.`,
    );
  }
  return stride;
}

/** Uniforms shared by every AdamW kernel. */
export function adamwSharedUniforms(
  inputs: AdamWStepInputs,
  n: number,
  offset: number,
  gradOffset: number,
  stride: number,
): Record<string, number> {
  return {
    moments_stride: stride,
    n,
    offset,
    grad_offset: gradOffset,
    ...adamwUniformBits(inputs.table.hyperparameters),
    rows: inputs.table.rows,
    clip: inputs.clipNorm ? 1 : 0,
  };
}

export function adamwSharedBuffers(
  tensors: Pick<AdamWTensors, 'grads' | 'moments'>,
  inputs: AdamWStepInputs,
): Record<string, Bindable> {
  return {
    grads: tensors.grads,
    moments: tensors.moments.buffer,
    state: inputs.state.buffer,
    steps: inputs.table.buffer,
    // Unread without clipping; any buffer fills the slot.
    norm: inputs.clipNorm?.buffer ?? inputs.state.buffer,
  };
}

/** Records one AdamW step of elements [offset, offset + n) into `target`. */
export function recordAdamW(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  tensors: AdamWTensors,
  sizes: AdamWSizes,
  inputs: AdamWStepInputs,
): void {
  const { n, offset = 0, gradOffset = 0, copyOffset = 0 } = sizes;
  const name = kernel.key;
  checkStorage(name, tensors.master, 'fp32');
  checkRange(name, tensors.master, offset, n);
  const stride = momentsStride(name, tensors.moments, offset, n);
  checkRange(name, tensors.grads, gradOffset, n);
  const withCopy = kernel.kernel.bindings.some((b) => b.name === 'copy');
  if (withCopy !== (tensors.copy !== undefined)) {
    throw new Error(
      withCopy
        ? `${name} writes a low-precision copy: pass tensors.copy.`
        : `${name} was compiled without a copy; compile with variant.copy to write "${tensors.copy?.label}".`,
    );
  }
  const buffers = { master: tensors.master.buffer, ...adamwSharedBuffers(tensors, inputs) };
  const uniforms = adamwSharedUniforms(inputs, n, offset, gradOffset, stride);
  if (!tensors.copy) {
    if (n > 0) runKernel(target, kernel, { buffers, uniforms, work: [n] });
    return;
  }
  checkRange(name, tensors.copy, copyOffset, n);
  if (kernel.variant.counting !== 'off' && !inputs.counting) {
    throw new Error(
      `${name} counts the copy's cast events: pass inputs.counting, or compile it with counting 'off'.`,
    );
  }
  const words = wordsTouched(tensors.copy.storage, copyOffset, n);
  if (words === 0) return;
  runKernel(target, kernel, {
    buffers: {
      ...buffers,
      copy: tensors.copy,
      ...(inputs.counting ? { counters: inputs.counting.counters } : {}),
    },
    uniforms: { ...uniforms, copy_offset: copyOffset, words, group: inputs.counting?.group ?? 0 },
    work: [words],
  });
}
