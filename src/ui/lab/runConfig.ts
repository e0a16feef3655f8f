/**
 * From the lab's configuration to the run the worker trains: the named model size with the
 * dataset's vocabulary, the lanes, the data seed and a metrics schedule that suits the size (the
 * tiny model steps fast, so it takes held-out loss, samples and histograms more often).
 */
import { validateModelConfig, modelConfig, MODEL_SIZE_NAMES, type ModelSizeName } from '../../model/config';
import type { ConfiguredRun, LabConfig } from '../../store';
import { validateLanes } from '../../train/lane';
import { DEFAULT_METRICS_SCHEDULE, type MetricsSchedule, type RunConfig } from '../../train/trainer';

const SCHEDULES: Record<ModelSizeName, MetricsSchedule> = {
  tiny: { ...DEFAULT_METRICS_SCHEDULE, heldoutEvery: 20, heldoutBatches: 2, sampleEvery: 40, sampleLength: 48, histogramEvery: 5 },
  default: DEFAULT_METRICS_SCHEDULE,
};

export const isModelSize = (s: string): s is ModelSizeName => (MODEL_SIZE_NAMES as readonly string[]).includes(s);

export function buildRun(config: LabConfig, vocab: number): { ok: true; run: RunConfig } | { ok: false; errors: string[] } {
  if (!isModelSize(config.modelSize)) {
    return { ok: false, errors: [`The model size is “${config.modelSize}”; choose ${MODEL_SIZE_NAMES.join(' or ')}.`] };
  }
  const run: RunConfig = {
    model: modelConfig(config.modelSize, vocab),
    lanes: config.lanes.map((l) => structuredClone(l.config)),
    dataSeed: config.dataSeed,
    metrics: SCHEDULES[config.modelSize],
  };
  const errors = [...validateModelConfig(run.model), ...validateLanes(run.lanes)];
  return errors.length ? { ok: false, errors } : { ok: true, run };
}

export function configuredRun(config: LabConfig & { revision: number }, run: RunConfig, backend: 'webgpu' | 'cpu'): ConfiguredRun {
  return { run, dataset: config.dataset, backend, revision: config.revision };
}
