/** The fate of a value cast to a format (DESIGN.md §2, the events the lab counts). */
import type { FormatLike } from './resolve';
import { resolveFormat } from './resolve';
import { decode, encode } from './encode';
import { layoutOf } from './layout';

export type CastEvent = 'nonfinite' | 'overflow' | 'underflow' | 'subnormal' | 'inexact' | 'exact';

/** The four events DESIGN.md counts per tensor; 'inexact' and 'exact' are not counted. */
export const COUNTED_EVENTS = ['overflow', 'underflow', 'subnormal', 'nonfinite'] as const;
export type CountedEvent = (typeof COUNTED_EVENTS)[number];

export function isCountedEvent(event: CastEvent): event is CountedEvent {
  return (COUNTED_EVENTS as readonly string[]).includes(event);
}

/** First match wins: nonfinite (x is inf/NaN), overflow (finite x, result inf, or NaN for E4M3),
 * underflow (x != 0, result ±0), subnormal (result nonzero and subnormal), inexact, exact. */
export function classify(format: FormatLike, x: number): CastEvent {
  if (!Number.isFinite(x)) return 'nonfinite';
  const f = resolveFormat(format);
  const layout = layoutOf(f);
  const bits = encode(f, x);
  const magnitude = bits >= layout.signBit ? bits - layout.signBit : bits;
  if (magnitude >= layout.overflowMagnitude) return 'overflow';
  if (magnitude === 0) return x === 0 ? 'exact' : 'underflow';
  if (magnitude < layout.unit) return 'subnormal';
  return decode(f, bits) === x ? 'exact' : 'inexact';
}
