/**
 * Tolerances of the GPU model against the CPU reference, per storage format, and why. u is the
 * relative spacing of the storage format at 1 (2^-mantissaBits: fp32 1.2e-7, fp16 9.8e-4,
 * bf16 7.8e-3).
 *
 * Where the two sides differ at all: WGSL's exp, log, tanh, division and sqrt are not correctly
 * rounded and a compiler may fuse a * b + c, so an f32 result may differ from the reference's
 * in its last bits; the grad norm sums in another fixed order. In the fp32 recipe such
 * differences carry through the whole network (~1e-7 relative, observed up to ~5e-7 of a
 * tensor's largest gradient). In the 16-bit recipes almost all of them vanish in the rounding
 * to 16 bits, but one that lands next to a rounding tie flips a stored value by one ulp, and
 * that difference propagates to everything computed from it.
 */
import { FORMATS, type FormatName } from '../../../numerics';

export interface Tolerance {
  /** Relative error of the forward's losses (and every step's loss). */
  loss: number;
  why: string;
  /** Per tensor: max |GPU - CPU| over the tensor's largest |CPU| gradient. */
  grads: number;
  /** Relative error of the global gradient norm. */
  gradNorm: number;
  gradsWhy: string;
  stepLoss: number;
  stepNorm: number;
  /** After the steps, max |GPU - CPU| of a weight in units of lr (plus one ulp of a 16-bit
   * copy); elements whose gradient differed at the noise level are held to 2 lr per step. */
  weights: number;
  /** Fraction of a tensor's elements allowed over `weights` (rounded down). */
  weightsOutliers: number;
  weightsWhy: string;
  /** Lost updates (pure recipes), relative: the first step, and later ones. */
  lostFirst: number;
  lostLater: number;
  /** Event counts per (event, group, site): max(abs, rel * CPU count). */
  eventsAbs: number;
  eventsRel: number;
  eventsWhy: string;
}

export function toleranceOf(storage: FormatName): Tolerance {
  const u = 2 ** -FORMATS[storage].mantissaBits;
  if (storage === 'fp32') {
    return {
      loss: 1e-5,
      why: 'f32 results differ in the last bits (observed ~1e-7)',
      grads: 1e-5,
      gradNorm: 1e-5,
      gradsWhy: 'f32 last-bit differences carried through the backward (observed ~5e-7); the norm sums in another order',
      stepLoss: 1e-5,
      stepNorm: 1e-5,
      weights: 0.01,
      weightsOutliers: 0.005,
      lostFirst: 0.005,
      lostLater: 0.05,
      weightsWhy:
        "AdamW's update lr * m / (sqrt(v) + eps) carries a gradient's relative error into the update (observed under 0.003 lr), but it normalises each gradient by its own size, so a gradient at the noise level may take a step of either sign",
      eventsAbs: 4,
      eventsRel: 0.03,
      eventsWhy: 'an f32 value on either side of the subnormal threshold',
    };
  }
  return {
    loss: u / 4,
    why: `the loss is an f32 mean over positions of values read from stored logits, so a one-ulp flip of a stored value moves it by far less than one ulp; u/4 = ${(u / 4).toExponential(1)} (observed ~2e-7)`,
    grads: 2 * u,
    gradNorm: u / 4,
    gradsWhy: `a stored value flipped by one ulp next to a tie moves the gradients computed from it by about an ulp of their tensor (2u = ${(2 * u).toExponential(1)}, observed up to ~2e-4 in fp16); such flips spread through the backward, so at the tiny size a few percent of the stored gradients differ by an ulp`,
    stepLoss: u / 4,
    stepNorm: u,
    weights: 0.1,
    weightsOutliers: 0.005,
    lostFirst: 0.005,
    lostLater: 0.05,
    weightsWhy:
      "gradients one ulp off move the second and third AdamW steps by a few percent of lr (observed up to 0.035 lr at the tiny size); a pure recipe re-rounds its weights every step, and a token whose top-k choice flips on a near tie changes its experts' later gradients, so a few elements of a tensor may drift further; AdamW normalises each gradient by its own size, so a tiny gradient that underflowed on one side only, or changed sign, may step the other way",
    eventsAbs: 4,
    eventsRel: 0.03,
    eventsWhy:
      'a value flipped by one ulp may cross the subnormal or underflow threshold, and a sum that cancels (a bias gradient) lands at the noise level, subnormal on one side and not on the other',
  };
}
