/**
 * Self-test of the transformer kernels (src/gpu/kernels/transformer) against the CPU reference
 * (src/model/reference): embedding, layer norm, GELU, causal attention and cross-entropy, forward
 * and backward, for fp32, fp16 and bf16 storage. Sizes are odd on purpose (C, T, V odd so packed
 * words straddle rows; T = 1; nothing a multiple of a workgroup). Each run draws a fresh seed
 * (reported in every detail); `run(seed)` reproduces one. Outputs are poisoned with NaN words
 * before each run, so an element a kernel does not write fails.
 */
import type { FormatName } from '../../numerics';
import { check, type SelfTestResult } from '../../gpu/selftest/conversion';
import { checkAttention } from './transformer/attentionChecks';
import { checkCrossEntropy } from './transformer/crossEntropyChecks';
import { checkEncoder } from './transformer/encoderChecks';
import { checkGelu } from './transformer/geluChecks';
import { checkLayerNorm } from './transformer/layerNormChecks';
import { timeKernels } from './transformer/timing';
import { Rng, createHarness, releaseAll, type Harness, type Outcome } from './transformer/harness';
import { freshSeed, withSelfTestEnv } from './suiteRun';

const FORMATS: readonly FormatName[] = ['fp32', 'fp16', 'bf16'];

type Check = [name: string, fn: (h: Harness, f: FormatName, rng: Rng) => Promise<Outcome>];

// prettier-ignore
const CHECKS: Check[] = [
  ['embedding B=2 T=7 C=9 V=11 maxT=9, counting off', (h, f, r) => checkEncoder(h, f, r, { B: 2, T: 7, C: 9, V: 11, maxT: 9, counting: 'off' })],
  ['embedding, values over 60 binades (events)', (h, f, r) => checkEncoder(h, f, r, { B: 3, T: 5, C: 7, V: 13, maxT: 5, wide: true })],
  ['embedding B=2 T=3 C=11 V=5 maxT=4, tables packed in the storage format', (h, f, r) => checkEncoder(h, f, r, { B: 2, T: 3, C: 11, V: 5, maxT: 4, packedTables: true })],
  ['embedding, values over 60 binades (events, atomic counting)', (h, f, r) => checkEncoder(h, f, r, { B: 2, T: 6, C: 5, V: 7, maxT: 8, wide: true, counting: 'atomic' })],
  ['layer norm N=15 C=9', (h, f, r) => checkLayerNorm(h, f, r, 15, 9)],
  ['layer norm N=5 C=48', (h, f, r) => checkLayerNorm(h, f, r, 5, 48)],
  ['layer norm N=7 C=5, weight and bias packed in the storage format', (h, f, r) => checkLayerNorm(h, f, r, 7, 5, true)],
  ['gelu n=77', (h, f, r) => checkGelu(h, f, r, 77)],
  ['gelu sweep of x over [-12, 12], n=2401', (h, f, r) => checkGelu(h, f, r, 2401, true)],
  ['attention B=2 T=1 C=9 H=3', (h, f, r) => checkAttention(h, f, r, { B: 2, T: 1, C: 9, H: 3 })],
  ['attention B=2 T=7 C=9 H=3', (h, f, r) => checkAttention(h, f, r, { B: 2, T: 7, C: 9, H: 3 })],
  ['attention B=1 T=13 C=10 H=2', (h, f, r) => checkAttention(h, f, r, { B: 1, T: 13, C: 10, H: 2 })],
  ['cross-entropy N=15 V=11 dloss=1', (h, f, r) => checkCrossEntropy(h, f, r, { N: 15, V: 11, dloss: 1, slot: 0 })],
  ['cross-entropy N=5 V=65 loss scale 1024 in slot 2', (h, f, r) => checkCrossEntropy(h, f, r, { N: 5, V: 65, dloss: 1024, slot: 2 })],
  ['timings (informational) B=4 T=64 C=128 H=4 V=65', (h, f, r) => timeKernels(h, f, r, { B: 4, T: 64, C: 128, H: 4, V: 65, geluN: 4 * 64 * 2 * 512 })],
];

/** Every check for every storage format; never throws (a failure is a result). */
export async function runTransformerSelfTests(seedArg?: number): Promise<SelfTestResult[]> {
  const seed =
    typeof seedArg === 'number' && Number.isFinite(seedArg) ? seedArg >>> 0 : freshSeed();
  return withSelfTestEnv('transformer self-test', async (env) => {
    const h = createHarness(env);
    const results: SelfTestResult[] = [];
    let k = 0;
    for (const [name, fn] of CHECKS) {
      for (const format of FORMATS) {
        // One seed per check, derived from the run's seed, so any one check can be replayed.
        const rng = new Rng((seed + 0x9e3779b9 * ++k) >>> 0);
        const result = await check(`${name} ${format}`, async () => {
          try {
            return await fn(h, format, rng);
          } finally {
            releaseAll(h);
          }
        });
        results.push({ ...result, detail: `run seed ${seed}, ${result.detail}` });
      }
    }
    return results;
  });
}

export const suite = {
  name: 'Transformer kernels',
  run: async (seed?: number): Promise<SelfTestResult[]> => runTransformerSelfTests(seed),
};
