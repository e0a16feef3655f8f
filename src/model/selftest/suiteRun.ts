/**
 * What every model self-test suite does around its checks: a fresh seed per run (reported in the
 * details so a failure can be replayed), per-check seeds derived from it, a device and buffer
 * pool for the run (failing to get one is the run's one result), the checks' results collected
 * in order, and the pool released whatever happens.
 */
import { acquireDevice } from '../../gpu';
import { check, type SelfTestResult } from '../../gpu/selftest/conversion';
import {
  createSelfTestEnv,
  releaseSelfTestEnv,
  type SelfTestEnv,
} from '../../gpu/selftest/gpuRuns';

/** What one check returns before `check` times it and names it. */
export type Outcome = Omit<SelfTestResult, 'name' | 'ms'>;

/** A fresh 32-bit seed per suite run. */
export function freshSeed(): number {
  const c = globalThis.crypto;
  const word = c?.getRandomValues ? c.getRandomValues(new Uint32Array(1))[0] : 0;
  return (word ^ Date.now()) >>> 0;
}

/** Seed of check i of a run: seed + 7919 i (mod 2^32), so any one check can be replayed. */
export const seedOf = (seed: number, i: number): number => (seed + 7919 * i) >>> 0;

/** Successive check seeds of a run: seedOf(seed, 0), seedOf(seed, 1), ... */
export function seedSequence(seed: number): () => number {
  let next = 0;
  return () => seedOf(seed, next++);
}

/** Results of a suite's checks in the order they ran; a check that throws is a failed result.
 * `add` is a bound arrow, so `const { add, results } = new CheckList()` works. */
export class CheckList {
  readonly results: SelfTestResult[] = [];

  readonly add = async (name: string, fn: () => Promise<Outcome>): Promise<void> => {
    this.results.push(await check(name, fn));
  };
}

/**
 * Runs a suite on a fresh device (labelled for its error messages) with edge-case values only
 * (no random cast sample: the suites draw their own inputs). Never throws: no WebGPU device is
 * one failed result, and the buffer pool is destroyed after the run either way.
 */
export async function withSelfTestEnv(
  label: string,
  run: (env: SelfTestEnv) => Promise<SelfTestResult[]>,
): Promise<SelfTestResult[]> {
  let env: SelfTestEnv;
  try {
    env = await createSelfTestEnv({ randomCount: 0, ctx: await acquireDevice({ label }) });
  } catch (err) {
    return [
      { name: 'acquire a WebGPU device', pass: false, detail: (err as Error).message, ms: 0 },
    ];
  }
  try {
    return await run(env);
  } finally {
    releaseSelfTestEnv(env);
  }
}
