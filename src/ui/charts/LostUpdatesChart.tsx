/** Lost updates: the share of parameters whose nonzero update rounded away (pure recipes). */
import { useCallback } from 'react';
import { useStore } from 'zustand';
import { useLab } from '../lab/labContext';
import { ChartCard } from './ChartCard';
import { useChartLanes } from './chartLanes';
import { EVENT_DEFINITIONS } from './eventDefinitions';
import { parameterCount } from './groupSizes';
import { readoutStep } from './metricSeries';
import { MetricPlot } from './MetricPlot';
import { useLive } from './useLive';

const NOTE = (
  <>
    <p>{EVENT_DEFINITIONS.lost_update}</p>
    <p>
      Plotted as a share of all P parameters per step. Only lanes that keep their weights in BF16 without an FP32
      master copy (bf16-pure) can lose updates; the others add each update to f32 master weights, where it is
      not lost. BF16 has 8 significant bits: next to a weight of 1.0 any change smaller than 2⁻⁹ ≈ 0.002 rounds
      back to 1.0. Stochastic rounding makes such an update land with a probability proportional to its size.
    </p>
  </>
);

export function LostUpdatesChart() {
  const { stores } = useLab();
  const { version, hovered } = useLive();
  const { visible } = useChartLanes();
  const log = useStore(stores.ui, (s) => s.logCharts.includes('lost'));
  const model = useStore(stores.run, (s) => s.configured?.run.model ?? null);
  const P = model ? parameterCount(model) : NaN;
  const share = useCallback((v: number) => v / P, [P]);
  const state = stores.series.getState();
  const step = readoutStep(state, hovered);
  const noPureLane = visible.every((l) => l.recipe.masterWeights || l.recipe.weightsFormat === 'fp32');
  const entries = visible.map((l) => {
    const n = step === null ? NaN : (state.lanes.get(l.id)?.valueAt('lost_updates', step) ?? NaN);
    return {
      laneId: l.id,
      label: l.label,
      colour: l.colour,
      value: n,
      suffix: Number.isFinite(n) ? `(${((100 * n) / P).toFixed(2)}% of ${P} params)` : l.recipe.masterWeights || l.recipe.name === 'fp32' ? 'n/a: f32 weights' : undefined,
    };
  });
  return (
    <ChartCard id="lost" title="Lost updates" subtitle="share of parameters per step" note={NOTE} logToggle readout={{ step, entries }}>
      {(width) => (
        <MetricPlot
          width={width}
          lanes={visible}
          metric="lost_updates"
          transform={share}
          kind={log ? 'log' : 'linear'}
          zeroBased
          version={version}
          hoveredStep={hovered}
          label="Lost updates by step"
          marks={(m) =>
            noPureLane ? (
              <text x={(m.plot.left + m.plot.right) / 2} y={(m.plot.top + m.plot.bottom) / 2 - 8} textAnchor="middle" fontSize={12} fill="#5b6576">
                <tspan>Every lane here keeps f32 weights,</tspan>
                <tspan x={(m.plot.left + m.plot.right) / 2} dy={16}>
                  so none can lose updates (try Pure BF16).
                </tspan>
              </text>
            ) : null
          }
        />
      )}
    </ChartCard>
  );
}
