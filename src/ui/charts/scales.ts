/**
 * Scales and ticks of the Lab's charts (d3 does the mapping; this file decides domains and tick
 * labels): linear, log10, log2 (the loss scale: ticks at powers of two, labelled 2^k) and symlog
 * (event counts, which are often 0: 0 sits on the baseline, ticks at 0, 1, 10, 100, ...).
 */
import { format, scaleLinear, scaleLog, scaleSymlog } from 'd3';

export type YKind = 'linear' | 'log' | 'log2' | 'symlog';

export interface Tick {
  value: number;
  label: string;
}

export interface ValueScale {
  (value: number): number;
  domain(): number[];
  range(): number[];
  invert(y: number): number;
}

/** Finite extent of the values, positive only for log kinds; null when there is none. */
export function extentOf(values: Iterable<number>, kind: YKind): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if ((kind === 'log' || kind === 'log2') && v <= 0) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A domain that shows the extent with some air, never empty. */
export function paddedDomain(extent: [number, number] | null, kind: YKind, zeroBased = false): [number, number] {
  if (kind === 'log' || kind === 'log2') {
    const base = kind === 'log2' ? 2 : 10;
    if (!extent) return [1, base];
    // Whole powers, with a line that sits exactly on one (a loss scale of 2^16) kept off the edge.
    const log = (v: number) => Math.log(v) / Math.log(base);
    const lo = base ** Math.floor(log(extent[0]) - 1e-9);
    const hi = base ** Math.ceil(log(extent[1]) + 1e-9);
    return [lo, hi];
  }
  if (kind === 'symlog') {
    const hi = extent ? Math.max(1, extent[1]) : 1;
    return [0, 10 ** Math.ceil(Math.log10(hi + 1))];
  }
  if (!extent) return [0, 1];
  const hi = extent[1];
  const lo = zeroBased ? Math.min(0, extent[0]) : extent[0];
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const pad = Math.abs(hi) * 0.05 || 1;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.05;
  return [zeroBased && lo === 0 ? 0 : lo - pad, hi + pad];
}

export function makeYScale(kind: YKind, domain: [number, number], range: [number, number]): ValueScale {
  if (kind === 'log') return scaleLog().domain(domain).range(range).clamp(true) as unknown as ValueScale;
  if (kind === 'log2') return scaleLog().base(2).domain(domain).range(range).clamp(true) as unknown as ValueScale;
  if (kind === 'symlog') return scaleSymlog().constant(1).domain(domain).range(range) as unknown as ValueScale;
  return scaleLinear().domain(domain).range(range).nice() as unknown as ValueScale;
}

const superscript = (k: number): string =>
  String(k)
    .split('')
    .map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'['0123456789'.indexOf(c)] ?? (c === '-' ? '⁻' : c))
    .join('');

/** 2^k as "2¹⁶". */
export const pow2Label = (k: number): string => `2${superscript(k)}`;

/** The smallest candidate stride whose multiples in [k0, k1] number at most `count`. */
function powerStride(k0: number, k1: number, count: number, candidates: readonly number[]): number {
  const ticks = (s: number) => Math.floor(k1 / s) - Math.ceil(k0 / s) + 1;
  return candidates.find((s) => ticks(s) <= Math.max(1, count)) ?? candidates[candidates.length - 1];
}

/** Ticks for the kind, about `count` of them. */
export function ticksFor(kind: YKind, domain: [number, number], count: number): Tick[] {
  const [lo, hi] = domain;
  if (kind === 'log2') {
    const k0 = Math.ceil(Math.log2(lo));
    const k1 = Math.floor(Math.log2(hi));
    const stride = powerStride(k0, k1, count, [1, 2, 4, 8, 16, 32, 64]);
    const out: Tick[] = [];
    // Multiples of the stride (2⁰, 2⁴, 2⁸, …), so the labels are the round ones.
    for (let k = k0; k <= k1; k++) if (k % stride === 0) out.push({ value: 2 ** k, label: pow2Label(k) });
    return out;
  }
  if (kind === 'log' || kind === 'symlog') {
    const out: Tick[] = kind === 'symlog' ? [{ value: 0, label: '0' }] : [];
    const k0 = kind === 'symlog' ? 0 : Math.ceil(Math.log10(lo));
    const k1 = Math.floor(Math.log10(hi));
    const stride = powerStride(k0, k1, count, [1, 2, 3, 5, 10, 20]);
    for (let k = k0; k <= k1; k++) if (k % stride === 0) out.push({ value: 10 ** k, label: formatTick(10 ** k) });
    return out;
  }
  return scaleLinear()
    .domain(domain)
    .nice()
    .ticks(count)
    .map((v) => ({ value: v, label: formatTick(v) }));
}

const SI = format('~s');
const SHORT = format('.3~g');

/** Axis labels: 0.001, 2.5, 40k, 1.2M. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return SI(v);
  if (a < 1e-3) return format('.0e')(v);
  return SHORT(v);
}

/** Values in readouts: enough digits to compare lanes (4 significant; whole numbers from 1000). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 && a < 1e9) return String(Math.round(v));
  if (a >= 1e9 || a < 1e-3) return format('.4~e')(v);
  return format('.4~g')(v);
}

/** The x scale of every time-series chart: steps from 0 to at least 10. */
export function stepScale(maxStep: number, range: [number, number]) {
  return scaleLinear().domain([0, Math.max(10, maxStep)]).range(range);
}
