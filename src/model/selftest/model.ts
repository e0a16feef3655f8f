/**
 * Browser self-tests of the MoE transformer on the GPU (src/model/gpu) against the CPU reference
 * (src/model/reference moeTransformer under the same precision policy), for every recipe:
 * forward losses and expert load, gradients, cast-event counts, and three full training steps
 * (forward, backward, optimizer) on the same batches with the weights compared after them.
 * Weights, batches and the stochastic-rounding key come from a fresh seed each run (in every
 * detail, so a failure can be replayed). The Diagnostics page and e2e/gpu-model.spec.ts run
 * `suite.run()`.
 */
import type { SelfTestResult } from '../../gpu/selftest/conversion';
import { createSelfTestEnv, releaseSelfTestEnv } from '../../gpu/selftest/gpuRuns';
import { runModelCase, type ModelCase } from './model/checks';
import { DEFAULT, ODD, SMALL, TINY } from './model/harness';
import { describeTiming, measureModel, type ModelTiming } from './model/timing';
import { CheckList, freshSeed, seedOf, withSelfTestEnv } from './suiteRun';

const HYPER = { lr: 1e-3, gradClip: 1 } as const;

const RECIPES = ['fp32', 'fp16-amp', 'fp16-amp-noscale', 'bf16-amp', 'bf16-pure'] as const;

/** Every recipe at the small size ('exact' AdamW) and at the tiny size ('native'), then the
 * paths a plain run does not reach: the GradScaler backing off, a low-precision router,
 * stochastic rounding, odd sizes with two layers and top-1 routing. */
export const MODEL_CASES: readonly ModelCase[] = [
  ...RECIPES.map((recipe): ModelCase => ({ name: `${recipe} small`, recipe, config: SMALL, hyper: HYPER, steps: 3, arithmetic: 'exact' })),
  ...RECIPES.map((recipe): ModelCase => ({ name: `${recipe} tiny`, recipe, config: TINY, hyper: HYPER, steps: 3, arithmetic: 'native' })),
  {
    // Scaled gradients overflow fp16 at some steps and not at others: skips, backoffs, growth.
    name: 'fp16-amp small, init_scale 2^18, growth_interval 1',
    recipe: 'fp16-amp',
    config: SMALL,
    lane: { router: 'f32', scaler: { init_scale: 2 ** 18, growth_interval: 1 } },
    hyper: HYPER,
    steps: 4,
    arithmetic: 'exact',
  },
  { name: 'fp16-amp small, router in fp16', recipe: 'fp16-amp', config: SMALL, lane: { router: 'low' }, hyper: HYPER, steps: 3, arithmetic: 'exact' },
  { name: 'bf16-amp small, router in bf16', recipe: 'bf16-amp', config: SMALL, lane: { router: 'low' }, hyper: HYPER, steps: 3, arithmetic: 'exact' },
  {
    name: 'bf16-pure small, stochastic rounding',
    recipe: 'bf16-pure',
    config: SMALL,
    lane: { router: 'f32', stochasticRounding: true },
    hyper: HYPER,
    steps: 3,
    arithmetic: 'exact',
  },
  { name: 'bf16-amp odd sizes, 2 layers, top-1', recipe: 'bf16-amp', config: ODD, hyper: { lr: 1e-3, gradClip: null }, steps: 3, arithmetic: 'exact' },
  { name: 'fp32 odd sizes, 2 layers, top-1', recipe: 'fp32', config: ODD, hyper: { lr: 1e-3, gradClip: null }, steps: 3, arithmetic: 'exact' },
];

export async function runModelSelfTests(cases: readonly ModelCase[] = MODEL_CASES): Promise<SelfTestResult[]> {
  const seed = freshSeed();
  return withSelfTestEnv('model self-test', async (env) => {
    const { add, results } = new CheckList();
    for (let i = 0; i < cases.length; i++) {
      results.push(...(await runModelCase(env, cases[i], seedOf(seed, i))));
    }
    await add('timing: tiny training step (informational)', async () => {
      const timings = [await measureModel(env, 'tiny', TINY, 'fp32'), await measureModel(env, 'tiny', TINY, 'bf16-amp')];
      return { pass: true, detail: timings.map(describeTiming).join('; '), data: { timings } };
    });
    return results;
  });
}

/** Timings at the tiny and default sizes (the default takes a while on a software adapter;
 * not part of the suite). */
export async function measureModelTimings(recipes: readonly string[] = ['fp32', 'bf16-amp']): Promise<ModelTiming[]> {
  const env = await createSelfTestEnv({ randomCount: 0 });
  try {
    const out: ModelTiming[] = [];
    for (const recipe of recipes) {
      out.push(await measureModel(env, 'tiny', TINY, recipe));
      out.push(await measureModel(env, 'default', DEFAULT, recipe, 2));
    }
    return out;
  } finally {
    releaseSelfTestEnv(env);
  }
}

export const suite = {
  name: 'MoE model on the GPU',
  run: (): Promise<SelfTestResult[]> => runModelSelfTests(),
};
