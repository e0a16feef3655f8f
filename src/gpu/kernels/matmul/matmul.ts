/**
 * Batched matrix multiply on the GPU, forward and backward, the twin of the CPU reference
 * src/model/reference/matmul.ts:
 *   NN: out (M,N) = A (M,K)   · B (K,N)
 *   NT: out (M,N) = A (M,K)   · B (N,K)^T   (the linear layer, weight (OC, C))
 *   TN: out (M,N) = A (K,M)^T · B (K,N)
 * `batch` matrices of each operand lie one after another; the bias (N) is shared.
 * Math: acc = 0; acc = acc + a * b over k ascending in f32; acc = acc + bias[j]; out = the one
 * rounding to out's storage format (integer RNE), counted as a cast event. WGSL may contract
 * acc + a * b into an fma, so f32 results may differ from the reference in the last bits.
 *
 * Record functions only record dispatches into the caller's encoder (or open pass): no
 * read-back, no submit. Use:
 *   const k = await compileMatmul(ctx, cache, 'register', { a: 'bf16', b: 'bf16', out: 'bf16', bias: 'bf16' });
 *   recordMatmulForward(encoder, k, { out, a, b, bias }, { form: 'NT', M: B * T, N: OC, K: C }, { counters, group });
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import { lanesPerWord } from '../formatWgsl';
import type { EventCounters, EventCounting } from '../counters';
import { compileKernel, type Bindable, type CompiledKernel } from '../kernel';
import {
  biasGradDescriptor,
  matmulDescriptor,
  workgroupTile,
  type MatmulMode,
  type MatmulVariant,
} from './descriptors';

export type MatmulForm = 'NN' | 'NT' | 'TN';

export interface MatmulShape {
  form: MatmulForm;
  M: number;
  N: number;
  K: number;
  /** Matrices of each operand one after another (default 1). */
  batch?: number;
}

export interface MatmulFormats {
  a: FormatName;
  b: FormatName;
  out: FormatName;
  /** Present: the kernel adds a bias tensor in this format. */
  bias?: FormatName;
}

/** Where the output cast events go: counters and the group of the output tensor. */
export interface MatmulCounting {
  counters: EventCounters;
  group: number;
}

type Target = GPUCommandEncoder | GPUComputePassEncoder;

function checkOutputFormat(name: string, format: FormatName): void {
  if (lanesPerWord(format) > 2) {
    throw new Error(
      `Matmul output "${name}" cannot be stored as ${format}: the matmul kernels write fp32, fp16 or bf16 (cast afterwards for fp8).`,
    );
  }
}

/** Compiles (once per cache) the plain matmul kernel for these storage formats. */
export function compileMatmul(
  ctx: GpuContext,
  cache: PipelineCache,
  variant: MatmulVariant,
  formats: MatmulFormats,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  return compileMode(ctx, cache, 'plain', variant, formats, counting);
}

export function compileMode(
  ctx: GpuContext,
  cache: PipelineCache,
  mode: MatmulMode,
  variant: MatmulVariant,
  formats: MatmulFormats,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  checkOutputFormat('out', formats.out);
  const bias = formats.bias !== undefined;
  const f: Record<string, FormatName> = { a: formats.a, b: formats.b, out: formats.out };
  if (formats.bias !== undefined) f.bias = formats.bias;
  return compileKernel(ctx, cache, matmulDescriptor(mode, variant, bias), { formats: f, counting });
}

/** dbias kernel: column sums of dout over all rows (grouped = false) or per expert segment. */
export function compileBiasGrad(
  ctx: GpuContext,
  cache: PipelineCache,
  grouped: boolean,
  dout: FormatName,
  out: FormatName,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  checkOutputFormat('dbias', out);
  return compileKernel(ctx, cache, biasGradDescriptor(grouped), {
    formats: { dout, out },
    counting,
  });
}

/** A(i,k) and B(k,j) strides of a form for an (M,N,K) product. */
export function formStrides(
  form: MatmulForm,
  M: number,
  N: number,
  K: number,
): { a_si: number; a_sk: number; b_sk: number; b_sj: number } {
  const a = form === 'TN' ? { a_si: 1, a_sk: M } : { a_si: K, a_sk: 1 };
  const b = form === 'NT' ? { b_sk: 1, b_sj: K } : { b_sk: N, b_sj: 1 };
  return { ...a, ...b };
}

export function expectSize(t: Tensor, size: number, role: string, shape: string): void {
  if (t.size !== size) {
    throw new Error(
      `Matmul ${role} "${t.label}" holds ${t.size} values but ${shape} needs ${size}: pass a tensor of that shape.`,
    );
  }
}

/** Workgroups along one dimension, with a sentence when the GPU's limit is passed. */
export function groupsAlong(n: number, per: number, limits: GPUSupportedLimits, what: string) {
  const g = Math.ceil(n / per);
  if (g > limits.maxComputeWorkgroupsPerDimension) {
    throw new Error(
      `A matmul with ${n} ${what} needs ${g} workgroups along one dimension, more than this GPU allows (${limits.maxComputeWorkgroupsPerDimension}): split it.`,
    );
  }
  return g;
}

/** Records one matmul-family dispatch; checks bias and counting arguments against the kernel. */
export function recordMatmulKernel(
  target: Target,
  kernel: CompiledKernel,
  buffers: Record<string, Bindable | undefined | null>,
  uniforms: Record<string, number>,
  work: [number, number, number],
  counting: MatmulCounting | undefined,
): void {
  const hasBias = kernel.kernel.bindings.some((b) => b.name === 'bias');
  if (hasBias !== Boolean(buffers.bias)) {
    throw new Error(
      hasBias
        ? `Kernel "${kernel.key}" adds a bias but none was given: pass the bias tensor, or compile without formats.bias.`
        : `A bias was given but kernel "${kernel.key}" has none: compile it with formats.bias.`,
    );
  }
  if (kernel.variant.counting !== 'off' && !counting) {
    throw new Error(
      `Kernel "${kernel.key}" counts output cast events: pass { counters, group }, or compile it with counting 'off'.`,
    );
  }
  if (work[0] * work[1] * work[2] === 0) return;
  const bound: Record<string, Bindable> = {};
  for (const [k, v] of Object.entries(buffers)) if (v) bound[k] = v;
  if (counting && kernel.variant.counting !== 'off') bound.counters = counting.counters;
  kernel
    .launch({ buffers: bound, uniforms: { ...uniforms, group: counting?.group ?? 0 }, work })
    .record(target);
}

/** Records out = op(a) · op(b) [+ bias] for a batched plain matmul. */
export function recordMatmulForward(
  target: Target,
  kernel: CompiledKernel,
  tensors: { out: Tensor; a: Tensor; b: Tensor; bias?: Tensor | null },
  shape: MatmulShape,
  counting?: MatmulCounting,
): void {
  const { form, M, N, K } = shape;
  const batch = shape.batch ?? 1;
  const dims = `${form} (batch ${batch}, M ${M}, N ${N}, K ${K})`;
  expectSize(tensors.a, batch * M * K, 'input A', dims);
  expectSize(tensors.b, batch * K * N, 'input B', dims);
  expectSize(tensors.out, batch * M * N, 'output', dims);
  if (tensors.bias) expectSize(tensors.bias, N, 'bias', dims);
  const tile = workgroupTile(variantOf(kernel));
  const limits = kernel.ctx.limits;
  recordMatmulKernel(
    target,
    kernel,
    { a: tensors.a, b: tensors.b, bias: tensors.bias, out: tensors.out },
    {
      M,
      N,
      K,
      batch,
      ...formStrides(form, M, N, K),
      a_batch: M * K,
      b_batch: K * N,
      total: batch * M * N,
    },
    [
      groupsAlong(N, tile.cols, limits, 'columns'),
      groupsAlong(M, tile.rows, limits, 'rows'),
      groupsAlong(batch, 1, limits, 'batch entries'),
    ],
    counting,
  );
}

/** The variant a compiled matmul kernel was built for (from its descriptor name). */
export function variantOf(kernel: CompiledKernel): MatmulVariant {
  return kernel.name.includes('_shared') ? 'shared' : 'register';
}

/** Records dbias (E, N) = column sums of dout over all rows (offsets absent) or per segment. */
export function recordBiasGrad(
  target: Target,
  kernel: CompiledKernel,
  tensors: { out: Tensor; dout: Tensor; offsets?: Bindable },
  rows: number,
  N: number,
  E: number,
  counting?: MatmulCounting,
): void {
  expectSize(tensors.out, E * N, 'dbias', `dbias (${E}, ${N})`);
  expectSize(tensors.dout, rows * N, 'dout', `dout (${rows}, ${N})`);
  if (kernel.variant.counting !== 'off' && !counting) {
    throw new Error(
      `Kernel "${kernel.key}" counts output cast events: pass { counters, group }, or compile it with counting 'off'.`,
    );
  }
  const total = E * N;
  if (total === 0) return;
  const words = Math.ceil(total / lanesPerWord(tensors.out.storage));
  const buffers: Record<string, Bindable> = { dout: tensors.dout, out: tensors.out };
  if (tensors.offsets) buffers.offsets = tensors.offsets;
  if (counting && kernel.variant.counting !== 'off') buffers.counters = counting.counters;
  kernel
    .launch({
      buffers,
      uniforms: { N, rows, total, words, group: counting?.group ?? 0 },
      work: [words],
    })
    .record(target);
}
