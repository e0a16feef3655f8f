/**
 * A whole fp16-amp lane step on the GPU, 12 steps in a row, against the CPU: numerics GradScaler
 * (unscale, update) and the reference's clipByGlobalNorm and adamwStep. Each step is one submit:
 *   unscale (fp16 scaled grads -> f32, foundInf) -> norms with clipping -> AdamW on the f32
 *   master writing the fp16 copy, clip coefficient fused, skipped when foundInf -> step end.
 * Infs / a NaN are injected at steps 2, 3, 7 and 9, growthInterval 3, so the trace backs off,
 * grows and skips; after every step the state, the unscaled gradients, master, moments and copy
 * must equal the CPU's bit for bit (the CPU clips with the GPU's norm: norms are compared within
 * the norm tolerance, since their summation orders differ), and a skipped step must leave every
 * weight and moment bit-identical.
 */
import { GradScaler, roundTo } from '../../../numerics';
import {
  compileAdamW,
  compileGradNorm,
  compileScalerUpdate,
  compileUnscale,
  createAdamWStepTable,
  createGradNormOutput,
  createNormPlan,
  createOptimizerState,
  decodeGradNorms,
  readOptimizerState,
  recordAdamW,
  recordGradNorm,
  recordStepEnd,
  recordUnscale,
  type AdamWHyperparameters,
} from '../../../gpu/kernels/optim';
import { writeTensor } from '../../../gpu';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { F32, adamwStep, clipByGlobalNorm, gradNorms } from '../../reference';
import { flatLayout, TENSOR_SIZES } from './adamwCases';
import {
  bitsOf,
  compareBits,
  f32Words,
  hex,
  normal,
  stored,
  withScratch,
  type Outcome,
} from './harness';
import { NORM_TOLERANCE } from './normChecks';
import { stateMismatch } from './scalerChecks';

const STEPS = 12;
const INJECT: Record<number, number> = { 2: Infinity, 3: -Infinity, 7: Infinity, 9: NaN };
const SCALER = { growthInterval: 3 };
const MAX_NORM = 0.05;

export async function checkLaneSteps(env: SelfTestEnv, seed: number): Promise<Outcome> {
  const { spans, total: n } = flatLayout(TENSOR_SIZES);
  const hyper: AdamWHyperparameters = { lr: 1e-3, weightDecay: 0.01 };
  const [unscale, norms, adamw, stepEnd] = await Promise.all([
    compileUnscale(env.ctx, env.cache, 'fp16', 'fp32', 'off'),
    compileGradNorm(env.ctx, env.cache, 'fp32'),
    compileAdamW(env.ctx, env.cache, { grads: 'fp32', copy: 'fp16', counting: 'off' }),
    compileScalerUpdate(env.ctx, env.cache),
  ]);
  const master = stored('fp32', n, (i) => 0.02 * normal(seed, i));
  const expAvg = new Float32Array(n);
  const expAvgSq = new Float32Array(n);
  const scaler = new GradScaler({ initScale: 65536, ...SCALER });
  return withScratch(env, async (s) => {
    const gMaster = s.tensor('fp32', n, master, 'selftest master');
    const gMoments = s.moments(expAvg, expAvgSq);
    const copy = s.tensor('fp16', n, null, 'selftest fp16 copy');
    const scaled = s.tensor('fp16', n, null, 'selftest scaled grads');
    const grads = s.tensor('fp32', n, null, 'selftest grads');
    const state = createOptimizerState(env.pool, { label: 'selftest state', scale: 65536 });
    const table = createAdamWStepTable(env.pool, hyper);
    const plan = createNormPlan(env.pool, spans, 'selftest plan');
    const out = createGradNormOutput(env.pool, spans.length, 'selftest norms');
    s.own(state.buffer, table.buffer, plan.buffer, plan.partials, out.buffer);
    let t = 0;
    let copyWant: Uint32Array | null = null; // poison until the first step that is not skipped
    const bad: string[] = [];
    const trace: string[] = [];
    let ms = 0;
    for (let step = 1; step <= STEPS; step++) {
      // Scaled fp16 gradients: true gradients (of several magnitudes per step) times the scale.
      const mag = 10 ** ((step % 3) - 3);
      const g = stored('fp16', n, (i) => normal(seed + step, i) * mag * scaler.scale);
      if (step in INJECT) g[(step * 101) % n] = INJECT[step];
      writeTensor(s.device, scaled, g);
      ms += await s.submit('selftest lane step', (enc) => {
        recordUnscale(enc, unscale, { grads: scaled, out: grads }, {}, { state });
        recordGradNorm(enc, norms, grads, plan, out, MAX_NORM);
        recordAdamW(
          enc,
          adamw,
          { master: gMaster, grads, moments: gMoments, copy },
          { n },
          { state, table, clipNorm: out },
        );
        recordStepEnd(enc, stepEnd, state, SCALER);
      });
      // CPU step.
      const { foundInf } = scaler.unscale([g]);
      const gpuNorms = decodeGradNorms(await s.words(out.buffer), spans.length);
      const cpuNorm = gradNorms(F32, g, spans, null).norm;
      let coef = 1;
      if (!foundInf) {
        t++;
        coef = clipByGlobalNorm(F32, g.slice(), gpuNorms.norm, MAX_NORM);
        const clipped = g.map((x) => Math.fround(x * coef));
        adamwStep(F32, master, clipped, expAvg, expAvgSq, t, hyper);
        copyWant = Uint32Array.from(master, (v) => bitsOf('fp16', roundTo('fp16', v)));
      }
      scaler.update(foundInf);
      // Compare.
      const st = await readOptimizerState(s.device, state);
      const m = stateMismatch(st, scaler, t, foundInf);
      const normOk = foundInf || Math.abs(gpuNorms.norm - cpuNorm) <= NORM_TOLERANCE * cpuNorm;
      const [gotM, gotV] = await s.momentBits(gMoments);
      const checks = [
        compareBits('unscaled', 'fp32', await s.bits(grads), f32Words(g)),
        compareBits('master', 'fp32', await s.bits(gMaster), f32Words(master)),
        compareBits('exp_avg', 'fp32', gotM, f32Words(expAvg)),
        compareBits('exp_avg_sq', 'fp32', gotV, f32Words(expAvgSq)),
      ];
      if (copyWant) checks.push(compareBits('copy', 'fp16', await s.bits(copy), copyWant));
      const wrong = checks.filter((c) => c.mismatches > 0);
      if (m.length || wrong.length || !normOk) {
        bad.push(
          `step ${step}: ${[...m, ...wrong.map((c) => `${c.mismatches} differ: ${c.examples[0]}`), normOk ? '' : `norm gpu ${gpuNorms.norm} cpu ${cpuNorm}`].filter(Boolean).join(', ')}`,
        );
      }
      trace.push(
        `${step}:${foundInf ? 'skip' : `t${t}${coef < 1 ? ' clip' : ''}`} scale ${st.scale}`,
      );
    }
    return {
      pass: bad.length === 0,
      detail:
        `seed ${hex(seed)}, ${n} parameters in ${spans.length} tensors, ${STEPS} steps (${ms.toFixed(0)} ms of GPU work): ` +
        `${trace.join(', ')}; ` +
        (bad.length
          ? bad.slice(0, 3).join('; ')
          : 'state, unscaled gradients, master, moments and fp16 copy equal after every step; skipped steps left them bit-identical'),
    };
  });
}
