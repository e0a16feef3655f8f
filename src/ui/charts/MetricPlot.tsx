/**
 * One metric per lane over steps, as lines: the body shared by the tokens/s, weight-norm,
 * loss-scale and lost-update charts (each of those files says what it draws and why). Redraws
 * when the series version changes, at most once per animation frame.
 */
import { useMemo, type ReactNode } from 'react';
import { useLab } from '../lab/labContext';
import type { ChartLane } from './chartLanes';
import { columnSource, type Transform } from './metricSeries';
import type { YKind } from './scales';
import { DEFAULT_MARGIN, timeSeriesModel, type SeriesLine, type TimeSeriesModel } from './timeSeries';
import { TimeSeriesPlot } from './TimeSeriesPlot';

export const PLOT_HEIGHT = 200;

export function MetricPlot({
  width,
  lanes,
  metric,
  kind,
  transform,
  version,
  hoveredStep,
  label,
  zeroBased,
  height = PLOT_HEIGHT,
  marks,
}: {
  width: number;
  lanes: readonly ChartLane[];
  metric: string;
  kind: YKind;
  transform?: Transform;
  /** The series version it was drawn for (redraw key). */
  version: number;
  hoveredStep: number | null;
  label: string;
  zeroBased?: boolean;
  height?: number;
  marks?: (model: TimeSeriesModel) => ReactNode;
}) {
  const { stores } = useLab();
  const model = useMemo(() => {
    const state = stores.series.getState();
    const lines: SeriesLine[] = [];
    for (const lane of lanes) {
      const source = columnSource(state.lanes.get(lane.id), metric, lane, transform);
      if (source) lines.push({ key: lane.id, colour: lane.colour, source });
    }
    return timeSeriesModel(lines, { width, height, margin: DEFAULT_MARGIN }, { kind, maxStep: state.maxStep, zeroBased });
    // version stands for the series content, which is mutated in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stores, lanes, metric, transform, width, height, kind, zeroBased, version]);
  return (
    <TimeSeriesPlot model={model} width={width} height={height} hoveredStep={hoveredStep} label={label}>
      {marks?.(model)}
    </TimeSeriesPlot>
  );
}
