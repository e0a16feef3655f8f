/**
 * Gradient / weight norms against src/model/reference/gradNorm.ts: per-tensor and global L2 norms
 * (relative 1e-5: another fixed summation order, see harness.ts), inf/NaN flags, determinism (two
 * runs bit-identical), the clip coefficient and clipping (bit for bit given the GPU's norm).
 */
import { f32Bits, type FormatName } from '../../../numerics';
import {
  NORM_HEADER,
  compileClip,
  compileGradNorm,
  createGradNormOutput,
  createNormPlan,
  decodeGradNorms,
  recordClipGrads,
  recordGradNorm,
  type GradNormValues,
} from '../../../gpu/kernels/optim';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { F32, clipByGlobalNorm, gradNorms } from '../../reference';
import { flatLayout } from './adamwCases';
import {
  compareBits,
  f32Words,
  hex,
  normal,
  stored,
  summarize,
  withScratch,
  type Outcome,
  type Scratch,
} from './harness';

export const NORM_TOLERANCE = 1e-5;
/** Odd sizes, an empty tensor, one spread over many slots (2500 / 64 -> 40). */
const NORM_SIZES = [1, 7, 33, 65, 0, 129, 2500, 3];

const relErr = (got: number, want: number) =>
  got === want ? 0 : Math.abs(got - want) / Math.max(Math.abs(want), Number.MIN_VALUE);

/** Same class (NaN, +-inf) or within the tolerance. */
function close(got: number, want: number): boolean {
  if (Number.isNaN(want) || !Number.isFinite(want)) return Object.is(got, want);
  return relErr(got, want) <= NORM_TOLERANCE;
}

interface NormRun {
  words: Uint32Array;
  values: GradNormValues;
  ms: number;
}

async function gpuNorms(
  s: Scratch,
  storage: FormatName,
  values: Float32Array,
  spans: { offset: number; size: number }[],
  maxNorm: number | null,
): Promise<NormRun> {
  const env = s.env;
  const kernels = await compileGradNorm(env.ctx, env.cache, storage);
  const x = s.tensor(storage, values.length, values, 'selftest norm input');
  const plan = createNormPlan(env.pool, spans, 'selftest norm plan');
  const out = createGradNormOutput(env.pool, spans.length, 'selftest norms');
  s.own(plan.buffer, plan.partials, out.buffer);
  s.poison(plan.partials);
  s.poison(out.buffer);
  const ms = await s.submit('selftest norms', (enc) =>
    recordGradNorm(enc, kernels, x, plan, out, maxNorm),
  );
  const words = await s.words(out.buffer, NORM_HEADER + 3 * spans.length);
  return { words, values: decodeGradNorms(words, spans.length), ms };
}

/** Norms of tensors of odd sizes stored as `storage`, clip coefficient, determinism. */
export async function checkNorms(
  env: SelfTestEnv,
  seed: number,
  storage: FormatName,
): Promise<Outcome> {
  const { spans, total } = flatLayout(NORM_SIZES);
  const scaleOf = (i: number) =>
    10 ** (((spans.findIndex((sp) => i < sp.offset + sp.size) * 7) % 5) - 3);
  const values = stored(storage, total, (i) => normal(seed, i) * scaleOf(i));
  const perTensor = new Float32Array(spans.length);
  const ref = gradNorms(F32, values, spans, perTensor);
  const maxNorm = Math.fround(ref.norm * 0.37);
  return withScratch(env, async (s) => {
    const a = await gpuNorms(s, storage, values, spans, maxNorm);
    const b = await gpuNorms(s, storage, values, spans, maxNorm);
    const noClip = await gpuNorms(s, storage, values, spans, null);
    const same = compareBits('run 2 word', 'fp32', b.words, a.words);
    let worst = relErr(a.values.norm, ref.norm);
    let ok = close(a.values.norm, ref.norm);
    a.values.perTensor.forEach((t, k) => {
      worst = Math.max(worst, relErr(t.norm, perTensor[k]));
      ok &&= close(t.norm, perTensor[k]) && !t.nonfinite;
    });
    // The coefficient from the GPU's norm by the reference's rule, bit for bit.
    const cpuCoef = clipByGlobalNorm(F32, new Float32Array(0), a.values.norm, maxNorm);
    const coefOk = f32Bits(a.values.clipCoef) === f32Bits(cpuCoef) && noClip.values.clipCoef === 1;
    ok &&= coefOk && same.mismatches === 0 && !a.values.nonfinite && ref.finite;
    return {
      pass: ok,
      detail:
        `seed ${hex(seed)}, ${storage}, tensors [${NORM_SIZES.join(', ')}] (${a.ms.toFixed(1)} ms): ` +
        `global norm gpu ${a.values.norm} cpu ${ref.norm}; max relative error over the global and ${spans.length} per-tensor norms ${worst.toExponential(2)} (tolerance ${NORM_TOLERANCE}); ` +
        `clip to ${maxNorm}: coef gpu ${a.values.clipCoef} cpu ${cpuCoef}${coefOk ? ' (equal bits)' : ''}, without clipping ${noClip.values.clipCoef}; ` +
        `inf/NaN flag ${a.values.nonfinite}; two runs: ${same.mismatches === 0 ? 'bit-identical' : summarize('words', same)}`,
      data: { maxRelErr: worst, ms: a.ms },
    };
  });
}

/** inf / NaN / huge finite elements: flags from the elements, norms inf or NaN as the CPU's. */
export async function checkNormSpecials(env: SelfTestEnv, seed: number): Promise<Outcome> {
  const { spans, total } = flatLayout(NORM_SIZES);
  return withScratch(env, async (s) => {
    const parts: string[] = [];
    let ok = true;
    for (const scenario of ['inf and NaN', 'huge finite'] as const) {
      const values = stored('fp32', total, (i) => normal(seed, i));
      if (scenario === 'inf and NaN') {
        values[spans[2].offset + 5] = -Infinity;
        values[spans[5].offset + 100] = NaN;
      }
      values[spans[6].offset + 17] = 1e30; // its square overflows f32; still a finite gradient
      const perTensor = new Float32Array(spans.length);
      const ref = gradNorms(F32, values, spans, perTensor);
      const run = await gpuNorms(s, 'fp32', values, spans, 1);
      const flagsWant = spans.map(
        (sp) => !values.subarray(sp.offset, sp.offset + sp.size).every(Number.isFinite),
      );
      const flagsOk = run.values.perTensor.every((t, k) => t.nonfinite === flagsWant[k]);
      const normsOk =
        close(run.values.norm, ref.norm) &&
        run.values.perTensor.every((t, k) => close(t.norm, perTensor[k]));
      const globalOk = run.values.nonfinite === !ref.finite;
      ok &&= flagsOk && normsOk && globalOk;
      parts.push(
        `${scenario}: global norm gpu ${run.values.norm} cpu ${ref.norm}, inf/NaN flag gpu ${run.values.nonfinite} cpu ${!ref.finite}, ` +
          `per-tensor flags ${flagsOk ? 'equal' : 'DIFFER'}, norms ${normsOk ? 'equal or within tolerance' : 'DIFFER'}, clip coef ${run.values.clipCoef}`,
      );
    }
    return { pass: ok, detail: `seed ${hex(seed)}: ${parts.join('; ')}` };
  });
}

/** Norm -> coefficient -> f32 gradients clipped in place, in one submit, vs clipByGlobalNorm. */
export async function checkClip(env: SelfTestEnv, seed: number): Promise<Outcome> {
  const { spans, total } = flatLayout(NORM_SIZES);
  const values = stored('fp32', total, (i) => normal(seed, i) * 0.1);
  const ref = gradNorms(F32, values, spans, null);
  const maxNorm = Math.fround(ref.norm / 3);
  const kernels = await compileGradNorm(env.ctx, env.cache, 'fp32');
  const clip = await compileClip(env.ctx, env.cache);
  return withScratch(env, async (s) => {
    const grads = s.tensor('fp32', total, values, 'selftest grads');
    const plan = createNormPlan(env.pool, spans, 'selftest norm plan');
    const out = createGradNormOutput(env.pool, spans.length, 'selftest norms');
    s.own(plan.buffer, plan.partials, out.buffer);
    s.poison(out.buffer);
    const ms = await s.submit('selftest clip', (enc) => {
      recordGradNorm(enc, kernels, grads, plan, out, maxNorm);
      // Two ranges, the second from an odd offset.
      recordClipGrads(enc, clip, grads, out, { n: 40, offset: 0 });
      recordClipGrads(enc, clip, grads, out, { n: total - 40, offset: 40 });
    });
    const norms = decodeGradNorms(await s.words(out.buffer), spans.length);
    const want = values.slice();
    const coef = clipByGlobalNorm(F32, want, norms.norm, maxNorm);
    const r = compareBits('grads', 'fp32', await s.bits(grads), f32Words(want));
    return {
      pass: r.mismatches === 0 && close(norms.norm, ref.norm) && coef < 1,
      detail: `seed ${hex(seed)}, ${total} f32 gradients, norm gpu ${norms.norm} cpu ${ref.norm}, max norm ${maxNorm}, coef ${coef} (${ms.toFixed(1)} ms): ${summarize('clipped gradients vs clipByGlobalNorm', r)}`,
    };
  });
}
