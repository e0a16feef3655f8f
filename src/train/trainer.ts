/**
 * The contract every training backend implements (the CPU reference here, WebGPU later): lanes in
 * lockstep, each step every running lane trains on the same batch, and one MetricsFrame per
 * running lane per step comes back. The run configuration is plain data (it crosses the worker
 * boundary and lives in the URL); the dataset is resolved by the caller.
 */
import type { Dataset } from '../data/types';
import { validateModelConfig, type DeviceLimits, type ModelConfig } from '../model/config';
import { recipeOf, validateLanes, type LaneConfig } from './lane';
import type { Divergence, MetricsFrame } from './metrics';
import type { RunSnapshot } from './snapshot';

/** How often the costlier metrics are taken (in steps; 0 turns one off). */
export interface MetricsSchedule {
  /** Held-out loss every N steps, over `heldoutBatches` fixed batches. */
  heldoutEvery: number;
  heldoutBatches: number;
  /** A text sample every N steps, `sampleLength` characters at `sampleTemperature` (0: greedy). */
  sampleEvery: number;
  sampleLength: number;
  sampleTemperature: number;
  /** Gradient-magnitude histogram every N steps. */
  histogramEvery: number;
}

export const DEFAULT_METRICS_SCHEDULE: Readonly<MetricsSchedule> = {
  heldoutEvery: 50,
  heldoutBatches: 4,
  sampleEvery: 100,
  sampleLength: 64,
  sampleTemperature: 0.8,
  histogramEvery: 10,
};

export interface RunConfig {
  model: ModelConfig;
  lanes: LaneConfig[];
  /** u32 seed of the batch order; the same for every lane. */
  dataSeed: number;
  metrics: MetricsSchedule;
}

export type LaneState = 'running' | 'diverged';

export interface LaneStatus {
  id: string;
  state: LaneState;
  /** Set once the lane has diverged. */
  divergence?: Divergence;
}

export interface TrainerStatus {
  /** Steps completed by the run (running lanes have all completed this many). */
  step: number;
  lanes: LaneStatus[];
}

export type ConfigureResult = { ok: true } | { ok: false; errors: string[] };

export interface Trainer {
  readonly backend: 'cpu' | 'webgpu';
  /** Validates the run (sentences in `errors`), allocates every lane and initialises it from its
   * seed. A trainer must be configured before step(). */
  configure(run: RunConfig, data: Dataset): Promise<ConfigureResult>;
  /** Runs n steps of every running lane in lockstep; resolves with their frames in step order,
   * lanes in configuration order. A lane that diverges yields the frame of that step (with
   * `diverged`) and none after; the others go on. */
  step(n: number): Promise<MetricsFrame[]>;
  /** Back to step 0 with the same configuration: weights re-initialised, optimizer and scaler
   * state cleared, diverged lanes running again. */
  reset(): Promise<void>;
  status(): TrainerStatus;
  /** Every lane's state after the last finished step, copied to the CPU (snapshot.ts). Waits
   * for the steps in flight; never called inside step(). */
  snapshot(): Promise<RunSnapshot>;
  /** Puts a snapshot back into this trainer, configured with the run the snapshot was taken
   * from (on either backend): status().step becomes the snapshot's step and the next step()
   * trains as the original run's next step did. Throws with a sentence when it does not fit. */
  restore(snapshot: RunSnapshot): Promise<void>;
  /** Frees everything the run allocated. */
  dispose(): void;
}

/** Problems a run has before anything is allocated, as sentences: model, lanes, metrics
 * schedule, and the dataset's view of the batch shape. */
export function validateRun(run: RunConfig, data: Dataset, limits?: DeviceLimits): string[] {
  const lanesErrors = validateLanes(run.lanes);
  const budget = limits?.memoryBudget
    ? { ...limits, memoryBudget: { bytes: limits.memoryBudget.bytes, recipes: run.lanes.map(recipeOf) } }
    : limits;
  const errors = [...validateModelConfig(run.model, lanesErrors.length ? undefined : budget), ...lanesErrors];
  if (run.model.vocab !== data.vocab) {
    errors.push(`vocab is ${run.model.vocab} but the ${data.name} dataset has ${data.vocab} symbols; set vocab to ${data.vocab}.`);
  }
  if (!(Number.isInteger(run.dataSeed) && run.dataSeed >= 0 && run.dataSeed <= 0xffffffff)) {
    errors.push(`dataSeed is ${run.dataSeed}; it must be a whole number from 0 to 4294967295.`);
  }
  const m = run.metrics;
  for (const field of ['heldoutEvery', 'heldoutBatches', 'sampleEvery', 'sampleLength', 'histogramEvery'] as const) {
    if (!(Number.isInteger(m[field]) && m[field] >= 0)) {
      errors.push(`metrics.${field} is ${m[field]}; it must be a whole number, 0 or more (0 turns it off).`);
    }
  }
  if (m.heldoutEvery > 0 && m.heldoutBatches < 1) {
    errors.push('metrics.heldoutBatches is 0 while heldoutEvery asks for a held-out loss; use at least 1 batch.');
  }
  if (!(Number.isFinite(m.sampleTemperature) && m.sampleTemperature >= 0)) {
    errors.push(`metrics.sampleTemperature is ${m.sampleTemperature}; it must be 0 (greedy) or more.`);
  }
  if (errors.length === 0) {
    const shape = { batch: run.model.batch, context: run.model.context, seed: run.dataSeed, step: 0 };
    for (const split of ['train', 'heldout'] as const) {
      const e = data.batchError(split, shape);
      if (e) errors.push(e);
    }
  }
  return errors;
}
