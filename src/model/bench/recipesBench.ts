/**
 * Training throughput per recipe: a full training step (forward, backward, optimizer recorded
 * into one encoder, one submit, waited) at the tiny and default sizes, timed by the model
 * self-test's measureModel (selftest/model/timing.ts: one warm-up step, then the median of
 * `steps` steps; of 2 steps the median is the slower). tokens/s = B*T / step time.
 *
 * Dispatches per step are measureModel's count of compute passes in a recorded step; the page's
 * dispatch counter runs meanwhile and the bench fails unless every pass recorded had exactly one
 * dispatchWorkgroups call, so the pass count is the dispatch count.
 */
import type { ModelSizeName } from '../config';
import { RECIPE_DATA } from '../selftest/model/harness';
import { measureModel } from '../selftest/model/timing';
import { releaseSelfTestEnv } from '../../gpu/selftest/gpuRuns';
import { withDispatchCounter } from './dispatchCounter';
import { benchConfig, benchModelEnv } from './common';

export interface RecipeBenchRow {
  recipe: string;
  size: ModelSizeName;
  tokens_per_s: number;
  /** Median milliseconds per training step. */
  step_ms: number;
  dispatches_per_step: number;
  dispatches: { forward: number; backward: number; optimizer: number };
  /** Timed steps after the warm-up. */
  steps: number;
  /** Tokens per step, B*T. */
  tokens: number;
  /** Wall time of GpuMoeModel.create (compile, allocate, initialise). */
  create_ms: number;
}

export interface RecipesBenchOptions {
  /** Only the tiny size. */
  quick?: boolean;
  /** Sizes (default tiny and default; `quick` drops default). */
  sizes?: ModelSizeName[];
  /** Timed steps at the tiny size (default 10). */
  tinySteps?: number;
  /** Timed steps at the default size (default 2: a step takes seconds on a software adapter). */
  defaultSteps?: number;
  /** Recipes (default all five, in train/recipes.ts order). */
  recipes?: string[];
}

/** The (size, recipe) pairs a run measures, in order: the caller may run them one call each
 * (scripts/bench.mjs does, to report progress and to lose one pair, not all, to a failure). */
export function recipesBenchPlan(options: RecipesBenchOptions = {}): { size: ModelSizeName; recipe: string }[] {
  const recipes = options.recipes ?? Object.keys(RECIPE_DATA);
  const unknown = recipes.filter((r) => !(r in RECIPE_DATA));
  if (unknown.length > 0) {
    throw new Error(`recipes bench: no recipe named ${unknown.join(', ')}; recipes are ${Object.keys(RECIPE_DATA).join(', ')}.`);
  }
  const sizes = options.sizes ?? (options.quick ? ['tiny'] : ['tiny', 'default']);
  return sizes.flatMap((size) => recipes.map((recipe) => ({ size, recipe })));
}

export async function runRecipesBench(options: RecipesBenchOptions = {}): Promise<{ rows: RecipeBenchRow[] }> {
  const plan = recipesBenchPlan(options);
  const stepsOf = (size: ModelSizeName) => (size === 'tiny' ? (options.tinySteps ?? 10) : (options.defaultSteps ?? 2));
  const env = await benchModelEnv();
  const rows: RecipeBenchRow[] = [];
  try {
    for (const { size, recipe } of plan) {
      const steps = stepsOf(size);
      const config = benchConfig(size);
      const { result: t, tally } = await withDispatchCounter(() => measureModel(env, size, config, recipe, steps));
      if (tally.irregularPasses > 0 || tally.passes !== tally.dispatches) {
        throw new Error(
          `recipes bench: ${recipe} ${size} recorded ${tally.passes} compute passes with ${tally.dispatches} dispatches (${tally.irregularPasses} passes without exactly one), so passes are not dispatches; count dispatchWorkgroups per phase instead.`,
        );
      }
      const d = t.dispatches;
      const tokens = config.batch * config.context;
      rows.push({
        recipe,
        size,
        tokens_per_s: tokens / (t.msPerStep / 1e3),
        step_ms: t.msPerStep,
        dispatches_per_step: d.forward + d.backward + d.optimizer,
        dispatches: { ...d },
        steps,
        tokens,
        create_ms: t.createMs,
      });
    }
  } finally {
    releaseSelfTestEnv(env);
  }
  return { rows };
}
