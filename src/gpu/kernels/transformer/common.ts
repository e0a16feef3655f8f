/**
 * What the transformer kernels share: the variant (storage formats and counting), event-counting
 * arguments, 1-D descriptors, and the size checks every record wrapper does before recording.
 *
 * Conventions of every kernel in this folder (src/model/reference states the math of each):
 *  - An invocation owns one u32 word of an output tensor (X_LANES elements of the FLATTENED
 *    tensor), so a word whose two halves belong to two rows (odd C, odd T, odd V) is still
 *    written whole by one invocation. Row statistics come from a separate per-row kernel into an
 *    f32 scratch buffer, never from neighbouring invocations.
 *  - Reductions run in the reference's order (ascending), one invocation per output element:
 *    no float atomics, no workgroup memory, so a run is bit-for-bit deterministic on one device.
 *  - Every store to a 'tensor' binding is a cast site: its event is tallied and flushed into the
 *    counter group given as a uniform (when the variant counts).
 *  - Buffers the precision policy keeps in f32 whatever the storage (layer norm mean/rstd,
 *    cross-entropy probs/losses/loss, row statistics) are raw 'f32' bindings.
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import { wordCount } from '../../packing';
import type { Tensor } from '../../tensor';
import type { EventCounters, EventCounting } from '../counters';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type Bindable,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import type { BindingDecl, UniformType } from '../prelude';

/** Invocations per workgroup of every 1-D kernel here (no workgroup memory is used). */
export const WG = 64;

export interface TransformerVariant {
  /** Storage of activations and activation gradients (the recipe's format). */
  storage: FormatName;
  /** Storage of the parameters that are not autocast (wte, wpe, layer norm weight and bias) as
   * the forward reads them; default 'fp32', as the reference. A pure recipe keeps them packed in
   * its format: the kernels read the same values, so the math is unchanged. */
  params?: FormatName;
  /** Storage of those parameters' gradients; default 'fp32' (the reference keeps every
   * gradient of an f32 parameter in f32, pure recipes included). */
  paramGrads?: FormatName;
  /** Event counting; default as compileKernel ('subgroup' when the device has it, else 'atomic'). */
  counting?: EventCounting;
}

/** Where a kernel's cast events go: the counters buffer and the group of the tensor written. */
export interface KernelCounting {
  counters: EventCounters;
  /** Group of the activation (or activation gradient) written. */
  group: number;
  /** Group of parameter gradients written by the same record call; default `group`. */
  paramGroup?: number;
}

export type Target = GPUCommandEncoder | GPUComputePassEncoder;

/** u32 ids (tokens, targets): a raw buffer, or anything holding one. */
export type IdBuffer = GPUBuffer | { readonly buffer: GPUBuffer };

/** A 1-D kernel over `work[0]` invocations (words or rows), counting events when it stores.
 * For a descriptor from a BindingDecl list; this family's own kernels are data (define.ts). */
export function kernel1d(
  name: string,
  body: string,
  bindings: readonly BindingDecl[],
  uniforms: Readonly<Record<string, UniformType>>,
): KernelDescriptor {
  return {
    name,
    body,
    bindings,
    uniforms,
    workgroupSize: [WG, 1, 1],
    countsEvents: bindings.some((b) => b.type === 'tensor' && b.access === 'read_write'),
    dispatch: ([n], limits) => dispatch1d(n, WG, limits.maxComputeWorkgroupsPerDimension),
  };
}

/** compileKernel with explicit formats per binding (define.ts derives them from roles). */
export function compileWith(
  ctx: GpuContext,
  cache: PipelineCache,
  kernel: KernelDescriptor,
  formats: Record<string, FormatName>,
  counting: EventCounting | undefined,
): Promise<CompiledKernel> {
  return compileKernel(ctx, cache, kernel, { formats, counting });
}

/** Words of the tensor's packed storage: the invocation count of a per-word kernel. */
export function wordsOf(t: Tensor): number {
  return wordCount(t.storage, t.size);
}

/** Records one dispatch, adding the counters binding when the compiled variant counts. */
export function record(
  target: Target,
  kernel: CompiledKernel,
  buffers: Record<string, Bindable>,
  uniforms: Record<string, number>,
  work: number,
  counting: KernelCounting | undefined,
  group: 'group' | 'paramGroup' = 'group',
): void {
  const counts = kernel.variant.counting !== 'off';
  if (counts && !counting) {
    throw new Error(
      `Kernel "${kernel.key}" counts cast events: pass { counters, group }, or compile the variant with counting 'off'.`,
    );
  }
  const g = counting
    ? group === 'paramGroup'
      ? (counting.paramGroup ?? counting.group)
      : counting.group
    : 0;
  runKernel(target, kernel, {
    buffers: counts && counting ? { ...buffers, counters: counting.counters } : buffers,
    uniforms: kernel.kernel.countsEvents ? { ...uniforms, group: g } : uniforms,
    work: [work],
  });
}

/** Throws unless the tensor holds exactly n elements. */
export function expectSize(op: string, t: Tensor, n: number, shape: string): void {
  if (t.size !== n) {
    throw new Error(
      `${op}: "${t.label}" holds ${t.size} values but ${shape} = ${n} are needed: allocate it with that shape.`,
    );
  }
}

/** Throws unless the tensor is stored in f32 (buffers the precision policy keeps in f32). */
export function expectF32(op: string, t: Tensor | GPUBuffer, n: number, what: string): void {
  if ('storage' in t && t.storage !== 'fp32') {
    throw new Error(
      `${op}: "${t.label}" is stored as ${t.storage}, but ${what} is kept in f32 by the precision policy: allocate it as fp32.`,
    );
  }
  const bytes = 'storage' in t ? t.byteLength : t.size;
  if (bytes < n * 4) {
    throw new Error(
      `${op}: ${what} needs ${n} f32 values (${n * 4} bytes) but its buffer has ${bytes} bytes.`,
    );
  }
}

/** Throws unless a u32 id buffer (tokens, targets) holds at least n ids. */
export function expectIds(op: string, b: IdBuffer, n: number, what: string): void {
  const bytes = 'buffer' in b ? b.buffer.size : b.size;
  if (bytes < n * 4) {
    throw new Error(
      `${op}: ${what} needs ${n} u32 ids (${n * 4} bytes) but its buffer has ${bytes} bytes.`,
    );
  }
}

/** Throws unless every dimension is a positive integer. */
export function expectDims(op: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new Error(`${op}: ${name} = ${v}; every dimension must be a positive integer.`);
    }
  }
}
