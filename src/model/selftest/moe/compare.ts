/**
 * Comparisons of GPU outputs with the CPU reference, each under a stated tolerance.
 *  - 16-bit storage (fp16/bf16): distance in units in the last place of the format, counted on
 *    the ordered bit patterns (so +0/-0 and a step across zero count right); NaN equals NaN.
 *  - f32 (fp32 storage and the f32-only tensors): |gpu - cpu| / max(|cpu|, floor), the floor a
 *    fraction of the tensor's largest magnitude, so values that are the small result of a
 *    cancellation are judged against the size of the terms, not their own.
 *  - exact: integers and copied bits.
 */
import { FORMATS, encode, type FormatName } from '../../../numerics';

export interface Tolerance {
  /** fp16/bf16: most ulps allowed. */
  ulps: number;
  /** f32: most relative error allowed (against the floored magnitude). */
  rel: number;
  /** f32: floor = floorFraction * max |cpu| of the tensor. */
  floorFraction: number;
  /** f32: absolute error allowed besides (for results of a cancellation after a log). */
  abs?: number;
}

export interface Comparison {
  ok: boolean;
  /** Worst error: ulps (16-bit) or floored relative error (f32). */
  worst: number;
  unit: 'ulp' | 'rel';
  /** e.g. "probs 1 ulp" or "lse 2.1e-7 rel"; failures name the first bad element. */
  text: string;
}

function ordered(bits: number, signBit: number): number {
  return bits >= signBit ? -(bits - signBit) : bits;
}

function isNaNBits16(format: FormatName, bits: number): boolean {
  const f = FORMATS[format];
  const expOnes = (2 ** f.exponentBits - 1) * 2 ** f.mantissaBits;
  const mag = bits % 2 ** (f.bits - 1);
  return mag > expOnes;
}

/** GPU values (exact, as stored) against the reference's values, in the given storage format. */
export function compareValues(
  name: string,
  format: FormatName,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: Tolerance,
  skip?: (i: number) => boolean,
): Comparison {
  let worst = 0;
  let bad = -1;
  const n = want.length;
  if (format === 'fp32') {
    let maxAbs = 0;
    for (let i = 0; i < n; i++)
      if (Number.isFinite(want[i])) maxAbs = Math.max(maxAbs, Math.abs(want[i]));
    const floor = tol.floorFraction * maxAbs;
    let ok = true;
    for (let i = 0; i < n; i++) {
      if (skip?.(i)) continue;
      const g = got[i];
      const w = want[i];
      let diff: number;
      if (Number.isNaN(w) || Number.isNaN(g))
        diff = Number.isNaN(w) && Number.isNaN(g) ? 0 : Infinity;
      else diff = g === w ? 0 : Math.abs(g - w);
      const scale = Math.max(Math.abs(w), floor, Number.MIN_VALUE);
      if (diff / scale > worst) worst = diff / scale;
      if (diff > tol.rel * scale + (tol.abs ?? 0)) {
        ok = false;
        if (bad < 0) bad = i;
      }
    }
    return result(name, worst, 'rel', bad, got, want, ok);
  }
  const signBit = 2 ** (FORMATS[format].bits - 1);
  for (let i = 0; i < n; i++) {
    if (skip?.(i)) continue;
    const gb = encode(format, got[i]);
    const wb = encode(format, want[i]);
    const gNaN = isNaNBits16(format, gb);
    const wNaN = isNaNBits16(format, wb);
    const err =
      gNaN || wNaN
        ? gNaN && wNaN
          ? 0
          : Infinity
        : Math.abs(ordered(gb, signBit) - ordered(wb, signBit));
    if (err > worst) worst = err;
    if (err > tol.ulps && bad < 0) bad = i;
  }
  return result(name, worst, 'ulp', bad, got, want, worst <= tol.ulps);
}

function result(
  name: string,
  worst: number,
  unit: 'ulp' | 'rel',
  bad: number,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  ok: boolean,
): Comparison {
  const w = unit === 'ulp' ? `${worst} ulp` : `${worst === 0 ? '0' : worst.toExponential(1)} rel`;
  const where =
    bad >= 0 ? ` (first beyond tolerance: [${bad}] gpu ${got[bad]} cpu ${want[bad]})` : '';
  return { ok, worst, unit, text: `${name} ${w}${where}` };
}

/** Element-for-element equality of integer lists (or copied bits). */
export function compareExact(
  name: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
): Comparison {
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  const text =
    mismatches === 0
      ? `${name} equal (${want.length})`
      : `${name}: ${mismatches} of ${want.length} differ (first [${first}] gpu ${got[first]} cpu ${want[first]})`;
  return { ok: mismatches === 0, worst: mismatches, unit: 'ulp', text };
}

/** Tolerances, with the reason a person reads in the checks' details. */
export const TOLERANCES = {
  /** One f32 -> storage rounding after f32 arithmetic. */
  stored: { ulps: 1, rel: 1e-5, floorFraction: 1e-2 } as Tolerance,
  /** Two stores in a row (router backward, then the z-loss adds to the stored value). */
  chained: { ulps: 2, rel: 1e-5, floorFraction: 1e-2 } as Tolerance,
  /** lse = max + log(sum): WGSL's log is within 2^-21 absolute on [0.5, 2] and 3 ulp elsewhere;
   * sum <= E <= 16, so log(sum) <= 2.8 errs by at most ~7.2e-7 absolute. */
  logSum: { ulps: 1, rel: 1e-5, floorFraction: 1e-2, abs: 1e-6 } as Tolerance,
  exact: { ulps: 0, rel: 0, floorFraction: 0 } as Tolerance,
};

export const TOLERANCE_WHY =
  'f32 results: |gpu - cpu| <= 1e-5 * max(|cpu|, 1e-2 * max|cpu| of the tensor): WGSL exp is within 3+2|x| ulp and ' +
  'division 2.5 ulp, and a GPU may fuse a*b+c, so small results of a cancellation are judged against the size of the ' +
  'tensor; lse (max + log(sum), which can cancel to near 0) also 1e-6 absolute (WGSL log: 2^-21 absolute on [0.5, 2], ' +
  '3 ulp elsewhere), and the z-loss the error that propagates from it. fp16/bf16 stores: 1 ulp of the format (an f32 ' +
  'difference in the last bit can flip the rounding near a tie), 2 ulp for dlogits (stored by the router backward, then ' +
  'again by the z-loss backward). Copies and integer lists: exact.';
