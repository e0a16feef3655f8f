/**
 * Self-tests of the optimizer family on the GPU against the CPU reference (adamw.ts, gradNorm.ts)
 * and numerics (GradScaler, stochastic rounding, classify): the f32 soft-float arithmetic; AdamW
 * on master weights (fp32 / fp16 / bf16 gradients, with the fp16 / bf16 copy and its events,
 * with the clip coefficient fused, the 'native' arithmetic variant); pure fp32 / fp16 / bf16
 * weights with nearest and stochastic rounding and their lost updates; the skipped step; norms
 * of tensors of odd sizes (deterministic), inf/NaN flags and clipping; unscale; the GradScaler
 * update; a 12-step lane with injected infs; timings. Tolerances: ./optim/harness.ts. Fresh
 * random inputs each run; the seed is in every detail.
 */
import type { FormatName } from '../../numerics';
import type { SelfTestResult } from '../../gpu/selftest/conversion';
import { bindingSlots } from '../../gpu';
import {
  adamwMasterCopyKernel,
  adamwMasterKernel,
  adamwPureKernel,
  clipKernel,
  normGlobalKernel,
  normPartialsKernel,
  normTensorsKernel,
  scalerUpdateKernel,
  unscaleKernel,
} from '../../gpu/kernels/optim';
import type { Outcome } from './optim/harness';
import { checkArithmetic } from './optim/arithmeticChecks';
import { checkAdamWMaster, checkAdamWPure } from './optim/adamwChecks';
import { checkClip, checkNormSpecials, checkNorms } from './optim/normChecks';
import { checkScalerUpdate, checkUnscale } from './optim/scalerChecks';
import { checkLaneSteps } from './optim/laneChecks';
import { checkTimings } from './optim/timing';
import { CheckList, freshSeed, seedSequence, withSelfTestEnv } from './suiteRun';

const STORAGES: readonly FormatName[] = ['fp32', 'fp16', 'bf16'];

/** WebGPU guarantees 8 storage buffers per shader stage; every kernel, counters included,
 * must fit so the lab runs on any adapter. */
async function checkBindingCounts(): Promise<Outcome> {
  const kernels = [
    adamwMasterKernel(),
    adamwMasterCopyKernel(),
    adamwPureKernel(),
    normPartialsKernel,
    normTensorsKernel,
    normGlobalKernel,
    unscaleKernel,
    clipKernel,
    scalerUpdateKernel,
  ];
  const counts = kernels.map((k) => {
    const slots = bindingSlots({
      bindings: k.bindings,
      uniforms: k.uniforms,
      counting: k.countsEvents ? 'atomic' : 'off',
    });
    return { name: k.name, storage: slots.filter((s) => s.kind !== 'uniform').length };
  });
  const over = counts.filter((c) => c.storage > 8);
  return {
    pass: over.length === 0,
    detail: `storage buffers per kernel (counters included): ${counts.map((c) => `${c.name} ${c.storage}`).join(', ')}${over.length ? `; over 8: ${over.map((c) => c.name).join(', ')}` : ''}`,
  };
}

export async function runOptimSelfTests(): Promise<SelfTestResult[]> {
  const seed = freshSeed();
  return withSelfTestEnv('optimizer self-test', async (env) => {
    const seedOf = seedSequence(seed);
    const { add, results } = new CheckList();
    await add('every kernel fits in 8 storage buffers', checkBindingCounts);
    await add('exact f32 arithmetic = Math.fround (add, sub, mul, div, sqrt)', () =>
      checkArithmetic(env, 'exact', seedOf()),
    );
    await add('native f32 arithmetic of this device (informational)', () =>
      checkArithmetic(env, 'native', seedOf()),
    );
    for (const grads of STORAGES) {
      await add(`AdamW master, ${grads} grads = reference`, () =>
        checkAdamWMaster(env, seedOf(), { grads }),
      );
    }
    for (const copy of ['fp16', 'bf16'] as const) {
      // Weights from 2^-30 to 2^17 and a tiny lr: the copy underflows, goes subnormal, overflows.
      const events = { minExp: -30, maxExp: 17, lr: 1e-7 };
      await add(`AdamW master + ${copy} copy = reference, events = classify`, () =>
        checkAdamWMaster(env, seedOf(), { grads: copy, copy, ...events }),
      );
      await add(`AdamW master + ${copy} copy, atomic counting, clip coefficient fused`, () =>
        checkAdamWMaster(env, seedOf(), {
          grads: 'fp32',
          copy,
          counting: 'atomic',
          clip: true,
          ...events,
        }),
      );
    }
    for (const t of [16000, 17000, 100000]) {
      await add(
        `AdamW master at t = ${t}: bias corrections near and past the step table's end`,
        () => checkAdamWMaster(env, seedOf(), { grads: 'fp32', t, lr: 1e-3 }),
      );
    }
    await add('AdamW master, native arithmetic (within 2 ulp)', () =>
      checkAdamWMaster(env, seedOf(), { grads: 'bf16', arithmetic: 'native' }),
    );
    for (const weights of STORAGES) {
      for (const rounding of ['nearest', 'stochastic'] as const) {
        await add(
          `AdamW pure ${weights} weights, ${rounding} rounding = reference, lost updates`,
          () => checkAdamWPure(env, seedOf(), { weights, grads: weights, rounding }),
        );
      }
    }
    await add('AdamW pure fp16, lr 1e-6 (most updates lost)', () =>
      checkAdamWPure(env, seedOf(), {
        weights: 'fp16',
        grads: 'fp32',
        rounding: 'nearest',
        lr: 1e-6,
      }),
    );
    await add('skipped step (foundInf): master, moments, copy bit-identical', () =>
      checkAdamWMaster(env, seedOf(), { grads: 'fp16', copy: 'fp16', clip: true, skip: true }),
    );
    await add('skipped step (foundInf): pure bf16 weights bit-identical, nothing counted', () =>
      checkAdamWPure(env, seedOf(), {
        weights: 'bf16',
        grads: 'bf16',
        rounding: 'stochastic',
        skip: true,
      }),
    );
    for (const storage of STORAGES) {
      await add(`norms of ${storage} tensors of odd sizes, deterministic, clip coefficient`, () =>
        checkNorms(env, seedOf(), storage),
      );
    }
    await add('norms: inf / NaN / overflowing squares', () => checkNormSpecials(env, seedOf()));
    await add('clip by global norm = clipByGlobalNorm', () => checkClip(env, seedOf()));
    await add('unscale fp16 with an inf = unscaleGrads, foundInf', () =>
      checkUnscale(env, seedOf(), 'fp16', 'inf'),
    );
    await add('unscale bf16 = unscaleGrads', () => checkUnscale(env, seedOf(), 'bf16', null));
    await add('unscale fp32 with a NaN = unscaleGrads, foundInf', () =>
      checkUnscale(env, seedOf(), 'fp32', 'nan'),
    );
    await add('GradScaler update = numerics GradScaler', () => checkScalerUpdate(env));
    await add('12 lane steps with injected infs = GradScaler + reference', () =>
      checkLaneSteps(env, seedOf()),
    );
    await add('timings (informational)', () => checkTimings(env));
    return results;
  });
}

export const suite = { name: 'Optimizer', run: runOptimSelfTests };
