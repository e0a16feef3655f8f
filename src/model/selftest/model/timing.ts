/**
 * Informational measurements of the GPU model on this device: dispatches per layer (forward,
 * backward) and per step, counted by recording into an encoder that counts its compute passes
 * (every launch records its own pass); and wall time per training step, one submit then
 * onSubmittedWorkDone, median of a few steps after a warm-up.
 */
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import type { MoeConfig } from '../../reference';
import { GpuMoeModel, type OptimizerHyper } from '../../gpu';
import { batchOf, idBuffer, policyOf, trainStep } from './harness';

export interface DispatchCounts {
  forward: number;
  backward: number;
  optimizer: number;
}

export interface ModelTiming {
  size: string;
  recipe: string;
  layers: number;
  dispatches: DispatchCounts;
  /** Per layer, from the difference between L and L + 1 layers. */
  perLayer: { forward: number; backward: number; optimizer: number };
  /** Median ms per training step (one submit, waited). */
  msPerStep: number;
  /** Wall time of GpuMoeModel.create (compile, allocate, initialise). */
  createMs: number;
}

/** An encoder that counts the compute passes recorded into it. */
function countingEncoder(device: GPUDevice): { encoder: GPUCommandEncoder; count: () => number } {
  const real = device.createCommandEncoder({ label: 'dispatch count (never submitted)' });
  let passes = 0;
  const encoder = new Proxy(real, {
    get(target, prop) {
      if (prop === 'beginComputePass') {
        return (d?: GPUComputePassDescriptor) => {
          passes++;
          return target.beginComputePass(d);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { encoder, count: () => passes };
}

async function countDispatches(model: GpuMoeModel, tokens: GPUBuffer, targets: GPUBuffer, hyper: OptimizerHyper): Promise<DispatchCounts> {
  const { encoder, count } = countingEncoder(model.ctx.device);
  model.recordForward(encoder, tokens, targets);
  const forward = count();
  model.recordBackward(encoder);
  const backward = count() - forward;
  model.recordOptimizerStep(encoder, hyper);
  const optimizer = count() - forward - backward;
  encoder.finish(); // dropped, never submitted
  return { forward, backward, optimizer };
}

async function withModel<T>(
  env: SelfTestEnv,
  config: MoeConfig,
  recipe: string,
  fn: (model: GpuMoeModel, tokens: GPUBuffer, targets: GPUBuffer, createMs: number) => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  const model = await GpuMoeModel.create(env.ctx, env.cache, env.pool, config, policyOf(recipe), { seed: 7, label: `timing ${recipe}` });
  const createMs = performance.now() - t0;
  const { tokens, targets } = batchOf(7, 1, config);
  const tok = idBuffer(env.pool, tokens, 'timing tokens');
  const tgt = idBuffer(env.pool, targets, 'timing targets');
  try {
    return await fn(model, tok, tgt, createMs);
  } finally {
    model.destroy();
    env.pool.release(tok);
    env.pool.release(tgt);
  }
}

export async function measureModel(
  env: SelfTestEnv,
  size: string,
  config: MoeConfig,
  recipe: string,
  steps = 3,
): Promise<ModelTiming> {
  const hyper: OptimizerHyper = { lr: 1e-3, gradClip: 1 };
  const more = await withModel(env, { ...config, layers: config.layers + 1 }, recipe, (m, t, g) => countDispatches(m, t, g, hyper));
  return withModel(env, config, recipe, async (model, tokens, targets, createMs) => {
    const dispatches = await countDispatches(model, tokens, targets, hyper);
    await trainStep(model, tokens, targets, hyper); // warm-up: first-use costs stay out
    const ms: number[] = [];
    for (let i = 0; i < steps; i++) ms.push(await trainStep(model, tokens, targets, hyper));
    ms.sort((a, b) => a - b);
    return {
      size,
      recipe,
      layers: config.layers,
      dispatches,
      perLayer: {
        forward: more.forward - dispatches.forward,
        backward: more.backward - dispatches.backward,
        optimizer: more.optimizer - dispatches.optimizer,
      },
      msPerStep: ms[Math.floor(ms.length / 2)],
      createMs,
    };
  });
}

export function describeTiming(t: ModelTiming): string {
  const d = t.dispatches;
  return `${t.recipe} ${t.size} (L=${t.layers}): ${t.msPerStep.toFixed(1)} ms per step; dispatches per step ${d.forward + d.backward + d.optimizer} (forward ${d.forward}, backward ${d.backward}, optimizer ${d.optimizer}), per layer forward ${t.perLayer.forward}, backward ${t.perLayer.backward}, optimizer ${t.perLayer.optimizer}; create ${t.createMs.toFixed(0)} ms`;
}
