/**
 * Cast events per step by tensor group: one small panel per group (symlog axis, since most
 * steps count 0), lanes as lines, the event kind chosen above; beneath, a table of each lane's
 * counts at the hovered step with the share of the group's values affected.
 */
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { COUNTED_EVENTS } from '../../numerics';
import { TENSOR_GROUPS, type TensorGroup } from '../../model/reference/storeGroups';
import { useLab } from '../lab/labContext';
import { Tip } from '../common/Tip';
import { ChartCard } from './ChartCard';
import { useChartLanes, type ChartLane } from './chartLanes';
import { EVENT_DEFINITIONS, GROUP_DEFINITIONS, GROUP_LABELS } from './eventDefinitions';
import { groupSizes, type GroupSizes } from './groupSizes';
import { columnSource, readoutStep } from './metricSeries';
import { formatValue } from './scales';
import { timeSeriesModel, type SeriesLine } from './timeSeries';
import { TimeSeriesPlot } from './TimeSeriesPlot';
import { useLive } from './useLive';

const NOTE = (
  <>
    <p>
      How many values each step’s casts to the lane’s storage format turned into the chosen event, by tensor group
      (hover an event or a group for its definition). The axis is symmetric-log: 0 on the baseline, then 1, 10,
      100, … The table gives each lane’s count at the hovered step and its share of the values that group
      stores in one step (exact for weights and weight gradients; estimated from the tensor shapes, ≈, for the
      others).
    </p>
    <p>
      FP32 lanes store nothing in a narrow format and count nothing. FP16 without loss scaling underflows in the
      gradient groups; with a GradScaler the same gradients are scaled into range. BF16 has FP32’s exponent
      range: it seldom underflows, but rounds more coarsely.
    </p>
  </>
);

const PANEL_HEIGHT = 124;
const PANEL_MARGIN = { top: 8, right: 8, bottom: 22, left: 40 };

function shareText(count: number, sizes: GroupSizes | null, group: TensorGroup): string {
  if (!sizes || !Number.isFinite(count) || count === 0) return '';
  const share = count / sizes.values[group];
  const pct = share * 100;
  const text = pct >= 0.1 ? `${pct.toFixed(1)}%` : pct >= 1e-4 ? `${pct.toPrecision(2)}%` : '<0.0001%';
  return `${sizes.exact.has(group) ? '' : '≈'}${text}`;
}

export function EventsChart() {
  const { stores } = useLab();
  const { version, hovered } = useLive();
  const { visible } = useChartLanes();
  const kind = useStore(stores.ui, (s) => s.eventKind);
  const configured = useStore(stores.run, (s) => s.configured);
  const lanesConfig = useStore(stores.config, (s) => s.lanes);
  const sizes = useMemo(() => {
    const out = new Map<string, GroupSizes>();
    if (!configured) return out;
    for (const lane of visible) {
      const cfg = configured.run.lanes.find((l) => l.id === lane.id) ?? lanesConfig.find((l) => l.config.id === lane.id)?.config;
      if (cfg) out.set(lane.id, groupSizes(configured.run.model, lane.recipe, cfg.router === 'low'));
    }
    return out;
  }, [configured, visible, lanesConfig]);
  const state = stores.series.getState();
  const step = readoutStep(state, hovered);
  const total = (lane: ChartLane) =>
    step === null ? NaN : TENSOR_GROUPS.reduce((sum, g) => sum + (state.lanes.get(lane.id)?.valueAt(`${kind}/${g}`, step) ?? NaN), 0);
  const entries = visible.map((l) => ({ laneId: l.id, label: l.label, colour: l.colour, value: total(l), suffix: `${kind} in all groups` }));

  return (
    <ChartCard
      id="events"
      title="Cast events per step"
      subtitle="by tensor group, symlog"
      note={NOTE}
      controls={
        <div className="segmented" role="radiogroup" aria-label="Event kind">
          {COUNTED_EVENTS.map((e) => (
            <button
              key={e}
              type="button"
              role="radio"
              aria-checked={kind === e}
              className={kind === e ? `chip on event-chip-${e}` : 'chip'}
              title={EVENT_DEFINITIONS[e]}
              onClick={() => stores.ui.getState().setEventKind(e)}
            >
              {e}
            </button>
          ))}
        </div>
      }
      readout={{ step, entries }}
    >
      {(width) => (
        <div className="event-panels">
          <EventPanels width={width} lanes={visible} kind={kind} version={version} hovered={hovered} />
          <table className="data-table event-table">
            <thead>
              <tr>
                <th scope="col">
                  <Tip text={EVENT_DEFINITIONS[kind]}>{kind}</Tip>
                  {step !== null && <span className="detail"> at step {step}</span>}
                </th>
                {TENSOR_GROUPS.map((g) => (
                  <th key={g} scope="col" className="num">
                    <Tip text={GROUP_DEFINITIONS[g]}>{GROUP_LABELS[g]}</Tip>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {visible.map((l) => (
                <tr key={l.id} data-lane={l.id}>
                  <th scope="row">
                    <span className="swatch" style={{ background: l.colour }} /> {l.label}
                  </th>
                  {TENSOR_GROUPS.map((g) => {
                    const n = step === null ? NaN : (state.lanes.get(l.id)?.valueAt(`${kind}/${g}`, step) ?? NaN);
                    return (
                      <td key={g} className="num mono" data-group={g}>
                        {formatValue(n)}
                        <span className="share"> {shareText(n, sizes.get(l.id) ?? null, g)}</span>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </ChartCard>
  );
}

function EventPanels({ width, lanes, kind, version, hovered }: { width: number; lanes: ChartLane[]; kind: string; version: number; hovered: number | null }) {
  const { stores } = useLab();
  const columns = width >= 900 ? 5 : width >= 520 ? 3 : 2;
  const gap = 10;
  const panelWidth = Math.floor((width - gap * (columns - 1)) / columns);
  const models = useMemo(() => {
    const state = stores.series.getState();
    return TENSOR_GROUPS.map((group) => {
      const lines: SeriesLine[] = [];
      for (const lane of lanes) {
        const source = columnSource(state.lanes.get(lane.id), `${kind}/${group}`, lane);
        if (source) lines.push({ key: lane.id, colour: lane.colour, source });
      }
      return { group, model: timeSeriesModel(lines, { width: panelWidth, height: PANEL_HEIGHT, margin: PANEL_MARGIN }, { kind: 'symlog', maxStep: state.maxStep, maxPoints: 600 }) };
    });
    // version stands for the series content, which is mutated in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stores, lanes, kind, panelWidth, version]);
  return (
    <div className="panel-grid" style={{ gridTemplateColumns: `repeat(${columns}, ${panelWidth}px)`, gap }}>
      {models.map(({ group, model }) => (
        <figure key={group} className="panel" data-group={group}>
          <figcaption>
            <Tip text={GROUP_DEFINITIONS[group]}>{GROUP_LABELS[group]}</Tip>
          </figcaption>
          <TimeSeriesPlot model={model} width={panelWidth} height={PANEL_HEIGHT} hoveredStep={hovered} label={`${kind} events in ${GROUP_LABELS[group]} by step`} caption={GROUP_LABELS[group]} />
        </figure>
      ))}
    </div>
  );
}
