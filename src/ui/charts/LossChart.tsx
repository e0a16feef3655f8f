/**
 * Loss: each lane's training loss (raw, faint; smoothed with the slider's EMA weight, solid) and
 * its held-out loss as points. The smoothed curve is computed over the full series, then
 * down-sampled for drawing.
 */
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useLab } from '../lab/labContext';
import { ChartCard, type ReadoutEntry } from './ChartCard';
import { useChartLanes, type ChartLane } from './chartLanes';
import { downsampleMinMax } from './downsample';
import { arrayOverSteps, columnSource, readoutStep } from './metricSeries';
import { PLOT_HEIGHT } from './MetricPlot';
import { emaSmooth } from './smooth';
import { DEFAULT_MARGIN, timeSeriesModel, type SeriesLine } from './timeSeries';
import { TimeSeriesPlot } from './TimeSeriesPlot';
import { useLive } from './useLive';

const NOTE = (
  <>
    <p>
      Each lane’s training loss on this step’s batch (cross-entropy plus the router’s auxiliary losses). The
      faint line is the raw value, the solid one an exponential moving average (the slider sets its weight, as
      TensorBoard’s smoothing does). Dots are the held-out loss, measured every few steps on fixed batches the
      model never trains on.
    </p>
    <p>
      Lanes that train the same model from the same seed on the same batches differ only by their numerics: a
      gap between curves is what a precision recipe costs (or, for pure BF16 without stochastic rounding, the
      updates it loses).
    </p>
  </>
);

export function LossChart() {
  const { stores } = useLab();
  const { version, hovered } = useLive();
  const smoothing = useStore(stores.ui, (s) => s.smoothing);
  const log = useStore(stores.ui, (s) => s.logCharts.includes('loss'));
  const { visible } = useChartLanes();
  const smoothed = useMemo(() => {
    const out = new Map<string, Float64Array>();
    const state = stores.series.getState();
    for (const lane of visible) {
      const col = state.lanes.get(lane.id)?.column('loss');
      if (col) out.set(lane.id, emaSmooth(col, smoothing));
    }
    return out;
    // version stands for the series content, which is mutated in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stores, visible, smoothing, version]);

  const state = stores.series.getState();
  const step = readoutStep(state, hovered);
  const entries: ReadoutEntry[] = visible.map((lane) => {
    const s = state.lanes.get(lane.id);
    const i = s && step !== null ? s.steps.floorIndex(step) : -1;
    const value = i >= 0 ? (smoothed.get(lane.id)?.[i] ?? NaN) : NaN;
    const h = s && step !== null ? s.heldout.steps.floorIndex(step) : -1;
    const heldout = h >= 0 && s ? s.heldout.values.get(h) : NaN;
    return { laneId: lane.id, label: lane.label, colour: lane.colour, value, suffix: Number.isFinite(heldout) ? `held-out ${heldout.toFixed(3)}` : undefined };
  });

  return (
    <ChartCard
      id="loss"
      title="Loss"
      subtitle="nats per token"
      note={NOTE}
      logToggle
      controls={
        <label className="slider-label" title="Weight of the exponential moving average (0 = raw)">
          smooth
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            aria-label="Loss smoothing"
            onChange={(e) => stores.ui.getState().setSmoothing(Number(e.target.value))}
          />
          <span className="mono slider-value">{smoothing.toFixed(2)}</span>
        </label>
      }
      readout={{ step, entries }}
    >
      {(width) => (
        <LossPlot width={width} lanes={visible} smoothed={smoothed} log={log} version={version} hovered={hovered} />
      )}
    </ChartCard>
  );
}

function LossPlot({
  width,
  lanes,
  smoothed,
  log,
  version,
  hovered,
}: {
  width: number;
  lanes: ChartLane[];
  smoothed: Map<string, Float64Array>;
  log: boolean;
  version: number;
  hovered: number | null;
}) {
  const { stores } = useLab();
  const { model, heldout } = useMemo(() => {
    const state = stores.series.getState();
    const lines: SeriesLine[] = [];
    const points: { lane: ChartLane; xs: number[]; ys: number[] }[] = [];
    const heldoutValues: number[] = [];
    for (const lane of lanes) {
      const s = state.lanes.get(lane.id);
      const raw = columnSource(s, 'loss', lane);
      const smooth = smoothed.get(lane.id);
      if (!s || !raw || !smooth) continue;
      lines.push({ key: `${lane.id}-raw`, colour: lane.colour, source: raw, faint: true });
      lines.push({ key: lane.id, colour: lane.colour, source: arrayOverSteps(s, smooth) });
      const h = downsampleMinMax({ n: s.heldout.steps.length, x: (i) => s.heldout.steps.get(i), y: (i) => s.heldout.values.get(i) }, 400);
      points.push({ lane, ...h });
      heldoutValues.push(...h.ys);
    }
    const m = timeSeriesModel(lines, { width, height: PLOT_HEIGHT, margin: DEFAULT_MARGIN }, { kind: log ? 'log' : 'linear', maxStep: state.maxStep, extraValues: heldoutValues });
    return { model: m, heldout: points };
    // version stands for the series content, which is mutated in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stores, lanes, smoothed, log, width, version]);
  return (
    <TimeSeriesPlot model={model} width={width} height={PLOT_HEIGHT} hoveredStep={hovered} label="Loss by step">
      {heldout.map(({ lane, xs, ys }) =>
        xs.map((x, i) =>
          Number.isFinite(ys[i]) ? (
            <circle key={`${lane.id}-${x}`} cx={model.x(x)} cy={model.y(ys[i])} r={3.2} fill={lane.colour} stroke="#fff" strokeWidth={1.2} data-heldout={lane.id} />
          ) : null,
        ),
      )}
    </TimeSeriesPlot>
  );
}
