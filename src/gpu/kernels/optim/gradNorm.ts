/**
 * L2 norms of many tensors in one flat buffer (gradients, or weights for the weight-norm charts)
 * and the global norm, with the inf/NaN flag and clip_grad_norm_'s coefficient
 * (src/model/reference/gradNorm.ts), written to a GPU buffer; nothing is read back.
 *
 * Three dispatches, a fixed order, no float atomics, so two runs give the same bits:
 *   1. normPartials: tensor t is split into L_t interleaved slots; slot k sums the squares of
 *      elements k, k + L_t, k + 2 L_t, ... (device f32: the hot loop)
 *   2. normTensors: per tensor, the slots' sums in slot order -> sum of squares, norm, flag
 *   3. normGlobal (one invocation): tensors' sums in table order -> norm, flag, clip coefficient
 * Stages 2 and 3 use the exact arithmetic (sqrt and the coefficient's division correctly
 * rounded). The CPU reference sums each tensor's squares in one sequence, so results agree to
 * f32 rounding of the sums (relative ~1e-7), not bit for bit.
 *
 * Output words (GradNormOutput, T tensors): 0 global norm (f32), 1 inf/NaN flag (u32 0/1),
 * 2 clip coefficient (f32; 1 without clipping), 3 total sum of squares (f32), then per tensor
 * [4, 4 + T) norms, [4 + T, 4 + 2T) sums of squares, [4 + 2T, 4 + 3T) inf/NaN flags.
 */
import { f32Bits, f32FromBits, type FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import { readBuffer, writeWords, type BufferPool, type Tensor } from '../../tensor';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  type CompiledKernel,
  type KernelDescriptor,
} from '../kernel';
import { arithmeticWgsl } from './arithmetic';
import normPartialsWgsl from './normPartials.wgsl?raw';
import normTensorsWgsl from './normTensors.wgsl?raw';
import normGlobalWgsl from './normGlobal.wgsl?raw';

export const NORM_HEADER = 4;
const NORM_HEADER_WGSL = `const NORM_HEADER = ${NORM_HEADER}u;\n`;
const WG = 64;
/** A slot sums at least this many elements, and a tensor has at most MAX_LANES slots. */
const MIN_PER_SLOT = 64;
const MAX_LANES = 1024;

export interface TensorSpan {
  readonly offset: number;
  readonly size: number;
}

export const normPartialsKernel: KernelDescriptor = {
  name: 'norm_partials',
  body: arithmeticWgsl('native') + normPartialsWgsl,
  bindings: [
    { name: 'x', access: 'read', type: 'tensor' },
    { name: 'plan', access: 'read', type: 'u32' },
    { name: 'partials', access: 'read_write', type: 'u32' },
  ],
  uniforms: { tensors: 'u32', slots: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: ([slots], limits) => dispatch1d(slots, WG, limits.maxComputeWorkgroupsPerDimension),
};

export const normTensorsKernel: KernelDescriptor = {
  name: 'norm_tensors',
  body: NORM_HEADER_WGSL + arithmeticWgsl('exact') + normTensorsWgsl,
  bindings: [
    { name: 'plan', access: 'read', type: 'u32' },
    { name: 'partials', access: 'read', type: 'u32' },
    { name: 'out', access: 'read_write', type: 'u32' },
  ],
  uniforms: { tensors: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: ([tensors], limits) => dispatch1d(tensors, WG, limits.maxComputeWorkgroupsPerDimension),
};

export const normGlobalKernel: KernelDescriptor = {
  name: 'norm_global',
  body: NORM_HEADER_WGSL + arithmeticWgsl('exact') + normGlobalWgsl,
  bindings: [{ name: 'out', access: 'read_write', type: 'u32' }],
  uniforms: { tensors: 'u32', clip: 'u32', max_norm: 'u32' },
  workgroupSize: [1, 1, 1],
  countsEvents: false,
  dispatch: () => [1, 1, 1],
};

/** The slot layout of a list of tensors, and its scratch; built once per parameter layout. */
export interface NormPlan {
  readonly spans: readonly TensorSpan[];
  readonly slots: number;
  /** tensors * 4 words (offset, size, lanes, first slot), then the tensor of each slot. */
  readonly buffer: GPUBuffer;
  /** Two words per slot. */
  readonly partials: GPUBuffer;
}

/** The plan's words: slots per tensor grow with its size (MIN_PER_SLOT .. MAX_LANES slots). */
export function normPlanWords(spans: readonly TensorSpan[]): { words: Uint32Array; slots: number } {
  const lanes = spans.map((s) =>
    Math.min(MAX_LANES, Math.max(1, Math.ceil(s.size / MIN_PER_SLOT))),
  );
  const slots = lanes.reduce((a, b) => a + b, 0);
  const words = new Uint32Array(4 * spans.length + slots);
  let first = 0;
  spans.forEach((s, t) => {
    words.set([s.offset, s.size, lanes[t], first], 4 * t);
    words.fill(t, 4 * spans.length + first, 4 * spans.length + first + lanes[t]);
    first += lanes[t];
  });
  return { words, slots };
}

export function createNormPlan(
  pool: BufferPool,
  spans: readonly TensorSpan[],
  label = 'norm plan',
): NormPlan {
  if (spans.length === 0) throw new Error(`${label}: a norm needs at least one tensor span.`);
  for (const s of spans) {
    if (!(Number.isInteger(s.offset) && s.offset >= 0 && Number.isInteger(s.size) && s.size >= 0))
      throw new Error(
        `${label}: span {offset ${s.offset}, size ${s.size}} must hold integers >= 0.`,
      );
  }
  const { words, slots } = normPlanWords(spans);
  const buffer = pool.acquire({ label, byteLength: words.byteLength, category: 'optimizer' });
  writeWords(pool.device, buffer, words);
  const partials = pool.acquire({
    label: `${label} partials`,
    byteLength: slots * 8,
    category: 'optimizer',
  });
  return { spans: spans.map((s) => ({ ...s })), slots, buffer, partials };
}

export function releaseNormPlan(pool: BufferPool, plan: NormPlan): void {
  pool.release(plan.buffer);
  pool.release(plan.partials);
}

export interface GradNormOutput {
  readonly buffer: GPUBuffer;
  readonly tensors: number;
}

export function createGradNormOutput(
  pool: BufferPool,
  tensors: number,
  label = 'grad norms',
): GradNormOutput {
  const buffer = pool.acquire({
    label,
    byteLength: (NORM_HEADER + 3 * tensors) * 4,
    category: 'metrics',
  });
  return { buffer, tensors };
}

export interface GradNormKernels {
  partials: CompiledKernel;
  tensors: CompiledKernel;
  global: CompiledKernel;
}

/** The three kernels for a buffer stored as `storage`. */
export async function compileGradNorm(
  ctx: GpuContext,
  cache: PipelineCache,
  storage: FormatName,
): Promise<GradNormKernels> {
  const [partials, tensors, global] = await Promise.all([
    compileKernel(ctx, cache, normPartialsKernel, { formats: { x: storage } }),
    compileKernel(ctx, cache, normTensorsKernel),
    compileKernel(ctx, cache, normGlobalKernel),
  ]);
  return { partials, tensors, global };
}

/**
 * Records the norms of the plan's tensors in x into `out`. maxNorm: clip_grad_norm_'s max_norm
 * (the coefficient is then min(maxNorm / (norm + 1e-6), 1)); null: coefficient 1.
 */
export function recordGradNorm(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernels: GradNormKernels,
  x: Tensor,
  plan: NormPlan,
  out: GradNormOutput,
  maxNorm: number | null = null,
): void {
  const T = plan.spans.length;
  if (out.tensors !== T) {
    throw new Error(
      `Grad norm of "${x.label}": the output holds ${out.tensors} tensors but the plan has ${T}; create it with createGradNormOutput(pool, ${T}).`,
    );
  }
  for (const s of plan.spans) {
    if (s.offset + s.size > x.size) {
      throw new Error(
        `Grad norm of "${x.label}": span {offset ${s.offset}, size ${s.size}} runs past its ${x.size} values; check the parameter layout.`,
      );
    }
  }
  if (maxNorm !== null && !(maxNorm > 0)) {
    throw new Error(
      `Gradient clipping max norm is ${maxNorm}; it must be above 0 (e.g. 1.0), or null for no clipping.`,
    );
  }
  runKernel(target, kernels.partials, {
    buffers: { x, plan: plan.buffer, partials: plan.partials },
    uniforms: { tensors: T, slots: plan.slots },
    work: [plan.slots],
  });
  runKernel(target, kernels.tensors, {
    buffers: { plan: plan.buffer, partials: plan.partials, out: out.buffer },
    uniforms: { tensors: T },
    work: [T],
  });
  runKernel(target, kernels.global, {
    buffers: { out: out.buffer },
    uniforms: { tensors: T, clip: maxNorm === null ? 0 : 1, max_norm: f32Bits(maxNorm ?? 0) },
    work: [1],
  });
}

export interface GradNormValues {
  norm: number;
  nonfinite: boolean;
  clipCoef: number;
  sumOfSquares: number;
  perTensor: { norm: number; sumOfSquares: number; nonfinite: boolean }[];
}

export function decodeGradNorms(words: Uint32Array, tensors: number): GradNormValues {
  const H = NORM_HEADER;
  return {
    norm: f32FromBits(words[0]),
    nonfinite: words[1] !== 0,
    clipCoef: f32FromBits(words[2]),
    sumOfSquares: f32FromBits(words[3]),
    perTensor: Array.from({ length: tensors }, (_, t) => ({
      norm: f32FromBits(words[H + t]),
      sumOfSquares: f32FromBits(words[H + tensors + t]),
      nonfinite: words[H + 2 * tensors + t] !== 0,
    })),
  };
}

/** Explicit read-back (tests, diagnostics); training reads through the metrics ring. */
export async function readGradNorms(
  device: GPUDevice,
  out: GradNormOutput,
): Promise<GradNormValues> {
  const words = await readBuffer(device, out.buffer, (NORM_HEADER + 3 * out.tensors) * 4);
  return decodeGradNorms(words, out.tensors);
}
