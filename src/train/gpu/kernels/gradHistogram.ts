/**
 * The gradient-magnitude histogram on the GPU (train/metrics GradHistogram, the twin of
 * train/cpu/gradStats.ts): log2 bins over GRAD_HISTOGRAM_RANGE plus below / above / zeros /
 * nonfinite counts, of the weight gradients as the backward stored them. A lane's gradients
 * live in up to three buffers of different formats (16-bit for the autocast matmul weights,
 * scaled f32 for the others, or one flat buffer), so the plan holds one dispatch per buffer over
 * that buffer's slices (never its padding), all adding into one counts buffer. The zero count
 * also gives gradZeroFraction every step.
 */
import type { FormatName } from '../../../numerics';
import {
  compileKernel,
  dispatch1d,
  runKernel,
  writeWords,
  type BufferPool,
  type CompiledKernel,
  type GpuContext,
  type KernelDescriptor,
  type PipelineCache,
} from '../../../gpu';
import { GRAD_HISTOGRAM_BINS, GRAD_HISTOGRAM_RANGE, type GradHistogram } from '../../metrics';
import gradHistogramWgsl from './gradHistogram.wgsl?raw';

/** Word indices of the counts buffer. */
export const HIST = {
  below: GRAD_HISTOGRAM_BINS,
  above: GRAD_HISTOGRAM_BINS + 1,
  zeros: GRAD_HISTOGRAM_BINS + 2,
  nonfinite: GRAD_HISTOGRAM_BINS + 3,
  words: GRAD_HISTOGRAM_BINS + 4,
} as const;

const WG = 64;

/** Elements per invocation: enough that the private counts' atomicAdds stay few (at most
 * HIST.words per chunk), few enough that a small model still spreads over several workgroups. */
export function chunkOf(total: number): number {
  return Math.min(1024, Math.max(64, Math.ceil(total / 4096)));
}

const constants =
  `const MIN_EXPONENT = ${GRAD_HISTOGRAM_RANGE.minExponent};\n` +
  `const MAX_EXPONENT = ${GRAD_HISTOGRAM_RANGE.maxExponent};\n` +
  `const HIST_BELOW = ${HIST.below}u;\nconst HIST_ABOVE = ${HIST.above}u;\n` +
  `const HIST_ZEROS = ${HIST.zeros}u;\nconst HIST_NONFINITE = ${HIST.nonfinite}u;\n` +
  `const HIST_WORDS = ${HIST.words}u;\n`;

export const gradHistogramKernel: KernelDescriptor = {
  name: 'grad_histogram',
  body: constants + gradHistogramWgsl,
  bindings: [
    { name: 'g', access: 'read', type: 'tensor' },
    { name: 'spans', access: 'read', type: 'u32' },
    { name: 'hist', access: 'read_write', type: 'atomic_u32' },
  ],
  uniforms: { spans: 'u32', total: 'u32', chunk: 'u32' },
  workgroupSize: [WG, 1, 1],
  countsEvents: false,
  dispatch: ([total, chunk], limits) => dispatch1d(Math.ceil(total / chunk), WG, limits.maxComputeWorkgroupsPerDimension),
};

export interface Span {
  /** First element, in elements of the buffer's format. */
  readonly offset: number;
  readonly size: number;
}

/** One gradient buffer and the slices of it that hold gradients. */
export interface HistogramSource {
  readonly buffer: GPUBuffer;
  readonly storage: FormatName;
  readonly spans: readonly Span[];
}

interface Part {
  readonly kernel: CompiledKernel;
  readonly buffer: GPUBuffer;
  readonly spans: GPUBuffer;
  readonly count: number;
  readonly total: number;
  readonly chunk: number;
}

export interface HistogramPlan {
  /** HIST.words u32 counts of the last recorded histogram. */
  readonly hist: GPUBuffer;
  /** Gradient elements covered (the reference's parameter count). */
  readonly elements: number;
  readonly parts: readonly Part[];
  /** Buffers the plan owns (for release). */
  readonly owned: readonly GPUBuffer[];
}

/** (offset, size, first index) per span, the kernel's `spans` words. */
export function spanWords(spans: readonly Span[]): Uint32Array {
  const words = new Uint32Array(3 * spans.length);
  let first = 0;
  spans.forEach((s, i) => {
    words.set([s.offset, s.size, first], 3 * i);
    first += s.size;
  });
  return words;
}

export async function createHistogramPlan(
  ctx: GpuContext,
  cache: PipelineCache,
  pool: BufferPool,
  sources: readonly HistogramSource[],
  label: string,
): Promise<HistogramPlan> {
  const hist = pool.acquire({ label: `${label} grad histogram`, byteLength: HIST.words * 4, category: 'metrics' });
  const owned = [hist];
  const parts: Part[] = [];
  let elements = 0;
  for (const source of sources) {
    const spans = source.spans.filter((s) => s.size > 0);
    const total = spans.reduce((a, s) => a + s.size, 0);
    if (total === 0) continue;
    const words = spanWords(spans);
    const buffer = pool.acquire({ label: `${label} histogram spans`, byteLength: words.byteLength, category: 'metrics' });
    writeWords(pool.device, buffer, words);
    owned.push(buffer);
    const kernel = await compileKernel(ctx, cache, gradHistogramKernel, { formats: { g: source.storage } });
    parts.push({ kernel, buffer: source.buffer, spans: buffer, count: spans.length, total, chunk: chunkOf(total) });
    elements += total;
  }
  return { hist, elements, parts, owned };
}

/** Clears the counts and records one dispatch per gradient buffer. */
export function recordGradHistogram(encoder: GPUCommandEncoder, plan: HistogramPlan): void {
  encoder.clearBuffer(plan.hist);
  for (const p of plan.parts) {
    runKernel(encoder, p.kernel, {
      buffers: { g: p.buffer, spans: p.spans, hist: plan.hist },
      uniforms: { spans: p.count, total: p.total, chunk: p.chunk },
      work: [p.total, p.chunk],
    });
  }
}

/** The histogram of the counts words. */
export function decodeGradHistogram(words: Uint32Array): GradHistogram {
  return {
    minExponent: GRAD_HISTOGRAM_RANGE.minExponent,
    counts: Array.from(words.subarray(0, GRAD_HISTOGRAM_BINS)),
    below: words[HIST.below],
    above: words[HIST.above],
    zeros: words[HIST.zeros],
    nonfinite: words[HIST.nonfinite],
  };
}
