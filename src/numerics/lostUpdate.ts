/** The "lost update" of pure low-precision training (DESIGN.md §2). */
import type { FormatLike } from './resolve';
import { roundTo } from './encode';

/** delta != 0 but round(w + delta) == w: the step vanished in the rounding. The sum is formed in
 * f32 (as a GPU kernel would), then rounded to the format. w is a value of the format. */
export function isLostUpdate(format: FormatLike, w: number, delta: number): boolean {
  if (delta === 0 || Number.isNaN(delta)) return false;
  return roundTo(format, Math.fround(w + delta)) === w;
}
