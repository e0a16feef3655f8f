/** Range facts of a format, derived from its description; all exact doubles. */
import type { FormatLike } from './resolve';
import { resolveFormat } from './resolve';
import { decode, encode } from './encode';
import { layoutOf } from './layout';
import { nextUp, pow2 } from './bits';

export interface FormatRange {
  /** Largest finite value: fp16 65504, bf16 3.3895313892515355e38, e4m3 448, e5m2 57344. */
  maxFinite: number;
  /** 2^(1 - bias). */
  minNormal: number;
  /** 2^(1 - bias - mantissaBits). */
  minSubnormal: number;
  /** Smallest |x| (a double) that rounds to inf, or to NaN for E4M3. For the IEEE formats it is
   * overflowMidpoint (fp16 65520): their largest mantissa is odd, so the tie goes up. For E4M3
   * the largest mantissa (110) is even, so 464 itself rounds to 448 and this is the next double
   * above 464. */
  overflowThreshold: number;
  /** Halfway between maxFinite and the next step of its binade (fp16 65520, e4m3 464): every
   * |x| above it overflows; at it, ties-to-even decides (see overflowThreshold). */
  overflowMidpoint: number;
  /** |x| <= this rounds to 0: half of minSubnormal (ties to even gives 0 at exactly this). */
  underflowThreshold: number;
  /** 2^-mantissaBits: the gap between 1 and the next value. */
  epsilon: number;
}

export function range(format: FormatLike): FormatRange {
  const f = resolveFormat(format);
  const layout = layoutOf(f);
  const maxFinite = decode(f, layout.overflowMagnitude - 1);
  // The exponent field of maxFinite's pattern; its quantum is 2^(emax - m).
  const emax = Math.floor((layout.overflowMagnitude - 1) / layout.unit) - f.bias;
  const overflowMidpoint = maxFinite + pow2(emax - f.mantissaBits - 1);
  const tieOverflows = encode(f, overflowMidpoint) >= layout.overflowMagnitude;
  const minSubnormal = pow2(layout.emin - f.mantissaBits);
  return {
    maxFinite,
    minNormal: pow2(layout.emin),
    minSubnormal,
    overflowThreshold: tieOverflows ? overflowMidpoint : nextUp(overflowMidpoint),
    overflowMidpoint,
    underflowThreshold: minSubnormal / 2,
    epsilon: pow2(-f.mantissaBits),
  };
}
