/**
 * The JSON export of a run: every lane's configuration (with its recipe spelled out) and every
 * series, so that the run can be reproduced and re-plotted. Series use the CSV metric names
 * (csv.ts) and hold parallel arrays of steps and values; text samples and divergences are
 * listed beside them.
 */
import type { ModelConfig } from '../model/config';
import { frameToRows } from './csv';
import { recipeOf, type LaneConfig } from './lane';
import type { Divergence, MetricsFrame, TextSample } from './metrics';
import type { Recipe } from './recipes';

export interface Series {
  steps: number[];
  values: number[];
}

export interface RunDocument {
  format: 'precision-lab-run';
  version: 1;
  model: ModelConfig;
  /** Dataset name and the seed of its batches. */
  data: { dataset: string; seed: number };
  lanes: { config: LaneConfig; recipe: Recipe }[];
  /** series[lane][metric] */
  series: Record<string, Record<string, Series>>;
  samples: Record<string, ({ step: number } & TextSample)[]>;
  divergences: Record<string, Divergence>;
}

export interface RunDescription {
  model: ModelConfig;
  data: { dataset: string; seed: number };
  lanes: readonly LaneConfig[];
}

/** The document for the frames of a run (in any order; each series is sorted by step). */
export function buildRunDocument(run: RunDescription, frames: readonly MetricsFrame[]): RunDocument {
  const series: RunDocument['series'] = {};
  const samples: RunDocument['samples'] = {};
  const divergences: RunDocument['divergences'] = {};
  for (const lane of run.lanes) {
    series[lane.id] = {};
    samples[lane.id] = [];
  }
  const sorted = [...frames].sort((a, b) => a.step - b.step);
  for (const frame of sorted) {
    const laneSeries = (series[frame.lane] ??= {});
    for (const row of frameToRows(frame)) {
      const s = (laneSeries[row.metric] ??= { steps: [], values: [] });
      s.steps.push(row.step);
      s.values.push(row.value);
    }
    if (frame.sample) (samples[frame.lane] ??= []).push({ step: frame.step, ...frame.sample });
    if (frame.diverged) divergences[frame.lane] = frame.diverged;
  }
  return {
    format: 'precision-lab-run',
    version: 1,
    model: run.model,
    data: run.data,
    lanes: run.lanes.map((config) => ({ config, recipe: recipeOf(config) })),
    series,
    samples,
    divergences,
  };
}

/** JSON text of the document; inf and NaN (which JSON lacks) are written as strings. */
export function runDocumentJson(doc: RunDocument): string {
  return JSON.stringify(
    doc,
    (_key, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
    1,
  );
}
