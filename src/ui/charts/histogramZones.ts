/**
 * The gradient histogram's math: each lane's log2|g| histogram as shares of all weight-gradient
 * values, and each format's zones (flush to 0, subnormal, normal, overflow; numerics' range())
 * clipped to the histogram's span. Drawn together they show why FP16 needs loss scaling: without
 * it the bulk of the gradients sits left of FP16's subnormal zone and rounds to 0.
 */
import { FORMATS, range, type FormatName } from '../../numerics';
import type { GradHistogram } from '../../store';
import type { ZoneKind } from '../explorer/rangeBands';

export interface ZoneSpan {
  kind: ZoneKind;
  /** log2|g| at the zone's ends, clipped to the histogram's span. */
  from: number;
  to: number;
}

export interface FormatZones {
  format: FormatName;
  label: string;
  zones: ZoneSpan[];
}

/** Zones of the format within [lo, hi] (log2 units); empty zones left out. */
export function zonesWithin(format: FormatName, lo: number, hi: number): FormatZones {
  const r = range(format);
  const flushTo = Math.log2(r.underflowThreshold);
  const normalFrom = Math.log2(r.minNormal);
  const overflowFrom = Math.log2(r.overflowThreshold);
  const raw: ZoneSpan[] = [
    { kind: 'flush', from: -Infinity, to: flushTo },
    { kind: 'subnormal', from: flushTo, to: normalFrom },
    { kind: 'normal', from: normalFrom, to: overflowFrom },
    { kind: 'overflow', from: overflowFrom, to: Infinity },
  ];
  const zones = raw
    .map((z) => ({ kind: z.kind, from: Math.max(lo, z.from), to: Math.min(hi, z.to) }))
    .filter((z) => z.to > z.from);
  return { format, label: FORMATS[format].label, zones };
}

export interface HistogramBar {
  /** Lower log2 bound of the binade. */
  exponent: number;
  /** Share of all the lane's weight-gradient values in [2^exponent, 2^(exponent+1)). */
  share: number;
}

export interface HistogramShares {
  bars: HistogramBar[];
  total: number;
  /** Shares of exact zeros, of values below and above the binned span, and of inf/NaN. */
  zeros: number;
  below: number;
  above: number;
  nonfinite: number;
}

export function histogramShares(h: GradHistogram): HistogramShares {
  const binned = h.counts.reduce((a, b) => a + b, 0);
  const total = binned + h.below + h.above + h.zeros + h.nonfinite;
  const share = (n: number): number => (total > 0 ? n / total : 0);
  return {
    bars: h.counts.map((n, i) => ({ exponent: h.minExponent + i, share: share(n) })),
    total,
    zeros: share(h.zeros),
    below: share(h.below),
    above: share(h.above),
    nonfinite: share(h.nonfinite),
  };
}

/** The step-shaped outline of a histogram as [log2|g|, share] corners (for a d3 line). */
export function histogramOutline(bars: readonly HistogramBar[]): [number, number][] {
  const out: [number, number][] = [];
  for (const b of bars) {
    out.push([b.exponent, b.share], [b.exponent + 1, b.share]);
  }
  return out;
}
