/** Throughput: tokens per second each lane trains (B·T tokens over its step's wall time). */
import { useStore } from 'zustand';
import { useLab } from '../lab/labContext';
import { ChartCard } from './ChartCard';
import { useChartLanes } from './chartLanes';
import { readoutStep } from './metricSeries';
import { MetricPlot } from './MetricPlot';
import { useLive } from './useLive';

const NOTE = (
  <p>
    Tokens per second of each lane: the batch’s B·T tokens over the wall time of the lane’s step (forward,
    backward, optimizer and metrics). Lanes run one after another in each step, so the numbers compare the
    recipes’ costs on this device. On the CPU reference, 16-bit formats are emulated and cost more, not less;
    on a GPU, 16-bit storage halves the bytes moved.
  </p>
);

export function TokensChart() {
  const { stores } = useLab();
  const { version, hovered } = useLive();
  const { visible } = useChartLanes();
  const log = useStore(stores.ui, (s) => s.logCharts.includes('tokens'));
  const state = stores.series.getState();
  const step = readoutStep(state, hovered);
  const entries = visible.map((l) => ({
    laneId: l.id,
    label: l.label,
    colour: l.colour,
    value: step === null ? NaN : (state.lanes.get(l.id)?.valueAt('tokens_per_s', step) ?? NaN),
  }));
  return (
    <ChartCard id="tokens" title="Throughput" subtitle="tokens / s" note={NOTE} logToggle readout={{ step, entries }}>
      {(width) => (
        <MetricPlot width={width} lanes={visible} metric="tokens_per_s" kind={log ? 'log' : 'linear'} zeroBased version={version} hoveredStep={hovered} label="Tokens per second by step" />
      )}
    </ChartCard>
  );
}
