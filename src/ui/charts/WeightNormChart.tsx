/** Weight norms: the L2 norm of all parameters, or of one tensor (per layer) or one expert on
 * demand. */
import { useStore } from 'zustand';
import { useLab } from '../lab/labContext';
import { ChartCard } from './ChartCard';
import { useChartLanes } from './chartLanes';
import { readoutStep } from './metricSeries';
import { MetricPlot } from './MetricPlot';
import { useLive } from './useLive';

const NOTE = (
  <p>
    The L2 norm of the weights after each step: all parameters together (“total”), one tensor of one layer
    (e.g. layer0.fc1w, the first matrices of every expert of layer 0), or one expert (e.g. layer0.expert3: its
    rows of fc1w, fc1b, fc2w and fc2b). Weights that stop moving while others grow are a sign of lost updates
    (pure BF16); a norm that runs away precedes an overflow; an expert the router starves keeps its initial
    norm while the others move. Layer-norm gains start at 1, so their norms start at √C.
  </p>
);

const PREFIX = 'weight_norm/';
const EXPERT = /^layer\d+\.expert\d+$/;

/** The select's groups: the whole model, tensors by layer, experts. */
function groupOptions(names: readonly string[]): [string, string[]][] {
  const groups: [string, string[]][] = [
    ['all parameters', names.filter((n) => n === 'total')],
    ['one tensor', names.filter((n) => n !== 'total' && !EXPERT.test(n))],
    ['one expert', names.filter((n) => EXPERT.test(n))],
  ];
  return groups.filter(([, members]) => members.length > 0);
}

export function WeightNormChart() {
  const { stores } = useLab();
  const { version, hovered } = useLive();
  const { visible } = useChartLanes();
  const tensor = useStore(stores.ui, (s) => s.weightTensor);
  const log = useStore(stores.ui, (s) => s.logCharts.includes('norms'));
  const state = stores.series.getState();
  const first = [...state.lanes.values()][0];
  const tensors = first
    ? [...first.columns.keys()].filter((k) => k.startsWith(PREFIX)).map((k) => k.slice(PREFIX.length))
    : ['total'];
  const options = tensors.includes(tensor) ? tensors : [...tensors, tensor];
  const metric = `${PREFIX}${tensor}`;
  const step = readoutStep(state, hovered);
  const entries = visible.map((l) => ({
    laneId: l.id,
    label: l.label,
    colour: l.colour,
    value: step === null ? NaN : (state.lanes.get(l.id)?.valueAt(metric, step) ?? NaN),
  }));
  return (
    <ChartCard
      id="norms"
      title="Weight norm"
      subtitle="L2"
      note={NOTE}
      logToggle
      controls={
        <label className="select-label">
          <span className="visually-hidden">Tensor</span>
          <select value={tensor} aria-label="Weight tensor" onChange={(e) => stores.ui.getState().setWeightTensor(e.target.value)}>
            {groupOptions(options).map(([group, names]) => (
              <optgroup key={group} label={group}>
                {names.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
      }
      readout={{ step, entries }}
    >
      {(width) => (
        <MetricPlot width={width} lanes={visible} metric={metric} kind={log ? 'log' : 'linear'} version={version} hoveredStep={hovered} label={`Weight norm (${tensor}) by step`} />
      )}
    </ChartCard>
  );
}
