/**
 * Exports of the run on screen: long-form CSV (train/csv.ts), the JSON run document
 * (train/runDocument.ts), and the downloads themselves. Text samples, sent apart from the
 * frames, are put back on their frames so the JSON document lists them.
 */
import type { LabStores } from '../../store';
import { frameToRows, toCsv } from '../../train/csv';
import type { MetricsFrame } from '../../train/metrics';
import { buildRunDocument, runDocumentJson } from '../../train/runDocument';

/** The frames with their samples (and, for the JSON, nothing else changed). */
function framesWithSamples(stores: LabStores): MetricsFrame[] {
  const { frames, lanes } = stores.series.getState();
  const samples = new Map<string, { prompt: string; completion: string; temperature: number }>();
  for (const lane of lanes.values()) for (const s of lane.samples) samples.set(`${lane.id}@${s.step}`, s);
  return frames().map((f) => {
    const s = samples.get(`${f.lane}@${f.step}`);
    return s && !f.sample ? { ...f, sample: { prompt: s.prompt, completion: s.completion, temperature: s.temperature } } : f;
  });
}

export function runCsv(stores: LabStores): string {
  return toCsv(stores.series.getState().frames().flatMap((f) => frameToRows(f)));
}

/** The JSON document, or null before any run was configured. */
export function runJson(stores: LabStores): string | null {
  const configured = stores.run.getState().configured;
  if (!configured) return null;
  const { run, dataset } = configured;
  const doc = buildRunDocument({ model: run.model, data: { dataset, seed: run.dataSeed }, lanes: run.lanes }, framesWithSamples(stores));
  return runDocumentJson(doc);
}

/** A file name for the export: precision-lab-<preset or lanes>-step<N>.<ext> */
export function exportName(stores: LabStores, ext: string): string {
  const preset = stores.config.getState().presetId ?? 'custom';
  return `precision-lab-${preset}-step${stores.series.getState().maxStep}.${ext}`;
}

export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
