/**
 * Browser self-tests of the MoE kernel family (src/gpu/kernels/moe) against the CPU reference
 * (model/reference: router, dispatch, combine, routerLosses): fp32/fp16/bf16 storage, router in
 * f32 or the low format, k = 1 and 2, E = 4, 5 and 8, odd N and C, tie rows, one expert taking
 * every token, empty experts, event counters, determinism, multi-chunk dispatch lists, timings.
 * Inputs are fresh each run from a seed (reported in every detail, so a failure can be replayed).
 * The Diagnostics page and e2e/kernels-moe.spec.ts run `suite.run()`.
 */
import type { SelfTestResult } from '../../gpu/selftest/conversion';
import { moeCases, moeInputs } from './moe/cases';
import {
  checkCombine,
  checkDeterminism,
  checkDispatch,
  checkEvents,
  checkExtremes,
  checkGather,
  checkRouterBackward,
  checkRouterForward,
  checkRouterLosses,
  type CaseRun,
} from './moe/checks';
import { TOLERANCE_WHY } from './moe/compare';
import { referenceDownstream, referenceRouter } from './moe/cpu';
import { checkDispatchLists } from './moe/dispatchLists';
import { runMoeOnGpu } from './moe/gpu';
import { measureTimings } from './moe/timing';
import { CheckList, freshSeed, withSelfTestEnv, type Outcome } from './suiteRun';

async function runMoeSelfTests(): Promise<SelfTestResult[]> {
  const seed = freshSeed();
  return withSelfTestEnv('moe self-test', async (env) => {
    const { add, results } = new CheckList();
    const runs: CaseRun[] = [];
    await add('MoE layer chained on the GPU (one submit per case, twice)', async () => {
      const cases = moeCases();
      let ms = 0;
      for (const [i, c] of cases.entries()) {
        const inp = moeInputs(c, (seed + i) >>> 0);
        const run = await runMoeOnGpu(env, c, inp);
        const again = await runMoeOnGpu(env, c, inp);
        ms += run.ms;
        runs.push({
          c,
          inp,
          run,
          again,
          router: referenceRouter(c, inp),
          exp: referenceDownstream(c, inp, run),
        });
      }
      return {
        pass: true,
        detail: `seed ${seed}: ${cases.length} cases (${cases.map((c) => c.label).join('; ')}), GPU ${ms.toFixed(0)} ms in all. Tolerances: ${TOLERANCE_WHY}`,
      };
    });
    /** A check of the runs above; none to check (the first result failed) is a failure. */
    const addOnRuns = (name: string, fn: (r: CaseRun[], seed: number) => Outcome) =>
      add(name, async () =>
        runs.length
          ? fn(runs, seed)
          : { pass: false, detail: 'no GPU run to check (see the first result)' },
      );
    await addOnRuns(
      'router forward = reference (softmax, top-k with ties to the lower index, gates)',
      checkRouterForward,
    );
    await addOnRuns('dispatch = reference (counts, offsets, tokenOf, rowOf)', checkDispatch);
    await addOnRuns('gather forward and backward = reference', checkGather);
    await addOnRuns('combine forward and backward = reference', checkCombine);
    await addOnRuns('load-balancing loss and z-loss = reference', checkRouterLosses);
    await addOnRuns(
      'load-balance, router and z-loss backward = reference (dprobs, dlogits)',
      checkRouterBackward,
    );
    await addOnRuns('event counters = numerics classify at every cast site', checkEvents);
    await addOnRuns('one expert takes every token; empty experts', checkExtremes);
    await addOnRuns('determinism: two runs bit-identical', checkDeterminism);
    await add('dispatch lists = reference on multi-chunk routings', () =>
      checkDispatchLists(env, seed),
    );
    await add('timings at the default layer size (informational)', () => measureTimings(env, seed));
    return results;
  });
}

export const suite = { name: 'MoE', run: runMoeSelfTests };
