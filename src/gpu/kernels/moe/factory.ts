/**
 * The MoE kernels' descriptors, compiles and launches built from data: a kernel states its
 * bindings (by storage role), uniforms, workgroup width and grid; this file turns that into the
 * engine's KernelDescriptor, compiles the variant for a lane's formats, and records a launch with
 * the counters binding and `group` uniform when the variant counts events.
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { CastCounting } from '../convert';
import type { EventCounting } from '../counters';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type CompiledKernel,
  type KernelDescriptor,
  type LaunchSpec,
} from '../kernel';
import type { BindingDecl, UniformType } from '../prelude';
import { checkFormat, countersOf } from './shared';

/** Which of a lane's storage formats a tensor binding uses: activations or router tensors. */
export type FormatRole = 'main' | 'router';

/** A lane's storage formats by role (a kernel set needs the roles its tensors use). */
export type MoeFormats = Partial<Record<FormatRole, FormatName>>;

type SlotType = FormatRole | 'u32' | 'f32';
/** A binding: a tensor in a role's format, or plain u32/f32 words; ' rw' when the kernel writes. */
export type SlotSpec = SlotType | `${SlotType} rw`;

/**
 * How work = [n] becomes workgroups: 'linear' one invocation per item, 'pairs' one per two items
 * (a router invocation owns two tokens), 'single' one workgroup whatever n.
 */
export type Grid = 'linear' | 'pairs' | 'single';

export interface MoeKernelSpec {
  name: string;
  body: string;
  /** In slot order (group 0). */
  bindings: Readonly<Record<string, SlotSpec>>;
  /** The `params` fields in order, without `group` (appended when the kernel counts). */
  uniforms: Readonly<Record<string, UniformType>>;
  /** The body tallies cast events and flushes them to counter group params.group. */
  counts?: boolean;
  /** Workgroup width (x); y = z = 1. Default 256. */
  workgroup?: number;
  /** Default 'linear'. */
  grid?: Grid;
}

export interface MoeKernel extends KernelDescriptor {
  /** Format role of each tensor binding. */
  readonly roles: Readonly<Record<string, FormatRole>>;
}

/** What each role holds, for a sentence about an unsupported format. */
const ROLE_WHAT: Record<FormatRole, string> = {
  main: 'the activations and their gradients',
  router: 'the router',
};

/** The engine descriptor of a spec: tensor bindings typed 'tensor', roles kept for compiling. */
export function moeKernel(spec: MoeKernelSpec): MoeKernel {
  const bindings: BindingDecl[] = [];
  const roles: Record<string, FormatRole> = {};
  for (const [name, slot] of Object.entries(spec.bindings)) {
    const [type, rw] = slot.split(' ') as [SlotType, string | undefined];
    const access = rw === 'rw' ? 'read_write' : 'read';
    if (type === 'u32' || type === 'f32') {
      bindings.push({ name, access, type });
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

function compileOne(
  ctx: GpuContext,
  cache: PipelineCache,
  op: string,
  kernel: MoeKernel,
  f: MoeFormats,
  counting: EventCounting | undefined,
): Promise<CompiledKernel> {
  const formats: Record<string, FormatName> = {};
  for (const [binding, role] of Object.entries(kernel.roles)) {
    const format = f[role];
    if (format === undefined) {
      throw new Error(
        `MoE ${op}: kernel "${kernel.name}" needs the ${role} storage format; none was given.`,
      );
    }
    formats[binding] = format;
  }
  return compileKernel(ctx, cache, kernel, { formats, counting });
}

/** Checks each given format, then compiles the kernel's variant ('counting' unused if it does not count). */
export function compileMoeKernel(
  ctx: GpuContext,
  cache: PipelineCache,
  op: string,
  kernel: MoeKernel,
  f: MoeFormats,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  checkFormats(op, f);
  return compileOne(ctx, cache, op, kernel, f, counting);
}

/** compileMoeKernel for a named set of kernels, compiled concurrently. */
export async function compileMoeKernels<K extends string>(
  ctx: GpuContext,
  cache: PipelineCache,
  op: string,
  kernels: Readonly<Record<K, MoeKernel>>,
  f: MoeFormats,
  counting?: EventCounting,
): Promise<Record<K, CompiledKernel>> {
  checkFormats(op, f);
  const entries = await Promise.all(
    (Object.keys(kernels) as K[]).map(
      async (name) => [name, await compileOne(ctx, cache, op, kernels[name], f, counting)] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<K, CompiledKernel>;
}

function checkFormats(op: string, f: MoeFormats): void {
  for (const [role, format] of Object.entries(f) as [FormatRole, FormatName][]) {
    checkFormat(op, ROLE_WHAT[role], format);
  }
}

/** Records one dispatch; a counting variant also gets `counting`'s counters and group. */
export function launchMoe(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  spec: LaunchSpec,
  counting?: CastCounting,
): void {
  const c = countersOf(kernel, counting);
  runKernel(target, kernel, {
    buffers: { ...spec.buffers, ...c.buffers },
    uniforms: { ...spec.uniforms, group: c.group },
    work: spec.work,
  });
}
