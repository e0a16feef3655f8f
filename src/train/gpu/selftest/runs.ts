/**
 * Longer GPU runs for the browser tests and measurements: throughput per recipe (steps/s and
 * tokens/s over a timed window after a warm-up), and the held-out loss of lanes trained for a
 * few hundred steps.
 */
import type { Dataset } from '../../../data/types';
import type { GpuContext } from '../../../gpu';
import { modelConfig, type ModelSizeName } from '../../../model/config';
import { makeLane } from '../../lane';
import type { MetricsFrame } from '../../metrics';
import type { RecipeName } from '../../recipes';
import { DEFAULT_METRICS_SCHEDULE, type MetricsSchedule, type RunConfig } from '../../trainer';
import { createGpuTrainer, type GpuTrainer, type GpuTrainerOptions } from '../gpuTrainer';

const QUIET: MetricsSchedule = { ...DEFAULT_METRICS_SCHEDULE, heldoutEvery: 0, sampleEvery: 0, histogramEvery: 0 };

async function configured(ctx: GpuContext, data: Dataset, run: RunConfig, options?: GpuTrainerOptions): Promise<GpuTrainer> {
  const trainer = createGpuTrainer(ctx, options);
  const result = await trainer.configure(run, data);
  if (!result.ok) {
    trainer.dispose();
    throw new Error(result.errors.join(' '));
  }
  return trainer;
}

export interface Throughput {
  recipes: RecipeName[];
  size: ModelSizeName;
  steps: number;
  stepsPerSecond: number;
  /** Tokens trained per second by all lanes together (B*T per lane per step). */
  tokensPerSecond: number;
  /** Mean of the frames' stepMs (GPU timestamps of each lane's passes, when available). */
  frameStepMs: number;
  usesTimestamps: boolean;
  /** mapAsync and submit calls per timed step. */
  mapsPerStep: number;
  submitsPerStep: number;
}

/** Trains the recipes as lanes of one run: `warmup` steps, then `steps` timed in one step(n). */
export async function measureThroughput(
  ctx: GpuContext,
  data: Dataset,
  size: ModelSizeName,
  recipes: RecipeName[],
  steps: number,
  warmup = 2,
  options?: GpuTrainerOptions,
): Promise<Throughput> {
  const model = modelConfig(size, data.vocab);
  const lanes = recipes.map((r) => makeLane(r));
  const trainer = await configured(ctx, data, { model, lanes, dataSeed: 5, metrics: QUIET }, options);
  try {
    await trainer.step(warmup);
    const maps = trainer.calls.mapAsync;
    const submits = trainer.calls.submit;
    const t0 = performance.now();
    const frames = await trainer.step(steps);
    const seconds = (performance.now() - t0) / 1000;
    return {
      recipes,
      size,
      steps,
      stepsPerSecond: steps / seconds,
      tokensPerSecond: (steps * lanes.length * model.batch * model.context) / seconds,
      frameStepMs: frames.reduce((a, f) => a + f.stepMs, 0) / frames.length,
      usesTimestamps: trainer.usesTimestamps,
      mapsPerStep: (trainer.calls.mapAsync - maps) / steps,
      submitsPerStep: (trainer.calls.submit - submits) / steps,
    };
  } finally {
    trainer.dispose();
  }
}

export interface HeldoutCurve {
  lane: string;
  /** [step, held-out loss] */
  points: [number, number][];
  diverged: boolean;
}

/** Trains the recipes together for `steps` steps (lr `lr`), held-out loss every `every` steps. */
export async function heldoutCurves(
  ctx: GpuContext,
  data: Dataset,
  recipes: RecipeName[],
  steps: number,
  every: number,
  lr = 1e-2,
): Promise<{ curves: HeldoutCurve[]; ms: number }> {
  const model = modelConfig('tiny', data.vocab);
  const lanes = recipes.map((r) => makeLane(r, { lr }));
  const metrics = { ...QUIET, heldoutEvery: every, heldoutBatches: 4 };
  const trainer = await configured(ctx, data, { model, lanes, dataSeed: 3, metrics });
  try {
    const t0 = performance.now();
    const frames: MetricsFrame[] = [];
    for (let done = 0; done < steps; done += every) frames.push(...(await trainer.step(Math.min(every, steps - done))));
    const ms = performance.now() - t0;
    const curves = lanes.map((l) => ({
      lane: l.id,
      points: frames.filter((f) => f.lane === l.id && f.heldoutLoss !== undefined).map((f): [number, number] => [f.step, f.heldoutLoss as number]),
      diverged: frames.some((f) => f.lane === l.id && f.diverged),
    }));
    return { curves, ms };
  } finally {
    trainer.dispose();
  }
}
