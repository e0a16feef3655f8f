/**
 * Kernel descriptors and compiles built from data, for the kernel families (moe, transformer): a
 * kernel states its bindings by storage role, its uniforms, workgroup width and grid; this file
 * turns that into the engine's KernelDescriptor and, when compiling, gives each tensor binding
 * the format of its role. A family names its roles (moe: main | router; transformer: act |
 * param | grad) and keeps its own format checks, error sentences and launch.
 */
import type { FormatName } from '../../numerics';
import type { GpuContext } from '../device';
import type { PipelineCache } from '../pipelines';
import type { EventCounting } from './counters';
import { compileKernel, dispatch1d, type CompiledKernel, type KernelDescriptor } from './kernel';
import type { BindingDecl, UniformType } from './prelude';

type Words = 'u32' | 'f32';
/** A binding: a tensor in role R's format, or plain u32/f32 words; ' rw' when the kernel writes. */
export type SlotSpec<R extends string> = R | Words | `${R | Words} rw`;

/**
 * How work = [n] becomes workgroups: 'linear' one invocation per item, 'pairs' one per two items
 * (a router invocation owns two tokens), 'single' one workgroup whatever n.
 */
export type Grid = 'linear' | 'pairs' | 'single';

export interface KernelSpec<R extends string> {
  name: string;
  body: string;
  /** In slot order (group 0). */
  bindings: Readonly<Record<string, SlotSpec<R>>>;
  /** The `params` fields in order, without `group` (appended when the kernel counts). */
  uniforms: Readonly<Record<string, UniformType>>;
  /** The body tallies cast events and flushes them to counter group params.group. */
  counts?: boolean;
  /** Workgroup width (x); y = z = 1. Default 256. */
  workgroup?: number;
  /** Default 'linear'. */
  grid?: Grid;
}

export interface RoleKernel<R extends string> extends KernelDescriptor {
  /** Format role of each tensor binding. */
  readonly roles: Readonly<Record<string, R>>;
}

/** The engine descriptor of a spec: tensor bindings typed 'tensor', roles kept for compiling. */
export function roleKernel<R extends string>(spec: KernelSpec<R>): RoleKernel<R> {
  const bindings: BindingDecl[] = [];
  const roles: Record<string, R> = {};
  for (const [name, slot] of Object.entries(spec.bindings)) {
    const [type, rw] = slot.split(' ') as [R | Words, string | undefined];
    const access = rw === 'rw' ? 'read_write' : 'read';
    if (type === 'u32' || type === 'f32') {
      bindings.push({ name, access, type: type as Words });
    } else {
      bindings.push({ name, access, type: 'tensor' });
      roles[name] = type;
    }
  }
  const wg = spec.workgroup ?? 256;
  const grid = spec.grid ?? 'linear';
  return {
    name: spec.name,
    body: spec.body,
    bindings,
    uniforms: spec.counts ? { ...spec.uniforms, group: 'u32' } : spec.uniforms,
    workgroupSize: [wg, 1, 1],
    countsEvents: spec.counts ?? false,
    dispatch: ([n], limits) =>
      grid === 'single'
        ? [1, 1, 1]
        : dispatch1d(
            grid === 'pairs' ? Math.ceil(n / 2) : n,
            wg,
            limits.maxComputeWorkgroupsPerDimension,
          ),
    roles,
  };
}

/** A compile's formats by role, its counting, and the sentence for a role given no format. */
export interface RoleVariant<R extends string> {
  formats: Partial<Record<R, FormatName>>;
  counting?: EventCounting;
  missing: (kernel: RoleKernel<R>, role: R) => string;
}

/** Compiles the kernel with each tensor binding in its role's format; throws (synchronously)
 * when a role it uses has none. */
export function compileRoleKernel<R extends string>(
  ctx: GpuContext,
  cache: PipelineCache,
  kernel: RoleKernel<R>,
  v: RoleVariant<R>,
): Promise<CompiledKernel> {
  const formats: Record<string, FormatName> = {};
  for (const [binding, role] of Object.entries(kernel.roles) as [string, R][]) {
    const format = v.formats[role];
    if (format === undefined) throw new Error(v.missing(kernel, role));
    formats[binding] = format;
  }
  return compileKernel(ctx, cache, kernel, { formats, counting: v.counting });
}

/** compileRoleKernel for a named set of kernels, compiled concurrently. */
export async function compileRoleKernels<K extends string, R extends string>(
  ctx: GpuContext,
  cache: PipelineCache,
  kernels: Readonly<Record<K, RoleKernel<R>>>,
  v: RoleVariant<R>,
): Promise<Record<K, CompiledKernel>> {
  const entries = await Promise.all(
    (Object.keys(kernels) as K[]).map(
      async (name) => [name, await compileRoleKernel(ctx, cache, kernels[name], v)] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<K, CompiledKernel>;
}
