/**
 * Informational timings of the optimizer kernels on this device: one lane's worth of work per
 * kernel (n parameters), median of a few submits after a warm-up, so the cost of the 'exact'
 * soft-float arithmetic next to the 'native' one is visible. Always passes.
 */
import {
  compileAdamW,
  compileAdamWPure,
  compileGradNorm,
  compileUnscale,
  createAdamWStepTable,
  createGradNormOutput,
  createNormPlan,
  createOptimizerState,
  recordAdamW,
  recordAdamWPure,
  recordGradNorm,
  recordUnscale,
} from '../../../gpu/kernels/optim';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { flatLayout } from './adamwCases';
import { normal, stored, withScratch, type Outcome, type Scratch } from './harness';

async function median(s: Scratch, label: string, record: (e: GPUCommandEncoder) => void) {
  await s.submit(label, record);
  const ms: number[] = [];
  for (let k = 0; k < 3; k++) ms.push(await s.submit(label, record));
  return ms.sort((a, b) => a - b)[1];
}

export async function checkTimings(env: SelfTestEnv, n = 1 << 16): Promise<Outcome> {
  const hyper = { lr: 1e-3 };
  const counting = 'off' as const;
  const [exact, native, pure, norms, unscale] = await Promise.all([
    compileAdamW(env.ctx, env.cache, { grads: 'fp16', copy: 'fp16', counting }),
    compileAdamW(env.ctx, env.cache, {
      grads: 'fp16',
      copy: 'fp16',
      counting,
      arithmetic: 'native',
    }),
    compileAdamWPure(env.ctx, env.cache, { weights: 'bf16', grads: 'bf16', counting }),
    compileGradNorm(env.ctx, env.cache, 'bf16'),
    compileUnscale(env.ctx, env.cache, 'fp16', 'fp32', counting),
  ]);
  return withScratch(env, async (s) => {
    const w = stored('fp32', n, (i) => 0.02 * normal(1, i));
    const g = stored('fp16', n, (i) => 1e-3 * normal(2, i));
    const master = s.tensor('fp32', n, w, 'timing master');
    const grads16 = s.tensor('fp16', n, g, 'timing grads');
    const gradsBf = s.tensor('bf16', n, g, 'timing bf16 grads');
    const weightsBf = s.tensor('bf16', n, w, 'timing bf16 weights');
    const moments = s.moments(new Float32Array(n), new Float32Array(n));
    const copy = s.tensor('fp16', n, null, 'timing copy');
    const out32 = s.tensor('fp32', n, null, 'timing unscaled');
    const state = createOptimizerState(env.pool, { label: 'timing state', scale: 1024 });
    const table = createAdamWStepTable(env.pool, hyper);
    const { spans } = flatLayout(Array.from({ length: 8 }, () => n / 8));
    const plan = createNormPlan(env.pool, spans, 'timing plan');
    const out = createGradNormOutput(env.pool, spans.length, 'timing norms');
    const lost = s.buffer(new Uint32Array(1), 'timing lost');
    s.own(state.buffer, table.buffer, plan.buffer, plan.partials, out.buffer);
    const inputs = { state, table };
    const t = {
      adamwCopyExact: await median(s, 'timing', (e) =>
        recordAdamW(e, exact, { master, grads: grads16, moments, copy }, { n }, inputs),
      ),
      adamwCopyNative: await median(s, 'timing', (e) =>
        recordAdamW(e, native, { master, grads: grads16, moments, copy }, { n }, inputs),
      ),
      adamwPureStochastic: await median(s, 'timing', (e) =>
        recordAdamWPure(
          e,
          pure,
          { weights: weightsBf, grads: gradsBf, moments },
          { n },
          { ...inputs, rounding: 'stochastic', key: 7, lostUpdates: { buffer: lost, index: 0 } },
        ),
      ),
      norms: await median(s, 'timing', (e) => recordGradNorm(e, norms, gradsBf, plan, out, 1)),
      unscale: await median(s, 'timing', (e) =>
        recordUnscale(e, unscale, { grads: grads16, out: out32 }, {}, { state }),
      ),
    };
    const f = (ms: number) => `${ms.toFixed(2)} ms`;
    return {
      pass: true,
      detail:
        `n = ${n} parameters, median of 3 submits (informational): AdamW master + fp16 copy exact ${f(t.adamwCopyExact)}, native ${f(t.adamwCopyNative)}; ` +
        `pure bf16 stochastic ${f(t.adamwPureStochastic)}; norms of 8 bf16 tensors ${f(t.norms)}; unscale fp16 -> f32 ${f(t.unscale)}`,
      data: t,
    };
  });
}
