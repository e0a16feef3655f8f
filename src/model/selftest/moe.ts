/**
 * Browser self-tests of the MoE kernel family (src/gpu/kernels/moe) against the CPU reference
 * (model/reference: router, dispatch, combine, routerLosses): fp32/fp16/bf16 storage, router in
 * f32 or the low format, k = 1 and 2, E = 4, 5 and 8, odd N and C, tie rows, one expert taking
 * every token, empty experts, event counters, determinism, multi-chunk dispatch lists, timings.
 * Inputs are fresh each run from a seed (reported in every detail, so a failure can be replayed).
 * The Diagnostics page and e2e/kernels-moe.spec.ts run `suite.run()`.
 */
import { acquireDevice, BufferPool, PipelineCache } from '../../gpu';
import { check, type SelfTestResult } from '../../gpu/selftest/conversion';
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
import { runMoeOnGpu, type GpuEnv } from './moe/gpu';
import { measureTimings } from './moe/timing';

function freshSeed(): number {
  const words = new Uint32Array(1);
  crypto.getRandomValues(words);
  return (words[0] ^ Date.now()) >>> 0;
}

async function runMoeSelfTests(): Promise<SelfTestResult[]> {
  let env: GpuEnv;
  try {
    const ctx = await acquireDevice({ label: 'moe self-test' });
    env = { ctx, cache: new PipelineCache(ctx.device), pool: new BufferPool(ctx.device) };
  } catch (err) {
    return [
      { name: 'acquire a WebGPU device', pass: false, detail: (err as Error).message, ms: 0 },
    ];
  }
  const seed = freshSeed();
  const results: SelfTestResult[] = [];
  const runs: CaseRun[] = [];
  try {
    results.push(
      await check('MoE layer chained on the GPU (one submit per case, twice)', async () => {
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
      }),
    );
    const add = async (
      name: string,
      fn: (r: CaseRun[], seed: number) => ReturnType<typeof checkDispatch>,
    ) =>
      results.push(
        await check(name, async () =>
          runs.length
            ? fn(runs, seed)
            : { pass: false, detail: 'no GPU run to check (see the first result)' },
        ),
      );
    await add(
      'router forward = reference (softmax, top-k with ties to the lower index, gates)',
      checkRouterForward,
    );
    await add('dispatch = reference (counts, offsets, tokenOf, rowOf)', checkDispatch);
    await add('gather forward and backward = reference', checkGather);
    await add('combine forward and backward = reference', checkCombine);
    await add('load-balancing loss and z-loss = reference', checkRouterLosses);
    await add(
      'load-balance, router and z-loss backward = reference (dprobs, dlogits)',
      checkRouterBackward,
    );
    await add('event counters = numerics classify at every cast site', checkEvents);
    await add('one expert takes every token; empty experts', checkExtremes);
    await add('determinism: two runs bit-identical', checkDeterminism);
    results.push(
      await check('dispatch lists = reference on multi-chunk routings', () =>
        checkDispatchLists(env, seed),
      ),
    );
    results.push(
      await check('timings at the default layer size (informational)', () =>
        measureTimings(env, seed),
      ),
    );
  } finally {
    env.pool.destroy();
  }
  return results;
}

export const suite = { name: 'MoE', run: runMoeSelfTests };
