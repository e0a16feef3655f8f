/**
 * Shared by the training tests: the synthetic dataset (self-contained, no file reads), a tiny-model
 * run config, and frames with the wall-clock fields removed (the only non-deterministic ones).
 */
import { syntheticDataset, type Dataset } from '../data';
import { modelConfig, type ModelConfig } from '../model/config';
import type { LaneConfig } from './lane';
import type { MetricsFrame } from './metrics';
import { DEFAULT_METRICS_SCHEDULE, type MetricsSchedule, type RunConfig } from './trainer';

let cached: Dataset | null = null;

export function testDataset(): Dataset {
  if (cached) return cached;
  const result = syntheticDataset({ seed: 1, length: 20_000 });
  if (!result.ok) throw new Error(result.message);
  cached = result.value;
  return cached;
}

/** Held-out, samples and histograms off unless asked for. */
export const QUIET: MetricsSchedule = {
  ...DEFAULT_METRICS_SCHEDULE,
  heldoutEvery: 0,
  sampleEvery: 0,
  histogramEvery: 0,
};

export function tinyRun(lanes: LaneConfig[], metrics: Partial<MetricsSchedule> = {}, model: Partial<ModelConfig> = {}): RunConfig {
  return {
    model: { ...modelConfig('tiny', testDataset().vocab), ...model },
    lanes,
    dataSeed: 7,
    metrics: { ...QUIET, ...metrics },
  };
}

/** The frame without stepMs and tokensPerSecond. */
export function deterministicPart(frame: MetricsFrame): Omit<MetricsFrame, 'stepMs' | 'tokensPerSecond'> {
  const { stepMs: _ms, tokensPerSecond: _tps, ...rest } = frame;
  return rest;
}

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
