/**
 * Loss scaling on the GPU against numerics GradScaler and the reference: unscale (f32 products
 * and foundInf from the SCALED gradients, bit for bit) and the GradScaler update step by step,
 * including backoff into subnormals, refused growth past f32's range and factors other than 2.
 */
import { GradScaler, f32Bits, type FormatName } from '../../../numerics';
import { EventCounters, writeWords } from '../../../gpu';
import {
  STATE_WORD,
  compileScalerUpdate,
  compileUnscale,
  createOptimizerState,
  readOptimizerState,
  recordStepEnd,
  recordUnscale,
  type OptimizerStateValues,
  type ScalerUpdateOptions,
} from '../../../gpu/kernels/optim';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { F32, unscaleGrads } from '../../reference';
import {
  classifyCounts,
  countsText,
  flatLayout,
  sameCounts,
  TENSOR_SIZES,
  type Counts,
} from './adamwCases';
import {
  POISON_WORD,
  compareBits,
  f32Words,
  hex,
  normal,
  stored,
  summarize,
  withScratch,
  type Outcome,
} from './harness';

/** Unscale of `format` gradients (optionally with an inf or NaN) by a loss scale whose
 * reciprocal is inexact in f32, in two ranges, into an f32 output laid out one element later. */
export async function checkUnscale(
  env: SelfTestEnv,
  seed: number,
  format: FormatName,
  inject: 'inf' | 'nan' | null,
): Promise<Outcome> {
  const n = flatLayout(TENSOR_SIZES).total;
  const scale = 3 * 2 ** (8 + (seed % 8)); // 1 / scale is not a power of two: invScale rounds
  const values = stored(format, n, (i) => normal(seed, i) * 10 ** ((i % 5) - 2));
  if (inject === 'inf') values[n - 2] = Infinity;
  if (inject === 'nan') values[40] = NaN;
  const kernel = await compileUnscale(env.ctx, env.cache, format, 'fp32');
  return withScratch(env, async (s) => {
    const grads = s.tensor(format, n, values, 'selftest scaled grads');
    const out = s.tensor('fp32', n + 1, null, 'selftest unscaled grads');
    const state = createOptimizerState(env.pool, { label: 'selftest state', scale });
    const counters = new EventCounters(env.pool, ['before', 'run', 'after'], 'selftest counters');
    s.own(state.buffer, counters.buffer);
    const counting = kernel.variant.counting === 'off' ? undefined : { counters, group: 1 };
    const ms = await s.submit('selftest unscale', (enc) => {
      counters.clear(enc);
      recordUnscale(enc, kernel, { grads, out }, { n: 37, outOffset: 1 }, { state, counting });
      recordUnscale(
        enc,
        kernel,
        { grads, out },
        { n: n - 37, gradOffset: 37, outOffset: 38 },
        { state, counting },
      );
    });
    const want = values.slice();
    const invScale = Math.fround(1 / Math.fround(scale));
    const { foundInf } = unscaleGrads(F32, want, invScale);
    const got = await s.bits(out);
    const wantBits = new Uint32Array(n + 1);
    wantBits[0] = POISON_WORD;
    wantBits.set(f32Words(want), 1);
    const r = compareBits('unscaled', 'fp32', got, wantBits);
    const st = await readOptimizerState(s.device, state);
    const gpuEvents = (await counters.read(s.device))[1] as unknown as Counts;
    const cpuEvents = classifyCounts('fp32', want);
    const ok = r.mismatches === 0 && st.foundInf === foundInf && sameCounts(gpuEvents, cpuEvents);
    return {
      pass: ok,
      detail:
        `seed ${hex(seed)}, ${n} ${format} gradients${inject ? ` with one ${inject}` : ''}, scale ${scale}, invScale ${invScale} (${ms.toFixed(1)} ms): ` +
        `${summarize('unscaled f32 gradients vs unscaleGrads', r)}; foundInf gpu ${st.foundInf} cpu ${foundInf}; ` +
        `events of the f32 output gpu ${countsText(gpuEvents)} vs classify ${countsText(cpuEvents)}`,
    };
  });
}

export function stateMismatch(
  got: OptimizerStateValues,
  s: GradScaler,
  stepsDone: number,
  found: boolean,
): string[] {
  const bad: string[] = [];
  if (f32Bits(got.scale) !== f32Bits(s.scale)) bad.push(`scale gpu ${got.scale} cpu ${s.scale}`);
  if (f32Bits(got.invScale) !== f32Bits(s.invScale()))
    bad.push(`invScale gpu ${got.invScale} cpu ${s.invScale()}`);
  if (got.growthTracker !== s.growthTracker)
    bad.push(`tracker gpu ${got.growthTracker} cpu ${s.growthTracker}`);
  if (got.stepsDone !== stepsDone) bad.push(`steps gpu ${got.stepsDone} cpu ${stepsDone}`);
  if (got.lastFoundInf !== found || got.foundInf)
    bad.push(`foundInf gpu ${got.lastFoundInf}/${got.foundInf} cpu ${found}`);
  return bad;
}

interface ScalerTrace {
  name: string;
  initScale: number;
  options: ScalerUpdateOptions;
  found: number[];
}

const TRACES: ScalerTrace[] = [
  {
    name: 'default factors',
    initScale: 65536,
    options: { growthInterval: 3 },
    found: [0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0],
  },
  {
    name: 'backoff into f32 subnormals and 0',
    initScale: 2 ** -146,
    options: { growthInterval: 1 },
    found: [1, 1, 1, 1, 1, 0, 0],
  },
  {
    name: 'growth past f32 max is refused',
    initScale: 2 ** 126,
    options: { growthInterval: 1 },
    found: [0, 0, 0, 1, 0],
  },
  {
    name: 'non-power-of-two scale',
    initScale: 3 * 2 ** 20,
    options: { growthInterval: 2, growthFactor: 4, backoffFactor: 0.25 },
    found: [1, 0, 0, 0, 1, 0],
  },
];

/** The step-end kernel alone against numerics GradScaler, foundInf scripted per step. */
export async function checkScalerUpdate(env: SelfTestEnv): Promise<Outcome> {
  const kernel = await compileScalerUpdate(env.ctx, env.cache);
  return withScratch(env, async (s) => {
    const parts: string[] = [];
    let ok = true;
    for (const trace of TRACES) {
      const state = createOptimizerState(env.pool, {
        label: 'selftest state',
        scale: trace.initScale,
      });
      s.own(state.buffer);
      const cpu = new GradScaler({ initScale: trace.initScale, ...trace.options });
      let steps = 0;
      const bad: string[] = [];
      const scales: number[] = [];
      for (const [k, f] of trace.found.entries()) {
        writeWords(s.device, state.buffer, new Uint32Array([f]), STATE_WORD.foundInf);
        await s.submit('selftest scaler update', (enc) =>
          recordStepEnd(enc, kernel, state, trace.options),
        );
        cpu.update(f === 1);
        steps += f === 1 ? 0 : 1;
        const got = await readOptimizerState(s.device, state);
        scales.push(got.scale);
        const m = stateMismatch(got, cpu, steps, f === 1);
        if (m.length) bad.push(`step ${k + 1}: ${m.join(', ')}`);
        if (got.skippedSteps !== trace.found.slice(0, k + 1).filter((x) => x).length)
          bad.push(`step ${k + 1}: skipped ${got.skippedSteps}`);
      }
      ok &&= bad.length === 0;
      parts.push(
        `${trace.name} [${scales.join(', ')}] ${bad.length ? bad.slice(0, 3).join('; ') : 'equal'}`,
      );
    }
    return {
      pass: ok,
      detail: `GPU GradScaler update vs numerics GradScaler (scale, invScale bits, growth tracker, step count, skip flags after every step): ${parts.join('; ')}`,
    };
  });
}
