/**
 * Expert load: for one lane, the share of (token, slot) assignments each expert received, per
 * layer, over steps (a heatmap; columns average buckets of steps when the run is longer than
 * the plot is wide). A balanced router gives every cell 1/E.
 */
import { interpolateCividis, scaleLinear } from 'd3';
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useLab } from '../lab/labContext';
import { ChartCard } from './ChartCard';
import { useChartLanes } from './chartLanes';
import { loadHeatmap, type HeatColumn } from './heatmap';
import { readoutStep } from './metricSeries';
import { stepScale } from './scales';
import { AXIS_TEXT } from './TimeSeriesPlot';
import { useLive } from './useLive';

const NOTE = (
  <p>
    Each row is one expert of one MoE layer, each column a stretch of steps; the colour is the share of the
    layer’s token-to-expert assignments that went to that expert (the colour bar marks 1/E, a perfectly balanced
    router). The Switch load-balancing loss pushes towards 1/E; a router in low precision can turn near-ties
    into arbitrary choices and make the load jumpy. Choose the lane above.
  </p>
);

const MARGIN = { top: 6, right: 14, bottom: 22, left: 74 };
/** Row height per expert: taller when there are few rows, so a tiny model's map stays readable. */
const rowHeight = (rows: number): number => Math.max(8, Math.min(20, Math.floor(160 / Math.max(1, rows))));
const LAYER_GAP = 12;
const LEGEND = 26;

export function ExpertLoadChart() {
  const { stores } = useLab();
  const { version, hovered } = useLive();
  const { all } = useChartLanes();
  const chosen = useStore(stores.ui, (s) => s.expertLane);
  const lane = all.find((l) => l.id === chosen) ?? all[0];
  const state = stores.series.getState();
  const step = readoutStep(state, hovered);
  const series = lane ? state.lanes.get(lane.id) : undefined;
  const shape = useMemo(() => {
    let layers = 0;
    let experts = 0;
    for (const key of series?.columns.keys() ?? []) {
      const m = /^expert_load\/layer(\d+)\/e(\d+)$/.exec(key);
      if (m) {
        layers = Math.max(layers, Number(m[1]) + 1);
        experts = Math.max(experts, Number(m[2]) + 1);
      }
    }
    return { layers, experts };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- version stands for the mutated series
  }, [series, version]);
  const entries = [];
  if (lane && series && step !== null) {
    for (let l = 0; l < shape.layers; l++) {
      const loads = Array.from({ length: shape.experts }, (_, e) => series.valueAt(`expert_load/layer${l}/e${e}`, step));
      const sum = loads.reduce((a, b) => a + b, 0);
      const top = loads.indexOf(Math.max(...loads));
      entries.push({ laneId: `layer${l}`, label: `layer ${l} busiest`, colour: lane.colour, value: sum > 0 ? loads[top] / sum : NaN, suffix: `expert ${top} (uniform ${(1 / shape.experts).toFixed(3)})` });
    }
  }
  return (
    <ChartCard
      id="experts"
      title="Expert load"
      subtitle="share of assignments per expert"
      note={NOTE}
      controls={
        <select aria-label="Lane shown" value={lane?.id ?? ''} onChange={(e) => stores.ui.getState().setExpertLane(e.target.value)}>
          {all.map((l) => (
            <option key={l.id} value={l.id}>
              {l.label}
            </option>
          ))}
        </select>
      }
      readout={{ step, entries }}
    >
      {(width) => <Heatmap width={width} laneId={lane?.id ?? null} layers={shape.layers} experts={shape.experts} version={version} hovered={hovered} />}
    </ChartCard>
  );
}

function Heatmap({ width, laneId, layers, experts, version, hovered }: { width: number; laneId: string | null; layers: number; experts: number; version: number; hovered: number | null }) {
  const { stores } = useLab();
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const maxStep = stores.series.getState().maxStep;
  const columnsByLayer = useMemo(() => {
    const s = laneId ? stores.series.getState().lanes.get(laneId) : undefined;
    if (!s) return [] as HeatColumn[][];
    return Array.from({ length: layers }, (_, l) => {
      const cols = Array.from({ length: experts }, (_, e) => s.column(`expert_load/layer${l}/e${e}`));
      return loadHeatmap({ n: s.steps.length, step: (i) => s.steps.get(i), load: (i, e) => cols[e]?.get(i) ?? NaN }, experts, Math.floor(plotW / 2));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- version stands for the mutated series
  }, [stores, laneId, layers, experts, plotW, version]);
  const x = stepScale(maxStep, [MARGIN.left, MARGIN.left + plotW]);
  const maxShare = Math.min(1, 3 / Math.max(1, experts));
  const colour = scaleLinear([0, maxShare], [0, 1]).clamp(true);
  const ROW = rowHeight(layers * experts);
  const layerH = experts * ROW;
  const bodyH = layers * layerH + Math.max(0, layers - 1) * LAYER_GAP;
  const height = MARGIN.top + bodyH + MARGIN.bottom + LEGEND;
  const axisY = MARGIN.top + bodyH;
  if (layers === 0) {
    return (
      <svg width={width} height={80} className="chart-svg" role="img" aria-label="Expert load heatmap (no data yet)">
        <text x={width / 2} y={40} textAnchor="middle" {...AXIS_TEXT}>
          No steps yet: press play or step.
        </text>
      </svg>
    );
  }
  const ticks = x.ticks(Math.max(2, Math.floor(plotW / 80))).filter(Number.isInteger);
  const crossX = hovered === null ? null : x(hovered);
  return (
    <svg width={width} height={height} className="chart-svg" role="img" aria-label="Expert load heatmap" fontFamily="system-ui, sans-serif">
      {columnsByLayer.map((cols, l) => {
        const top = MARGIN.top + l * (layerH + LAYER_GAP);
        return (
          <g key={l} data-layer={l}>
            <text x={4} y={top + layerH / 2} dy="0.32em" {...AXIS_TEXT}>
              layer {l}
            </text>
            {ROW >= 9 &&
              Array.from({ length: experts }, (_, e) => (
                <text key={e} x={MARGIN.left - 4} y={top + e * ROW + ROW / 2} dy="0.32em" textAnchor="end" {...AXIS_TEXT} fontSize={Math.min(10, ROW - 1)} fill="#6b7585">
                  e{e}
                </text>
              ))}
            {cellPaths(cols, (c) => x(c.fromStep - 0.5), (c) => x(c.toStep + 0.5), top, ROW, colour).map(({ level, d }) => (
              <path key={level} d={d} fill={LEVEL_COLOURS[level]} data-level={level} />
            ))}
          </g>
        );
      })}
      {ticks.map((t) => (
        <text key={t} x={x(t)} y={axisY + 15} textAnchor="middle" {...AXIS_TEXT}>
          {t}
        </text>
      ))}
      {crossX !== null && crossX <= MARGIN.left + plotW && <line x1={crossX} x2={crossX} y1={MARGIN.top} y2={axisY} stroke="#ffffff" strokeDasharray="3 3" />}
      <ColourBar x={MARGIN.left} y={axisY + MARGIN.bottom + 4} width={Math.min(260, plotW)} maxShare={maxShare} experts={experts} />
    </svg>
  );
}

/** Colours quantised to this many levels: a run of thousands of cells is a few dozen paths (one
 * per level, each cell a subpath) instead of one element per cell, so a redraw stays cheap. */
const LEVELS = 64;
const LEVEL_COLOURS = Array.from({ length: LEVELS }, (_, i) => interpolateCividis(i / (LEVELS - 1)));

/** The cells of one layer as one path per colour level: (level, d) pairs, levels ascending. */
function cellPaths(cols: readonly HeatColumn[], left: (c: HeatColumn) => number, right: (c: HeatColumn) => number, top: number, row: number, colour: (share: number) => number): { level: number; d: string }[] {
  const parts: string[][] = Array.from({ length: LEVELS }, () => []);
  for (const c of cols) {
    const x0 = left(c);
    const w = Math.max(1, right(c) - x0);
    c.shares.forEach((share, e) => {
      if (!Number.isFinite(share)) return;
      const level = Math.round(colour(share) * (LEVELS - 1));
      parts[level].push(`M${x0.toFixed(2)} ${top + e * row}h${w.toFixed(2)}v${row}h${(-w).toFixed(2)}z`);
    });
  }
  return parts.flatMap((p, level) => (p.length > 0 ? [{ level, d: p.join('') }] : []));
}

function ColourBar({ x, y, width, maxShare, experts }: { x: number; y: number; width: number; maxShare: number; experts: number }) {
  const steps = 24;
  const uniform = (1 / experts / maxShare) * width;
  return (
    <g>
      {Array.from({ length: steps }, (_, i) => (
        <rect key={i} x={x + (i * width) / steps} y={y} width={width / steps + 0.5} height={8} fill={interpolateCividis(i / (steps - 1))} />
      ))}
      <line x1={x + uniform} x2={x + uniform} y1={y - 2} y2={y + 10} stroke="#1d2430" />
      <text x={x} y={y + 19} {...AXIS_TEXT} fontSize={10}>
        0
      </text>
      <text x={x + uniform} y={y + 19} textAnchor="middle" {...AXIS_TEXT} fontSize={10}>
        1/E
      </text>
      <text x={x + width} y={y + 19} textAnchor="end" {...AXIS_TEXT} fontSize={10}>
        {`≥ ${maxShare.toFixed(2)}`}
      </text>
    </g>
  );
}
