/**
 * The SVG of a time-series chart, drawn from a TimeSeriesModel: grid, axes, lines, extra marks
 * (children, drawn with the model's scales), the synced crosshair at the hovered step and the
 * pointer overlay that sets it. React owns every element; d3 only computed the numbers.
 */
import type { ReactNode } from 'react';
import { useLab } from '../lab/labContext';
import type { TimeSeriesModel } from './timeSeries';

export const AXIS_TEXT = { fontSize: 11, fill: '#3b4352' } as const;
const GRID = '#e9ecf1';
const AXIS = '#8a93a3';

export function TimeSeriesPlot({
  model,
  width,
  height,
  hoveredStep,
  label,
  caption,
  children,
}: {
  model: TimeSeriesModel;
  width: number;
  height: number;
  hoveredStep: number | null;
  label: string;
  /** A panel's title, written above it in exports. */
  caption?: string;
  children?: ReactNode;
}) {
  const { stores } = useLab();
  const { plot } = model;
  const setHovered = (step: number | null) => stores.ui.getState().setHoveredStep(step);
  const crossX = hoveredStep === null ? null : model.x(hoveredStep);
  return (
    <svg width={width} height={height} role="img" aria-label={label} className="chart-svg" data-caption={caption} fontFamily="system-ui, sans-serif">
      <defs>
        <clipPath id={`clip-${label.replace(/\W+/g, '-')}`}>
          <rect x={plot.left} y={plot.top - 2} width={plot.right - plot.left} height={plot.bottom - plot.top + 4} />
        </clipPath>
      </defs>
      {model.yTicks.map((t) => (
        <g key={`y${t.value}`}>
          <line x1={plot.left} x2={plot.right} y1={model.y(t.value)} y2={model.y(t.value)} stroke={GRID} />
          <text x={plot.left - 6} y={model.y(t.value)} dy="0.32em" textAnchor="end" {...AXIS_TEXT}>
            {t.label}
          </text>
        </g>
      ))}
      <line x1={plot.left} x2={plot.right} y1={plot.bottom} y2={plot.bottom} stroke={AXIS} />
      {model.xTicks.map((t) => (
        <g key={`x${t.value}`}>
          <line x1={model.x(t.value)} x2={model.x(t.value)} y1={plot.bottom} y2={plot.bottom + 4} stroke={AXIS} />
          <text x={model.x(t.value)} y={plot.bottom + 16} textAnchor="middle" {...AXIS_TEXT}>
            {t.label}
          </text>
        </g>
      ))}
      <g clipPath={`url(#clip-${label.replace(/\W+/g, '-')})`}>
        {model.lines.map((l) => (
          <path
            key={l.key}
            d={l.d}
            fill="none"
            stroke={l.colour}
            strokeWidth={l.faint ? 1 : 1.8}
            strokeOpacity={l.faint ? 0.28 : 1}
            strokeLinejoin="round"
            data-lane={l.key}
          />
        ))}
        {children}
      </g>
      {crossX !== null && crossX >= plot.left && crossX <= plot.right && (
        <line x1={crossX} x2={crossX} y1={plot.top} y2={plot.bottom} stroke="#1d2430" strokeDasharray="3 3" strokeWidth={1} className="crosshair" />
      )}
      <rect
        data-export="skip"
        x={plot.left}
        y={plot.top}
        width={Math.max(0, plot.right - plot.left)}
        height={Math.max(0, plot.bottom - plot.top)}
        fill="transparent"
        onPointerMove={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          const step = Math.round(model.xInvert(plot.left + e.clientX - box.left));
          setHovered(Math.max(1, step));
        }}
        onPointerLeave={() => setHovered(null)}
      />
    </svg>
  );
}
