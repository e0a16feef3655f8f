import { scaleLinear } from 'd3';
import { useState } from 'react';
import type { FormatName } from '../../numerics';
import { useElementWidth } from '../common/useElementWidth';
import { showValue } from './display';
import { axisExtent, formatBands, markerFor, type ZoneKind } from './rangeBands';

const LAYOUT = { left: 96, right: 24, top: 30, band: 24, gap: 10, axis: 40 };
const ZONE_LABEL: Record<ZoneKind, string> = {
  flush: 'flush to 0',
  subnormal: 'subnormal',
  normal: 'normal',
  overflow: 'overflow',
};
/** Average glyph width of the 11px zone labels, to hide a label its zone cannot hold. */
const LABEL_CHAR_PX = 6.2;

/** Every shown format's zones on one log2|x| axis, with a marker at the typed value. */
export function RangeAxis({ formats, x }: { formats: readonly FormatName[]; x: number }) {
  const [ref, width] = useElementWidth<HTMLDivElement>(1000);
  const [hovered, setHovered] = useState<string | null>(null);
  const extent = axisExtent(formats);
  const scale = scaleLinear()
    .domain(extent)
    .range([LAYOUT.left, width - LAYOUT.right]);
  const ticks = scale
    .ticks(Math.max(4, Math.floor((width - LAYOUT.left) / 80)))
    .filter(Number.isInteger);
  const bands = formats.map((n) => formatBands(n, extent[0], extent[1]));
  const bandsBottom = LAYOUT.top + formats.length * (LAYOUT.band + LAYOUT.gap) - LAYOUT.gap;
  const height = bandsBottom + LAYOUT.axis;
  const marker = markerFor(x, extent);

  return (
    <div className="range-axis" ref={ref}>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label="Ranges of the shown formats on a log2 axis of |x|"
      >
        {ticks.map((k) => (
          <line
            key={k}
            className="grid"
            x1={scale(k)}
            x2={scale(k)}
            y1={LAYOUT.top - 6}
            y2={bandsBottom}
          />
        ))}
        {bands.map((b, row) => {
          const y = LAYOUT.top + row * (LAYOUT.band + LAYOUT.gap);
          return (
            <g key={b.name} data-format={b.name}>
              <text
                className="band-label"
                x={LAYOUT.left - 10}
                y={y + LAYOUT.band / 2}
                dy="0.35em"
                textAnchor="end"
              >
                {b.label}
              </text>
              {b.zones.map((z) => {
                const x0 = scale(Math.max(z.from, extent[0]));
                const x1 = scale(Math.min(z.to, extent[1]));
                const w = Math.max(0, x1 - x0);
                const id = `${b.name}:${z.kind}`;
                const label = ZONE_LABEL[z.kind];
                return (
                  <g
                    key={z.kind}
                    className={
                      hovered === id ? `zone zone-${z.kind} hovered` : `zone zone-${z.kind}`
                    }
                    data-zone={z.kind}
                    onMouseEnter={() => setHovered(id)}
                    onMouseLeave={() => setHovered((h) => (h === id ? null : h))}
                  >
                    <title>{z.description}</title>
                    <rect x={x0} y={y} width={w} height={LAYOUT.band} />
                    {w > label.length * LABEL_CHAR_PX + 8 && (
                      <text x={x0 + w / 2} y={y + LAYOUT.band / 2} dy="0.35em" textAnchor="middle">
                        {label}
                      </text>
                    )}
                  </g>
                );
              })}
            </g>
          );
        })}
        <line
          className="axis-line"
          x1={LAYOUT.left}
          x2={width - LAYOUT.right}
          y1={bandsBottom + 6}
          y2={bandsBottom + 6}
        />
        {ticks.map((k) => (
          <g key={k} className="tick" transform={`translate(${scale(k)},${bandsBottom + 6})`}>
            <line y2={5} />
            <text y={20} textAnchor="middle">
              2
              <tspan dy="-0.45em" fontSize="0.8em">
                {k}
              </tspan>
            </text>
          </g>
        ))}
        {marker.kind === 'at' && (
          <g className="marker" transform={`translate(${scale(marker.position)},0)`}>
            <line y1={LAYOUT.top - 8} y2={bandsBottom + 4} />
            <text
              y={LAYOUT.top - 12}
              textAnchor={
                scale(marker.position) < LAYOUT.left + 80
                  ? 'start'
                  : scale(marker.position) > width - 100
                    ? 'end'
                    : 'middle'
              }
            >
              {marker.clamped === 'low' ? '← ' : ''}x = {showValue(x)}
              {marker.clamped === 'high' ? ' →' : ''}
            </text>
          </g>
        )}
      </svg>
      <p className="range-caption" aria-live="polite">
        {hovered
          ? bands
              .flatMap((b) => b.zones.map((z) => [`${b.name}:${z.kind}`, z.description]))
              .find(([id]) => id === hovered)?.[1]
          : marker.kind === 'none'
            ? marker.reason
            : 'Hover a band to see its boundaries. The axis is log2 |x|: each step of 1 is a factor of 2, and the sign of x is ignored.'}
      </p>
    </div>
  );
}
