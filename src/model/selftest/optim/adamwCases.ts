/**
 * Inputs of the AdamW checks and their CPU expectations: a flat parameter buffer of several
 * tensors with odd sizes (so 16-bit words straddle tensor boundaries), each updated by its own
 * dispatch; weights of many magnitudes, gradients rounded to their storage format, moments from
 * an earlier step.
 */
import {
  COUNTED_EVENTS,
  classify,
  isCountedEvent,
  range,
  type CountedEvent,
  type FormatName,
} from '../../../numerics';
import type { AdamWHyperparameters } from '../../../gpu/kernels/optim';
import { F32, adamwStep } from '../../reference';
import { normal, stored } from './harness';

/** Tensor sizes in the flat layout: odd, one under a word, one spanning many workgroups. */
export const TENSOR_SIZES = [37, 1, 130, 999] as const;

export interface FlatLayout {
  spans: { offset: number; size: number }[];
  total: number;
}

export function flatLayout(sizes: readonly number[]): FlatLayout {
  let offset = 0;
  const spans = sizes.map((size) => {
    const s = { offset, size };
    offset += size;
    return s;
  });
  return { spans, total: offset };
}

export interface AdamWCase {
  layout: FlatLayout;
  hyper: AdamWHyperparameters;
  /** Step number of this update (the GPU holds t - 1 completed steps). */
  t: number;
  weights: Float32Array; // values of the weight format
  grads: Float32Array; // values of the grad format
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

/**
 * Weights log-uniform in magnitude over [2^minExp, 2^maxExp] with random signs (so some updates
 * are far below a 16-bit ulp and get lost, others not), a few zeros, one inf and one NaN;
 * gradients normal with a
 * per-tensor scale; moments as after earlier steps.
 */
export function makeAdamWCase(
  seed: number,
  weightFormat: FormatName,
  gradFormat: FormatName,
  options: { minExp?: number; maxExp?: number; lr?: number } = {},
): AdamWCase {
  const layout = flatLayout(TENSOR_SIZES);
  const n = layout.total;
  const { minExp = -12, maxExp = 3 } = options;
  const u = (k: number, i: number) => normal(seed + k * 0x9e3779b9, i);
  const weights = stored(weightFormat, n, (i) => {
    if (i === 3) return Infinity; // stays inf; delta inf - inf = NaN
    if (i === 4) return NaN;
    if (i % 97 === 5) return 0;
    const mag = 2 ** (minExp + (maxExp - minExp) * ((u(1, i) + 4) / 8));
    return u(2, i) < 0 ? -mag : mag;
  });
  const gradScale = (i: number) => 10 ** -((i % 4) + 1);
  const grads = stored(gradFormat, n, (i) => u(3, i) * gradScale(i));
  const expAvg = stored('fp32', n, (i) => 0.1 * u(4, i) * gradScale(i));
  const expAvgSq = stored('fp32', n, (i) => 1e-3 * (u(5, i) * gradScale(i)) ** 2);
  const hyper: AdamWHyperparameters = {
    lr: options.lr ?? 1e-3 * (1 + (seed % 7)),
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0.01 * (seed % 3),
  };
  return { layout, hyper, t: 1 + (seed % 40), weights, grads, expAvg, expAvgSq };
}

/** The updated f32 weights (before any rounding to a storage format) and moments on the CPU. */
export function cpuMasterStep(
  c: AdamWCase,
  grads: Float32Array = c.grads,
): { weights: Float32Array; expAvg: Float32Array; expAvgSq: Float32Array } {
  const weights = c.weights.slice();
  const expAvg = c.expAvg.slice();
  const expAvgSq = c.expAvgSq.slice();
  adamwStep(F32, weights, grads.slice(), expAvg, expAvgSq, c.t, c.hyper);
  return { weights, expAvg, expAvgSq };
}

export type Counts = Record<CountedEvent, number>;
export const zeroCounts = (): Counts =>
  Object.fromEntries(COUNTED_EVENTS.map((e) => [e, 0])) as Counts;

/** Counted events of round-to-nearest casts of f32 values (numerics classify). */
export function classifyCounts(format: FormatName, values: ArrayLike<number>): Counts {
  const counts = zeroCounts();
  for (let i = 0; i < values.length; i++) {
    const e = classify(format, values[i]);
    if (isCountedEvent(e)) counts[e]++;
  }
  return counts;
}

/** Counted events of casts whose results are given (stochastic rounding), from DESIGN.md §2's
 * definitions: nonfinite input, finite input to inf, nonzero to zero, result subnormal. */
export function resultCounts(
  format: FormatName,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): Counts {
  const { minNormal } = range(format);
  const counts = zeroCounts();
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) counts.nonfinite++;
    else if (!Number.isFinite(y[i])) counts.overflow++;
    else if (y[i] === 0 && x[i] !== 0) counts.underflow++;
    else if (y[i] !== 0 && Math.abs(y[i]) < minNormal) counts.subnormal++;
  }
  return counts;
}

export function countsText(c: Counts): string {
  return COUNTED_EVENTS.map((e) => `${e} ${c[e]}`).join(', ');
}

export function sameCounts(a: Counts, b: Counts): boolean {
  return COUNTED_EVENTS.every((e) => a[e] === b[e]);
}
