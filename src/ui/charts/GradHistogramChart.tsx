/**
 * The figure that explains loss scaling: each lane's histogram of weight-gradient magnitudes
 * (log2 binades, as the backward stored them) over the zones of each lane's storage format —
 * flushed to 0, subnormal, normal, overflow (numerics' range()). Shown at the crosshair's step
 * (the latest histogram taken at or before it), or the latest.
 */
import { line, scaleLinear, scaleLog } from 'd3';
import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { FormatName } from '../../numerics';
import { GRAD_HISTOGRAM_RANGE } from '../../train/metrics';
import { useLab } from '../lab/labContext';
import { ChartCard } from './ChartCard';
import { useChartLanes } from './chartLanes';
import { histogramOutline, histogramShares, zonesWithin } from './histogramZones';
import { readoutStep } from './metricSeries';
import { formatTick, pow2Label } from './scales';
import { AXIS_TEXT } from './TimeSeriesPlot';
import { useLive } from './useLive';

const NOTE = (
  <>
    <p>
      How many weight gradients fall in each binade [2ᵏ, 2ᵏ⁺¹), as a share of all of them, for each lane (taken
      every few steps). The strips under the plot are each storage format’s zones: values left of the subnormal
      zone flush to 0, values in it lose precision, values right of normal overflow.
    </p>
    <p>
      Without loss scaling, FP16 gradients sit largely left of FP16’s range and become 0 (the unscaled lane’s
      curve is cut at 2⁻²⁵ and its zero share grows). A GradScaler multiplies the loss, and so every gradient,
      by the loss scale (e.g. 2¹⁶): the FP16+scaler lane’s curve is the same shape shifted right by log2(scale)
      into the normal zone. BF16’s zones cover the whole plot: it needs no scaling.
    </p>
  </>
);

const HEIGHT = 210;
const STRIP = 14;
const MARGIN = { top: 10, right: 14, bottom: 24, left: 52 };
const ZONE_FILL: Record<string, string> = { flush: '#d9dde4', subnormal: '#f6d88e', normal: '#c6dbf5', overflow: '#f2b0a8' };
const ZONE_LABEL: Record<string, string> = { flush: 'flush to 0', subnormal: 'subnormal', normal: 'normal', overflow: 'overflow' };
const LO = GRAD_HISTOGRAM_RANGE.minExponent;
const HI = GRAD_HISTOGRAM_RANGE.maxExponent;

export function GradHistogramChart() {
  const { stores } = useLab();
  const { version, hovered } = useLive();
  const { visible } = useChartLanes();
  const log = useStore(stores.ui, (s) => s.logCharts.includes('histogram'));
  const state = stores.series.getState();
  const step = readoutStep(state, hovered);
  const shown = useMemo(
    () =>
      visible.map((lane) => {
        const h = step === null ? null : (state.lanes.get(lane.id)?.histogramAt(step) ?? null);
        return { lane, at: h?.step ?? null, shares: h ? histogramShares(h.histogram) : null };
      }),
    // version stands for the series content, which is mutated in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [visible, step, version, state],
  );
  const at = shown.find((s) => s.at !== null)?.at ?? null;
  const entries = shown.map(({ lane, shares }) => {
    let median = NaN;
    if (shares) {
      let acc = shares.zeros + shares.below;
      for (const b of shares.bars) {
        acc += b.share;
        if (acc >= 0.5) {
          median = b.exponent;
          break;
        }
      }
    }
    return {
      laneId: lane.id,
      label: lane.label,
      colour: lane.colour,
      value: Number.isFinite(median) ? 2 ** median : NaN,
      display: Number.isFinite(median) ? `median ${pow2Label(median)}` : undefined,
      suffix: shares ? `${(shares.zeros * 100).toFixed(1)}% exactly 0` : 'no histogram yet',
    };
  });
  const formats = [...new Set(visible.map((l) => l.recipe.storageFormat))] as FormatName[];
  return (
    <ChartCard
      id="histogram"
      title="Gradient magnitudes"
      subtitle="log2 |g|"
      note={NOTE}
      logToggle
      readout={{ step: at, entries, label: 'histogram at step' }}
    >
      {(width) => <HistogramPlot width={width} shown={shown} formats={formats} log={log} />}
    </ChartCard>
  );
}

function HistogramPlot({
  width,
  shown,
  formats,
  log,
}: {
  width: number;
  shown: { lane: { id: string; colour: string }; shares: ReturnType<typeof histogramShares> | null }[];
  formats: FormatName[];
  log: boolean;
}) {
  const stripsTop = HEIGHT;
  const total = HEIGHT + formats.length * (STRIP + 4);
  const plot = { left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom };
  const x = scaleLinear().domain([LO, HI]).range([plot.left, plot.right]);
  const maxShare = Math.max(1e-3, ...shown.flatMap((s) => s.shares?.bars.map((b) => b.share) ?? []));
  const y = log
    ? scaleLog().domain([1e-6, 1]).range([plot.bottom, plot.top]).clamp(true)
    : scaleLinear().domain([0, maxShare]).range([plot.bottom, plot.top]).nice();
  const yTicks = log ? [1e-6, 1e-4, 1e-2, 1] : y.ticks(4);
  const xTicks = [];
  const stride = width < 640 ? 16 : 8;
  for (let k = LO; k <= HI; k += stride) xTicks.push(k);
  const path = line<[number, number]>()
    .x(([e]) => x(e))
    .y(([, s]) => y(log ? Math.max(s, 1e-6) : s));
  const pct = (v: number) => (log ? formatTick(v * 100) : String(Math.round(v * 1000) / 10)) + '%';
  return (
    <svg width={width} height={total} className="chart-svg" role="img" aria-label="Gradient magnitude histogram over the formats' ranges" fontFamily="system-ui, sans-serif">
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line x1={plot.left} x2={plot.right} y1={y(t)} y2={y(t)} stroke="#e9ecf1" />
          <text x={plot.left - 6} y={y(t)} dy="0.32em" textAnchor="end" {...AXIS_TEXT}>
            {pct(t)}
          </text>
        </g>
      ))}
      {formats.includes('fp16') &&
        zonesWithin('fp16', LO, HI).zones.map((z) => (
          <rect key={`bg-${z.kind}`} x={x(z.from)} width={x(z.to) - x(z.from)} y={plot.top} height={plot.bottom - plot.top} fill={ZONE_FILL[z.kind]} fillOpacity={0.28} />
        ))}
      <line x1={plot.left} x2={plot.right} y1={plot.bottom} y2={plot.bottom} stroke="#8a93a3" />
      {shown.map(({ lane, shares }) =>
        shares ? <path key={lane.id} d={path(histogramOutline(shares.bars)) ?? ''} fill="none" stroke={lane.colour} strokeWidth={1.8} data-lane={lane.id} /> : null,
      )}
      {formats.map((f, i) => {
        const zf = zonesWithin(f, LO, HI);
        const top = stripsTop + i * (STRIP + 4);
        return (
          <g key={f} data-format={f}>
            <text x={plot.left - 6} y={top + STRIP / 2} dy="0.32em" textAnchor="end" {...AXIS_TEXT} fontWeight={600}>
              {zf.label}
            </text>
            {zf.zones.map((z) => {
              const w = x(z.to) - x(z.from);
              const label = ZONE_LABEL[z.kind];
              return (
                <g key={z.kind} data-zone={z.kind}>
                  <rect x={x(z.from)} y={top} width={w} height={STRIP} fill={ZONE_FILL[z.kind]} stroke="#fff" />
                  {w > label.length * 5.6 + 6 && (
                    <text x={x(z.from) + w / 2} y={top + STRIP / 2} dy="0.32em" textAnchor="middle" fontSize={10} fill="#1d2430">
                      {label}
                    </text>
                  )}
                </g>
              );
            })}
          </g>
        );
      })}
      {xTicks.map((k) => (
        <text key={`x${k}`} x={x(k)} y={plot.bottom + 15} textAnchor="middle" {...AXIS_TEXT}>
          {pow2Label(k)}
        </text>
      ))}
    </svg>
  );
}
