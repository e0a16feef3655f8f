/**
 * The frame every Lab chart sits in: title, controls, a legend whose entries hide a lane, the
 * plot, the crosshair readout (each lane's value at the hovered step; a value opens the Formats
 * explorer), "What am I seeing?" and PNG / SVG export of the plot.
 */
import { useRef, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useElementWidth } from '../common/useElementWidth';
import { download } from '../lab/exportRun';
import { useLab } from '../lab/labContext';
import { useChartLanes } from './chartLanes';
import type { ChartId } from './chartIds';
import { chartSvgText, svgTextToPng } from './exportImage';
import { formatValue } from './scales';
import './charts.css';

export interface ReadoutEntry {
  laneId: string;
  label: string;
  colour: string;
  value: number;
  /** How to show the value when not as a plain number (e.g. 2⁻¹¹). */
  display?: string;
  /** Shown after the value (a share, a unit). */
  suffix?: string;
}

export interface ChartCardProps {
  id: ChartId;
  title: string;
  /** Units or what the axis holds, after the title. */
  subtitle?: string;
  note: ReactNode;
  /** Offer a log / linear toggle for the value axis. */
  logToggle?: boolean;
  controls?: ReactNode;
  /** Step the readout is for (hovered, or the latest), and the entries. */
  readout?: { step: number | null; entries: ReadoutEntry[]; label?: string };
  /** The plot, given the width it may use. */
  children: (width: number) => ReactNode;
}

export function ChartCard({ id, title, subtitle, note, logToggle, controls, readout, children }: ChartCardProps) {
  const { stores, actions } = useLab();
  const log = useStore(stores.ui, (s) => s.logCharts.includes(id));
  const { all } = useChartLanes();
  const [bodyRef, width] = useElementWidth<HTMLDivElement>(480);
  const plotRef = useRef<HTMLDivElement>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  const exportAs = async (kind: 'svg' | 'png') => {
    const box = plotRef.current?.getBoundingClientRect();
    const svgs = Array.from(plotRef.current?.querySelectorAll<SVGSVGElement>('svg.chart-svg') ?? []);
    if (!box || svgs.length === 0) return;
    try {
      const legend = all.filter((l) => !l.hidden).map((l) => ({ label: l.label, colour: l.colour }));
      const parts = svgs.map((svg) => {
        const r = svg.getBoundingClientRect();
        return { svg, x: Math.round(r.left - box.left), y: Math.round(r.top - box.top), caption: svg.dataset.caption };
      });
      const { text, width: w, height: h } = chartSvgText(parts, subtitle ? `${title} (${subtitle})` : title, legend);
      const name = `precision-lab-${id}-step${stores.series.getState().maxStep}.${kind}`;
      if (kind === 'svg') download(name, new Blob([text], { type: 'image/svg+xml' }));
      else download(name, await svgTextToPng(text, w, h));
      setExportError(null);
    } catch (e) {
      setExportError(`The ${kind.toUpperCase()} could not be made: ${(e as Error).message}`);
    }
  };

  return (
    <section className="card chart-card" data-chart={id} aria-labelledby={`chart-${id}-title`}>
      <header className="chart-head">
        <h3 id={`chart-${id}-title`}>
          {title}
          {subtitle && <span className="chart-subtitle"> {subtitle}</span>}
        </h3>
        <div className="chart-tools">
          {controls}
          {logToggle && (
            <button
              type="button"
              className={log ? 'chip on' : 'chip'}
              aria-pressed={log}
              title="Logarithmic value axis"
              onClick={() => stores.ui.getState().toggleLog(id)}
            >
              log
            </button>
          )}
          <button type="button" className="chip" onClick={() => void exportAs('png')} title={`Download ${title} as PNG`}>
            PNG
          </button>
          <button type="button" className="chip" onClick={() => void exportAs('svg')} title={`Download ${title} as SVG`}>
            SVG
          </button>
        </div>
      </header>
      <ul className="legend" aria-label={`${title}: lanes (click to hide or show)`}>
        {all.map((l) => (
          <li key={l.id}>
            <button
              type="button"
              className={l.hidden ? 'legend-item off' : 'legend-item'}
              aria-pressed={!l.hidden}
              onClick={() => stores.ui.getState().toggleLane(l.id)}
              title={l.hidden ? `Show ${l.label}` : `Hide ${l.label}`}
            >
              <span className="swatch" style={{ background: l.colour }} />
              {l.label}
            </button>
          </li>
        ))}
      </ul>
      <div className="chart-body" ref={bodyRef}>
        <div ref={plotRef}>{children(width)}</div>
      </div>
      {readout && <Readout {...readout} onOpen={actions.openInExplorer} />}
      {exportError && <p className="input-error">{exportError}</p>}
      <details className="chart-note">
        <summary>What am I seeing?</summary>
        <div className="note">{note}</div>
      </details>
    </section>
  );
}

function Readout({ step, entries, label, onOpen }: ChartCardProps['readout'] & { onOpen: (v: number) => void }) {
  return (
    <div className="readout" aria-live="off">
      <span className="readout-step">{step === null ? 'no data yet' : `${label ?? 'step'} ${step}`}</span>
      {entries.map((e) => (
        <span key={e.laneId} className="readout-entry">
          <span className="swatch" style={{ background: e.colour }} />
          <span className="readout-label">{e.label}</span>
          {Number.isFinite(e.value) ? (
            <button
              type="button"
              className="readout-value mono"
              title={`Open ${e.value} in the Formats explorer`}
              onClick={() => onOpen(e.value)}
            >
              {e.display ?? formatValue(e.value)}
            </button>
          ) : (
            <span className="readout-value mono">{formatValue(e.value)}</span>
          )}
          {e.suffix && <span className="readout-suffix">{e.suffix}</span>}
        </span>
      ))}
    </div>
  );
}
