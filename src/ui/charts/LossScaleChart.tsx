/**
 * Loss scale on a log2 axis, with skipped steps marked: torch.amp.GradScaler's state, step by
 * step. A lane without loss scaling stays at 2⁰.
 */
import { useMemo } from 'react';
import { useLab } from '../lab/labContext';
import { ChartCard } from './ChartCard';
import { useChartLanes, type ChartLane } from './chartLanes';
import { readoutStep } from './metricSeries';
import { MetricPlot } from './MetricPlot';
import type { TimeSeriesModel } from './timeSeries';
import { useLive } from './useLive';

const NOTE = (
  <p>
    The loss scale each lane’s backward used (log2 axis). torch.amp.GradScaler multiplies the loss by it so
    that small gradients stay above FP16’s underflow threshold, then divides the gradients by it before the
    optimizer. When the scaled gradients hold an inf or NaN the step is skipped (marked ×) and the scale is
    multiplied by backoff_factor (0.5); after growth_interval clean steps in a row it is multiplied by
    growth_factor (2). Lanes without a scaler stay at 2⁰ = 1.
  </p>
);

const MAX_MARKS = 400;

interface Skips {
  lane: ChartLane;
  steps: number[];
  scales: number[];
}

function skippedSteps(stores: ReturnType<typeof useLab>['stores'], lanes: readonly ChartLane[]): Skips[] {
  const state = stores.series.getState();
  return lanes.map((lane) => {
    const s = state.lanes.get(lane.id);
    const skipped = s?.column('step_skipped');
    const scale = s?.column('loss_scale');
    const out: Skips = { lane, steps: [], scales: [] };
    if (!s || !skipped || !scale) return out;
    for (let i = 0; i < skipped.length; i++) {
      if (skipped.get(i) === 1) {
        out.steps.push(s.steps.get(i));
        out.scales.push(scale.get(i));
      }
    }
    return out;
  });
}

export function LossScaleChart() {
  const { stores } = useLab();
  const { version, hovered } = useLive();
  const { visible } = useChartLanes();
  // eslint-disable-next-line react-hooks/exhaustive-deps -- version stands for the mutated series
  const skips = useMemo(() => skippedSteps(stores, visible), [stores, visible, version]);
  const state = stores.series.getState();
  const step = readoutStep(state, hovered);
  const entries = visible.map((l) => {
    const count = skips.find((s) => s.lane.id === l.id)?.steps.filter((s) => step !== null && s <= step).length ?? 0;
    return {
      laneId: l.id,
      label: l.label,
      colour: l.colour,
      value: step === null ? NaN : (state.lanes.get(l.id)?.valueAt('loss_scale', step) ?? NaN),
      suffix: `${count} skipped`,
    };
  });
  const marks = (model: TimeSeriesModel) =>
    skips.map(({ lane, steps, scales }) => {
      const stride = Math.max(1, Math.ceil(steps.length / MAX_MARKS));
      return steps
        .filter((_, i) => i % stride === 0)
        .map((s, k) => {
          const x = model.x(s);
          const y = model.y(scales[k * stride]);
          return (
            <path key={`${lane.id}-${s}`} d={`M${x - 3.5},${y - 3.5}L${x + 3.5},${y + 3.5}M${x - 3.5},${y + 3.5}L${x + 3.5},${y - 3.5}`} stroke={lane.colour} strokeWidth={1.8} data-skipped={lane.id} />
          );
        });
    });
  return (
    <ChartCard id="scale" title="Loss scale" subtitle="log2; × = skipped step" note={NOTE} readout={{ step, entries }}>
      {(width) => (
        <MetricPlot width={width} lanes={visible} metric="loss_scale" kind="log2" version={version} hoveredStep={hovered} label="Loss scale by step" marks={marks} />
      )}
    </ChartCard>
  );
}
