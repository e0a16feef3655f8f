/**
 * AdamW with PyTorch's semantics (torch.optim.AdamW, single-tensor path, step t starting at 1):
 *   p  = p * (1 - lr*wd)                               decoupled weight decay
 *   m  = m + (1 - b1) * (g - m)                        exp_avg.lerp_(g, 1 - b1)
 *   v  = v * b2 + (1 - b2) * g * g                     exp_avg_sq.mul_(b2).addcmul_(g, g, 1 - b2)
 *   p  = p + (-lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)    eps outside the sqrt
 *
 * Precision: every elementwise op rounded with `round` (f32), left to right as PyTorch's CPU
 * kernels evaluate them; the scalars 1 - lr*wd, 1 - b1, b2, 1 - b2, -lr/(1 - b1^t),
 * sqrt(1 - b2^t) and eps are computed in double and rounded once. Moments m, v are f32.
 *
 * Pure low-precision variant: the weights are values of a storage format (no master copy); the
 * same update is computed in f32 from the stored value and the result is rounded back to the
 * format, to nearest even or stochastically (numerics' stochasticRound with the word
 * random32(key, counter + i) for element i). A lost update is delta != 0 whose step vanished:
 * for nearest rounding numerics' isLostUpdate(format, w, delta), round(w + delta) == w; for
 * stochastic rounding the stored value is unchanged although delta != 0.
 */
import {
  decode,
  random32,
  rounderTo,
  stochasticRound,
  type FormatName,
} from '../../numerics';
import type { Buf, Precision } from './precision';

export interface AdamWOptions {
  lr: number;
  beta1?: number; // default 0.9
  beta2?: number; // default 0.999
  eps?: number; // default 1e-8
  weightDecay?: number; // default 0.01, as torch.optim.AdamW
}

interface AdamWScalars {
  decay: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  negStepSize: number;
  bias2Sqrt: number;
  eps: number;
}

function scalars(r: (x: number) => number, o: AdamWOptions, t: number): AdamWScalars {
  if (!(Number.isInteger(t) && t >= 1)) {
    throw new Error(
      `AdamW: step ${t} is not a positive integer; count steps from 1 (PyTorch's state["step"]).`,
    );
  }
  const beta1 = o.beta1 ?? 0.9;
  const beta2 = o.beta2 ?? 0.999;
  const wd = o.weightDecay ?? 0.01;
  return {
    decay: r(1 - o.lr * wd),
    oneMinusBeta1: r(1 - beta1),
    beta2: r(beta2),
    oneMinusBeta2: r(1 - beta2),
    negStepSize: r(-o.lr / (1 - beta1 ** t)),
    bias2Sqrt: r(Math.sqrt(1 - beta2 ** t)),
    eps: r(o.eps ?? 1e-8),
  };
}

/** Updates m[i], v[i] and returns the new weight value (not yet rounded to a storage format). */
function updateElement(
  r: (x: number) => number,
  s: AdamWScalars,
  w: number,
  g: number,
  m: Buf,
  v: Buf,
  i: number,
): number {
  const decayed = r(w * s.decay);
  const mi = r(m[i] + r(s.oneMinusBeta1 * r(g - m[i])));
  const vi = r(r(v[i] * s.beta2) + r(r(s.oneMinusBeta2 * g) * g));
  m[i] = mi;
  v[i] = vi;
  const denom = r(r(r(Math.sqrt(vi)) / s.bias2Sqrt) + s.eps);
  return r(decayed + r(r(s.negStepSize * mi) / denom));
}

/**
 * One AdamW step on master weights params (n), in place, with grads (n), moments m, v (n);
 * t is the step number (1 for the first step).
 */
export function adamwStep(
  p: Precision,
  params: Buf,
  grads: Buf,
  m: Buf,
  v: Buf,
  t: number,
  o: AdamWOptions,
  n: number = params.length,
): void {
  const r = p.round;
  const s = scalars(r, o, t);
  for (let i = 0; i < n; i++) params[i] = updateElement(r, s, params[i], grads[i], m, v, i);
}

export interface PureAdamWOptions extends AdamWOptions {
  format: FormatName;
  rounding: 'nearest' | 'stochastic';
  /** PRNG key and first counter for stochastic rounding (the caller mixes seed, step, tensor). */
  key?: number;
  counter?: number;
  /** Sees each f32 update and the value stored for it, e.g. to count cast events. */
  onStore?: (updated: number, stored: number) => void;
}

/**
 * Pure low-precision AdamW: weights (n) hold values of o.format and are updated in place; the
 * update is computed in f32. Returns how many of the n updates were lost.
 */
export function adamwStepPure(
  weights: Buf,
  grads: Buf,
  m: Buf,
  v: Buf,
  t: number,
  o: PureAdamWOptions,
  n: number = weights.length,
): { lostUpdates: number } {
  const r = Math.fround;
  const s = scalars(r, o, t);
  const key = o.key ?? 0;
  const counter = o.counter ?? 0;
  const round = rounderTo(o.format);
  const onStore = o.onStore;
  let lostUpdates = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    const updated = updateElement(r, s, w, grads[i], m, v, i);
    const delta = r(updated - w);
    let stored: number;
    if (o.rounding === 'nearest') {
      stored = round(updated);
      // numerics' isLostUpdate(format, w, delta), with the fast rounding of the same format.
      if (delta !== 0 && !Number.isNaN(delta) && round(r(w + delta)) === w) lostUpdates++;
    } else {
      stored = decode(o.format, stochasticRound(o.format, updated, random32(key, counter + i)));
      if (delta !== 0 && stored === w) lostUpdates++;
    }
    if (onStore) onStore(updated, stored);
    weights[i] = stored;
  }
  return { lostUpdates };
}
