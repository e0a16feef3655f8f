/**
 * The render math of the time-series charts (loss, tokens/s, norms, events, loss scale, lost
 * updates): scales from data and dimensions, and each line's SVG path from a down-sampled view
 * of its full series. Pure: (data, scales, dimensions) in, strings and numbers out.
 */
import { line } from 'd3';
import { downsampleMinMax, type PointSource } from './downsample';
import { extentOf, formatTick, makeYScale, paddedDomain, stepScale, ticksFor, type Tick, type ValueScale, type YKind } from './scales';

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface Dimensions {
  width: number;
  height: number;
  margin: Margin;
}

export const DEFAULT_MARGIN: Margin = { top: 10, right: 14, bottom: 26, left: 52 };

export interface SeriesLine {
  key: string;
  colour: string;
  source: PointSource;
  /** Faint (raw values under a smoothed curve). */
  faint?: boolean;
}

export interface DrawnLine {
  key: string;
  colour: string;
  d: string;
  faint: boolean;
  points: number;
}

export interface TimeSeriesModel {
  x: (step: number) => number;
  xInvert: (px: number) => number;
  y: ValueScale;
  xTicks: Tick[];
  yTicks: Tick[];
  lines: DrawnLine[];
  plot: { left: number; right: number; top: number; bottom: number };
}

/** Every finite y of the sources (the full series, not the drawn sample). */
function* allValues(lines: readonly SeriesLine[]): Generator<number> {
  for (const l of lines) for (let i = 0; i < l.source.n; i++) yield l.source.y(i);
}

export interface TimeSeriesOptions {
  kind: YKind;
  maxStep: number;
  /** Extra values the y domain must include (held-out points, markers). */
  extraValues?: readonly number[];
  zeroBased?: boolean;
  maxPoints?: number;
}

export function timeSeriesModel(lines: readonly SeriesLine[], dims: Dimensions, options: TimeSeriesOptions): TimeSeriesModel {
  const { width, height, margin } = dims;
  const plot = { left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
  const xs = stepScale(options.maxStep, [plot.left, plot.right]);
  const extent = extentOf([...allValues(lines), ...(options.extraValues ?? [])], options.kind);
  const domain = paddedDomain(extent, options.kind, options.zeroBased);
  const y = makeYScale(options.kind, domain, [plot.bottom, plot.top]);
  const yDomain = y.domain() as [number, number];
  const toPath = line<[number, number]>()
    .defined(([, v]) => Number.isFinite(v) && (options.kind === 'linear' || options.kind === 'symlog' || v > 0))
    .x(([s]) => xs(s))
    .y(([, v]) => y(v));
  const drawn = lines.map((l) => {
    const sample = downsampleMinMax(l.source, options.maxPoints);
    const pairs = sample.xs.map((s, i) => [s, sample.ys[i]] as [number, number]);
    return { key: l.key, colour: l.colour, d: toPath(pairs) ?? '', faint: l.faint ?? false, points: pairs.length };
  });
  const xTickCount = Math.max(2, Math.floor((plot.right - plot.left) / 80));
  return {
    x: (s) => xs(s),
    xInvert: (px) => xs.invert(px),
    y,
    xTicks: xs.ticks(xTickCount).filter(Number.isInteger).map((v) => ({ value: v, label: formatTick(v) })),
    yTicks: ticksFor(options.kind, yDomain, Math.max(2, Math.floor((plot.bottom - plot.top) / 32))),
    lines: drawn,
    plot,
  };
}
