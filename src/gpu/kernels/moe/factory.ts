/**
 * The MoE kernels' descriptors and compiles on the shared factory (../factory.ts), with the MoE
 * format roles, format checks and sentences, and the launch that adds the counters binding and
 * `group` uniform when the variant counts events.
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { CastCounting } from '../convert';
import type { EventCounting } from '../counters';
import {
  compileRoleKernel,
  compileRoleKernels,
  roleKernel,
  type KernelSpec,
  type RoleKernel,
  type RoleVariant,
} from '../factory';
import { runKernel, type CompiledKernel, type LaunchSpec } from '../kernel';
import { checkFormat, countersOf } from './shared';

/** Which of a lane's storage formats a tensor binding uses: activations or router tensors. */
export type FormatRole = 'main' | 'router';

/** A lane's storage formats by role (a kernel set needs the roles its tensors use). */
export type MoeFormats = Partial<Record<FormatRole, FormatName>>;

export type MoeKernelSpec = KernelSpec<FormatRole>;
export type MoeKernel = RoleKernel<FormatRole>;

/** What each role holds, for a sentence about an unsupported format. */
const ROLE_WHAT: Record<FormatRole, string> = {
  main: 'the activations and their gradients',
  router: 'the router',
};

/** The engine descriptor of a spec: tensor bindings typed 'tensor', roles kept for compiling. */
export function moeKernel(spec: MoeKernelSpec): MoeKernel {
  return roleKernel(spec);
}

function variant(op: string, f: MoeFormats, counting?: EventCounting): RoleVariant<FormatRole> {
  return {
    formats: f,
    counting,
    missing: (kernel, role) =>
      `MoE ${op}: kernel "${kernel.name}" needs the ${role} storage format; none was given.`,
  };
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
  return compileRoleKernel(ctx, cache, kernel, variant(op, f, counting));
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
  return compileRoleKernels(ctx, cache, kernels, variant(op, f, counting));
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
