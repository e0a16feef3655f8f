/**
 * Shared by the model benchmarks (run in the page by scripts/bench.mjs): the model sizes of
 * config.ts with the lab's 65-symbol vocabulary, and a self-test environment on the benchmark
 * device, so the model's helpers (selftest/model/harness.ts, timing.ts) run on the adapter the
 * report names.
 */
import { benchEnv } from '../../gpu/bench/common';
import { createSelfTestEnv, type SelfTestEnv } from '../../gpu/selftest/gpuRuns';
import { MODEL_SIZES, modelConfig, type ModelSizeName } from '../config';
import type { MoeConfig } from '../reference';

/** V of the lab's character datasets (as the self-tests' TINY and DEFAULT). */
export const BENCH_VOCAB = 65;

export const benchConfig = (size: ModelSizeName): MoeConfig => modelConfig(MODEL_SIZES[size], BENCH_VOCAB);

/** A self-test environment (no random test values) on the benchmark's device. */
export async function benchModelEnv(): Promise<SelfTestEnv> {
  const { ctx } = await benchEnv();
  return createSelfTestEnv({ randomCount: 0, ctx });
}
