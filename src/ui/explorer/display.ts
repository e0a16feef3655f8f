/** How numbers and cast events are written on the Formats page. */
import type { CastEvent } from '../../numerics';

/** Shortest text that reads back as exactly this double (so 65504, 9.99994610111476e-41), with
 * the sign of zero kept and inf/nan spelled as the input box accepts them. */
export function showValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** (stored − x) / x: 'exact', a signed 2-digit figure like 3.1e-5, or '—' where inf/NaN is involved. */
export function showRelativeError(x: number, stored: number): string {
  if (!Number.isFinite(x) || !Number.isFinite(stored)) return '—';
  if (stored === x) return 'exact';
  const r = (stored - x) / x;
  const text = Math.abs(r).toExponential(1).replace('e+0', '');
  return r < 0 ? '−' + text : '+' + text;
}

/** Every value short, for axis hovers and format facts: 6.1e-5, 65504, 3.4e38. */
export function showShort(v: number): string {
  if (v === 0 || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6))
    return String(Number(v.toPrecision(5)));
  return v.toExponential(2).replace('e+', 'e');
}

export interface EventInfo {
  label: string;
  definition: string;
}

/** DESIGN.md §2, in the words shown on the badges' tooltips. */
export const EVENT_INFO: Record<CastEvent, EventInfo> = {
  overflow: {
    label: 'overflow',
    definition:
      'x is finite but too large: the result is ±inf (NaN in FP8 E4M3, which has no inf).',
  },
  underflow: {
    label: 'underflow',
    definition: 'x ≠ 0 but too small: the result is ±0, the value is gone.',
  },
  subnormal: {
    label: 'subnormal',
    definition:
      'The result is nonzero but subnormal: fewer significant bits than a normal number, precision lost.',
  },
  nonfinite: {
    label: 'nonfinite',
    definition: 'x is already inf or NaN; the format stores it as such.',
  },
  inexact: {
    label: 'inexact',
    definition:
      'x lies between two values of the format and was rounded to the nearest (ties to even).',
  },
  exact: { label: 'exact', definition: 'x is a value of the format and is stored unchanged.' },
};
