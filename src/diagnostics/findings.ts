/**
 * Measures what this GPU's f32 arithmetic does where WGSL leaves it free: subnormal flushing,
 * rounding of add and multiply (gpu/selftest/arithmetic.ts probes both), and the subgroup size.
 */
import { probeF32Arithmetic } from '../gpu/selftest/arithmetic';
import { createSelfTestEnv, releaseSelfTestEnv } from '../gpu/selftest/gpuRuns';
import { explainFindings } from './explain';
import { measureSubgroupSizes } from './subgroupProbe';
import type { Findings } from './types';

interface ArithmeticData {
  flushesResults: boolean;
  flushesInputs: boolean;
  count: number;
  mulNearest: number;
  addNearest: number;
  mulTruncated: number;
  addTruncated: number;
}

const nothing = (error: string): Findings => ({
  subnormals: null,
  rounding: null,
  subgroup: null,
  explanations: [],
  error,
});

/** Never throws: a device that cannot be measured gives findings with `error` set. */
export async function measureFindings(samples = 1 << 16): Promise<Findings> {
  let env;
  try {
    env = await createSelfTestEnv({ randomCount: 0 });
  } catch (err) {
    return nothing(`The device behaviour could not be measured: ${(err as Error).message}`);
  }
  try {
    const arith = await probeF32Arithmetic(env, samples);
    const d = arith.data as unknown as ArithmeticData;
    const info = env.ctx.info;
    let measured: number[] = [];
    let subgroupError: string | undefined;
    try {
      measured = await measureSubgroupSizes(env.ctx);
    } catch (err) {
      subgroupError = `The subgroup size probe failed: ${(err as Error).message}`;
    }
    const findings: Omit<Findings, 'explanations'> = {
      subnormals: { flushesResults: d.flushesResults, flushesInputs: d.flushesInputs },
      rounding: {
        samples: d.count,
        mulNearest: d.mulNearest,
        addNearest: d.addNearest,
        mulTruncated: d.mulTruncated,
        addTruncated: d.addTruncated,
        mulRoundsToNearest: d.mulNearest === d.count,
        addRoundsToNearest: d.addNearest === d.count,
      },
      subgroup: {
        reportedMin: info.subgroupMinSize || null,
        reportedMax: info.subgroupMaxSize || null,
        measured,
        feature: env.ctx.features.has('subgroups'),
      },
      ...(subgroupError ? { error: subgroupError } : {}),
    };
    return { ...findings, explanations: explainFindings(findings) };
  } catch (err) {
    return nothing(`The f32 arithmetic probe failed: ${(err as Error).message}`);
  } finally {
    releaseSelfTestEnv(env);
    env.ctx.device.destroy();
  }
}
