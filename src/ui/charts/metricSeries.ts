/**
 * Reading a metric out of the series store for drawing and for the crosshair readout. A metric
 * is a column name (series.ts) and an optional per-lane transform (a share instead of a count).
 */
import type { LaneSeries, SeriesState } from '../../store';
import type { ChartLane } from './chartLanes';
import type { PointSource } from './downsample';

export type Transform = (value: number, lane: ChartLane) => number;

/** The lane's column as a point source over (step, value), or null when it has none. */
export function columnSource(series: LaneSeries | undefined, metric: string, lane: ChartLane, transform?: Transform): PointSource | null {
  const col = series?.column(metric);
  if (!series || !col) return null;
  return {
    n: series.steps.length,
    x: (i) => series.steps.get(i),
    y: transform ? (i) => transform(col.get(i), lane) : (i) => col.get(i),
  };
}

/** A source over a precomputed array (a smoothed curve) aligned with the lane's steps. */
export function arrayOverSteps(series: LaneSeries, values: Float64Array): PointSource {
  return { n: Math.min(series.steps.length, values.length), x: (i) => series.steps.get(i), y: (i) => values[i] };
}

/** The step the readout shows: the hovered one (within the data), else the latest. */
export function readoutStep(state: SeriesState, hovered: number | null): number | null {
  if (state.maxStep === 0) return null;
  return hovered === null ? state.maxStep : Math.min(Math.max(1, hovered), state.maxStep);
}
