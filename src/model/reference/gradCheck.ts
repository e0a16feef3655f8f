/**
 * Test support: deterministic random inputs and central finite-difference gradient checks in
 * float64. Used by the *.test.ts files beside it; not part of the model.
 */
import { uniform01 } from '../../numerics';

/** n values uniform in [-scale, scale), deterministic in seed. */
export function randomArray(n: number, seed: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * uniform01(seed, i) - 1) * scale;
  return out;
}

/** n integers uniform in [0, max). */
export function randomInts(n: number, seed: number, max: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(uniform01(seed, i) * max);
  return out;
}

/** sum_i w[i] * y[i]: a scalar loss whose gradient w.r.t. y is w. */
export function dot(w: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * y[i];
  return s;
}

export interface GradCheckResult {
  /** Largest |analytic - numeric| / max(|analytic|, |numeric|, floor) over the checked coordinates. */
  maxRelError: number;
  checked: number;
  worst: { index: number; analytic: number; numeric: number };
}

/**
 * Compares analytic[i] with (loss(x_i + h) - loss(x_i - h)) / 2h on up to `samples` coordinates
 * of x (all when x is small, else a deterministic sample). loss reads x, which is perturbed in
 * place and restored. floor keeps the relative error of near-zero gradients from blowing up:
 * at the floor, rel 1e-5 means an absolute error of 1e-5 * floor.
 */
export function checkGradient(
  loss: () => number,
  x: Float64Array,
  analytic: ArrayLike<number>,
  {
    samples = 64,
    h = 1e-6,
    floor = 1e-4,
    seed = 7,
  }: { samples?: number; h?: number; floor?: number; seed?: number } = {},
): GradCheckResult {
  const indices: number[] = [];
  if (x.length <= samples) for (let i = 0; i < x.length; i++) indices.push(i);
  else for (let j = 0; j < samples; j++) indices.push(Math.floor(uniform01(seed, j) * x.length));
  let maxRelError = 0;
  let worst = { index: -1, analytic: 0, numeric: 0 };
  for (const i of indices) {
    const saved = x[i];
    x[i] = saved + h;
    const up = loss();
    x[i] = saved - h;
    const down = loss();
    x[i] = saved;
    const numeric = (up - down) / (2 * h);
    const a = analytic[i];
    const rel = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
    if (!(rel <= maxRelError)) {
      maxRelError = rel;
      worst = { index: i, analytic: a, numeric };
    }
  }
  return { maxRelError, checked: indices.length, worst };
}

/** True when x is exactly a bf16 value: its f32 bits have 16 zero low bits. */
export function isBf16Value(x: number): boolean {
  if (Math.fround(x) !== x) return false;
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0];
  return (bits & 0xffff) === 0;
}
