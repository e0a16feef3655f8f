/**
 * The transformer kernels on the shared factory (../factory.ts): descriptors from data with the
 * transformer's format roles, an op's kernel set compiled from a TransformerVariant, and a record
 * over the words of an output tensor or over a count of invocations (rows).
 */
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import { compileRoleKernels, roleKernel, type KernelSpec, type RoleKernel } from '../factory';
import type { Bindable, CompiledKernel } from '../kernel';
import {
  record,
  WG,
  wordsOf,
  type KernelCounting,
  type Target,
  type TransformerVariant,
} from './common';

/** Which format of a TransformerVariant a tensor binding uses: storage, params or paramGrads. */
export type Role = 'act' | 'param' | 'grad';

export type TransformerKernel = RoleKernel<Role>;

/**
 * A 1-D kernel of WG invocations per workgroup. It counts cast events (and gets the `group`
 * uniform, last) exactly when it writes a tensor binding: every such store is a cast site.
 */
export function transformerKernel(
  spec: Omit<KernelSpec<Role>, 'counts' | 'workgroup' | 'grid'>,
): TransformerKernel {
  const counts = Object.values(spec.bindings).some(
    (slot) => slot.endsWith(' rw') && !slot.startsWith('u32') && !slot.startsWith('f32'),
  );
  return roleKernel({ ...spec, counts, workgroup: WG });
}

/** Compiles an op's kernels concurrently: activations in v.storage, parameters in v.params,
 * parameter gradients in v.paramGrads (both default fp32, as the reference). */
export function compileTransformer<K extends string>(
  ctx: GpuContext,
  cache: PipelineCache,
  kernels: Readonly<Record<K, TransformerKernel>>,
  v: TransformerVariant,
): Promise<Record<K, CompiledKernel>> {
  return compileRoleKernels(ctx, cache, kernels, {
    formats: { act: v.storage, param: v.params ?? 'fp32', grad: v.paramGrads ?? 'fp32' },
    counting: v.counting,
    missing: (kernel, role) =>
      `Transformer kernel "${kernel.name}": no storage format for its ${role} tensors; give the variant one.`,
  });
}

/**
 * Records one dispatch (see `record`). `over` a tensor: one invocation per word of it, with its
 * element and word counts as the uniforms n and words; `over` a number: that many invocations.
 * `buffers` may hold more than the kernel binds: only its binding names are read.
 */
export function recordOver<B extends { readonly [K in keyof B]: Bindable }>(
  target: Target,
  kernel: CompiledKernel,
  buffers: B,
  uniforms: Record<string, number>,
  over: Tensor | number,
  counting?: KernelCounting,
  group?: 'group' | 'paramGroup',
): void {
  const b = buffers as Record<string, Bindable>;
  if (typeof over === 'number') {
    record(target, kernel, b, uniforms, over, counting, group);
    return;
  }
  const words = wordsOf(over);
  record(target, kernel, b, { n: over.size, words, ...uniforms }, words, counting, group);
}
