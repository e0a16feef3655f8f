/**
 * Memory by category per lane: stacked bars of the bytes each lane's buffers take (weights,
 * master copy, gradients, optimizer moments, activations, activation gradients), as the trainer
 * reported them on the first step. 16-bit tensors are really stored two per u32 word.
 */
import { scaleLinear } from 'd3';
import { MEMORY_CATEGORIES } from '../../model/config';
import { useLab } from '../lab/labContext';
import { ChartCard } from './ChartCard';
import { useChartLanes } from './chartLanes';
import { AXIS_TEXT } from './TimeSeriesPlot';
import { useLive } from './useLive';

const NOTE = (
  <p>
    Bytes each lane allocates, by what they hold: the weights as the matmuls read them, the f32 master copy
    (mixed-precision recipes), the weight gradients, AdamW’s two moments, the activations saved for the backward,
    and the backward’s scratch. Mixed precision adds a 16-bit copy of the weights but halves the activations, which
    dominate at long contexts and large batches; pure BF16 halves the weights and drops the master copy.
  </p>
);

// Paul Tol's muted scheme: distinct for the common colour-vision deficiencies, and apart from the
// lanes' Okabe–Ito colours (lanes are named on each bar instead).
const CATEGORY_COLOURS = ['#332288', '#88ccee', '#44aa99', '#999933', '#cc6677', '#aa4499'];
const ROW = 22;
const MARGIN = { top: 8, right: 70, bottom: 22, left: 150 };
const MiB = 1024 * 1024;

export function MemoryChart() {
  const { stores } = useLab();
  useLive();
  const { visible } = useChartLanes();
  const state = stores.series.getState();
  const rows = visible.map((lane) => ({ lane, memory: state.lanes.get(lane.id)?.memory ?? null }));
  const entries = rows.map(({ lane, memory }) => ({ laneId: lane.id, label: lane.label, colour: lane.colour, value: memory ? memory.total : NaN, suffix: memory ? `bytes (${(memory.total / MiB).toFixed(2)} MiB)` : undefined }));
  return (
    <ChartCard id="memory" title="Memory" subtitle="bytes per lane, by category" note={NOTE} readout={{ step: state.maxStep > 0 ? 1 : null, entries, label: 'reported at step' }}>
      {(width) => {
        const plotW = Math.max(40, width - MARGIN.left - MARGIN.right);
        const max = Math.max(1, ...rows.map((r) => r.memory?.total ?? 0));
        const x = scaleLinear([0, max / MiB], [MARGIN.left, MARGIN.left + plotW]).nice();
        // Category legend, wrapped into as many rows as the width needs.
        const legend: { c: string; k: number; x: number; row: number }[] = [];
        let lx = 8;
        let row = 0;
        MEMORY_CATEGORIES.forEach((c, k) => {
          const w = 16 + c.length * 6 + 12;
          if (lx + w > width && lx > 8) {
            lx = 8;
            row++;
          }
          legend.push({ c, k, x: lx, row });
          lx += w;
        });
        const axisY = MARGIN.top + rows.length * (ROW + 6);
        const legendTop = axisY + MARGIN.bottom + 4;
        const height = legendTop + (row + 1) * 16;
        return (
          <svg width={width} height={height} className="chart-svg" role="img" aria-label="Memory by category per lane" fontFamily="system-ui, sans-serif">
            {x.ticks(5).map((t) => (
              <g key={t}>
                <line x1={x(t)} x2={x(t)} y1={MARGIN.top} y2={axisY} stroke="#e9ecf1" />
                <text x={x(t)} y={axisY + 14} textAnchor="middle" {...AXIS_TEXT}>
                  {t} MiB
                </text>
              </g>
            ))}
            {rows.map(({ lane, memory }, i) => {
              const y = MARGIN.top + i * (ROW + 6);
              let offset = 0;
              return (
                <g key={lane.id} data-lane={lane.id}>
                  <rect x={8} y={y + ROW / 2 - 5} width={10} height={10} rx={2} fill={lane.colour} />
                  <text x={22} y={y + ROW / 2} dy="0.32em" {...AXIS_TEXT} fill="#1d2430">
                    {lane.label.length > 20 ? `${lane.label.slice(0, 19)}…` : lane.label}
                  </text>
                  {memory ? (
                    MEMORY_CATEGORIES.map((c, k) => {
                      const from = offset;
                      offset += memory[c] / MiB;
                      return memory[c] > 0 ? <rect key={c} x={x(from)} y={y} width={Math.max(0.5, x(offset) - x(from))} height={ROW} fill={CATEGORY_COLOURS[k]} data-category={c} /> : null;
                    })
                  ) : (
                    <text x={MARGIN.left} y={y + ROW / 2} dy="0.32em" {...AXIS_TEXT}>
                      reported after the first step
                    </text>
                  )}
                  {memory && (
                    <text x={x(offset) + 4} y={y + ROW / 2} dy="0.32em" {...AXIS_TEXT}>
                      {(memory.total / MiB).toFixed(2)}
                    </text>
                  )}
                </g>
              );
            })}
            {legend.map(({ c, k, x: at, row: r }) => (
              <g key={c}>
                <rect x={at} y={legendTop + r * 16} width={10} height={10} fill={CATEGORY_COLOURS[k]} />
                <text x={at + 14} y={legendTop + r * 16 + 9} {...AXIS_TEXT} fontSize={10}>
                  {c.replace('_', ' ')}
                </text>
              </g>
            ))}
          </svg>
        );
      }}
    </ChartCard>
  );
}
