/** Where each format's zones lie on a log2|x| axis: pure numbers, drawn by RangeAxis. */
import { FORMATS, range, type FormatName } from '../../numerics';
import { showShort } from './display';

export type ZoneKind = 'flush' | 'subnormal' | 'normal' | 'overflow';

export interface Zone {
  kind: ZoneKind;
  /** log2|x| at the zone's ends; the outer zones run to the axis ends. */
  from: number;
  to: number;
  /** One sentence with the boundaries, shown on hover. */
  description: string;
}

export interface FormatBands {
  name: FormatName;
  label: string;
  zones: Zone[];
}

/** "2^-14 (6.10e-5)" for exact powers of two, "65520 (2^15.9986)" otherwise. */
export function showBoundary(v: number): string {
  const k = Math.log2(v);
  if (Number.isInteger(k)) return `2^${k} (${showShort(v)})`;
  return `${showShort(v)} (2^${Number(k.toFixed(4))})`;
}

export function formatBands(name: FormatName, axisFrom: number, axisTo: number): FormatBands {
  const f = FORMATS[name];
  const r = range(f);
  const lo = Math.log2(r.underflowThreshold);
  const mid = Math.log2(r.minNormal);
  const hi = Math.log2(r.overflowThreshold);
  const toWhat = f.special === 'fn' ? 'NaN (this format has no inf)' : '±inf';
  return {
    name,
    label: f.label,
    zones: [
      {
        kind: 'flush',
        from: Math.min(axisFrom, lo),
        to: lo,
        description: `${f.label} flushes to ±0: 0 < |x| ≤ ${showBoundary(r.underflowThreshold)}, half the smallest subnormal.`,
      },
      {
        kind: 'subnormal',
        from: lo,
        to: mid,
        description: `${f.label} subnormal: ${showBoundary(r.underflowThreshold)} < |x| < ${showBoundary(r.minNormal)}, evenly spaced by ${showBoundary(r.minSubnormal)}.`,
      },
      {
        kind: 'normal',
        from: mid,
        to: hi,
        description: `${f.label} normal: ${showBoundary(r.minNormal)} ≤ |x| < ${showBoundary(r.overflowThreshold)}; largest value ${showShort(r.maxFinite)}, relative step 2^-${f.mantissaBits}.`,
      },
      {
        kind: 'overflow',
        from: hi,
        to: Math.max(axisTo, hi),
        description: `${f.label} overflows to ${toWhat}: |x| ≥ ${showBoundary(r.overflowThreshold)}.`,
      },
    ],
  };
}

/** Axis extent in log2|x| covering every shown format's zones, with a margin for the outer zones. */
export function axisExtent(names: readonly FormatName[]): [number, number] {
  const ends = names.map((n) => {
    const r = range(FORMATS[n]);
    return [Math.log2(r.underflowThreshold), Math.log2(r.overflowThreshold)];
  });
  const lo = Math.min(...ends.map((e) => e[0]));
  const hi = Math.max(...ends.map((e) => e[1]));
  const pad = Math.max(3, (hi - lo) * 0.07);
  return [Math.floor(lo - pad), Math.ceil(hi + pad)];
}

/** Where the typed value sits: log2|x| clamped to the axis, or why it has no place. */
export type Marker =
  | { kind: 'at'; position: number; clamped: 'low' | 'high' | null }
  | { kind: 'none'; reason: string };

export function markerFor(x: number, extent: [number, number]): Marker {
  if (Number.isNaN(x)) return { kind: 'none', reason: 'NaN has no place on the axis.' };
  const a = Math.abs(x);
  if (a === 0) return { kind: 'at', position: extent[0], clamped: 'low' };
  if (a === Infinity) return { kind: 'at', position: extent[1], clamped: 'high' };
  const p = Math.log2(a);
  if (p < extent[0]) return { kind: 'at', position: extent[0], clamped: 'low' };
  if (p > extent[1]) return { kind: 'at', position: extent[1], clamped: 'high' };
  return { kind: 'at', position: p, clamped: null };
}
