/**
 * AdamW kernels against src/model/reference/adamw.ts, bit for bit: master weights (with and
 * without the low-precision copy, with the clip coefficient fused), pure low-precision weights
 * with nearest and stochastic rounding (lost updates and events counted on the GPU), and the
 * skipped step (foundInf set: nothing may change).
 */
import { decode, encode, f32Bits, type FormatName } from '../../../numerics';
import { EventCounters, type EventCounting, type Tensor } from '../../../gpu';
import {
  NORM_HEADER,
  compileAdamW,
  compileAdamWPure,
  createAdamWStepTable,
  createOptimizerState,
  pureStepKey,
  recordAdamW,
  recordAdamWPure,
  writeOptimizerState,
  type Arithmetic,
  type GradNormOutput,
} from '../../../gpu/kernels/optim';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { adamwStepPure } from '../../reference';
import {
  classifyCounts,
  countsText,
  cpuMasterStep,
  makeAdamWCase,
  resultCounts,
  sameCounts,
  type AdamWCase,
  type Counts,
} from './adamwCases';
import {
  POISON_WORD,
  bitsOf,
  compareBits,
  f32Words,
  hex,
  summarize,
  ulpDistance,
  withScratch,
  type Outcome,
  type Scratch,
} from './harness';

/** Counter groups: the run adds to 'run' only. */
const GROUPS = ['before', 'run', 'after'];

interface GpuAdamW {
  master: Tensor;
  grads: Tensor;
  moments: Tensor;
}

function upload(s: Scratch, c: AdamWCase, weights: FormatName, grads: FormatName): GpuAdamW {
  const n = c.layout.total;
  return {
    master: s.tensor(weights, n, c.weights, 'selftest weights'),
    grads: s.tensor(grads, n, c.grads, 'selftest grads'),
    moments: s.moments(c.expAvg, c.expAvgSq),
  };
}

function clipOutput(s: Scratch, coef: number): GradNormOutput {
  const words = new Uint32Array(NORM_HEADER + 3).fill(POISON_WORD);
  words[2] = f32Bits(coef);
  return { buffer: s.buffer(words, 'selftest clip coefficient'), tensors: 1 };
}

export interface MasterCase {
  grads: FormatName;
  copy?: FormatName;
  arithmetic?: Arithmetic;
  counting?: EventCounting;
  /** A clip coefficient applied by the kernel (the reference clips first, then steps). */
  clip?: boolean;
  /** foundInf set in the state: the step must change nothing. */
  skip?: boolean;
  /** Step number instead of the case's (past the step table's rows: its last row is used). */
  t?: number;
  /** Weights 2^minExp .. 2^maxExp (default 2^-12 .. 2^3) and the learning rate. */
  minExp?: number;
  maxExp?: number;
  lr?: number;
}

/** Master AdamW over a flat buffer, one dispatch per tensor; the copy (if any) is laid out one
 * element later than the master, so its words straddle tensors differently. */
export async function checkAdamWMaster(
  env: SelfTestEnv,
  seed: number,
  mc: MasterCase,
): Promise<Outcome> {
  const arithmetic = mc.arithmetic ?? 'exact';
  const c = makeAdamWCase(seed, 'fp32', mc.grads, mc);
  if (mc.t !== undefined) c.t = mc.t;
  const n = c.layout.total;
  const kernel = await compileAdamW(env.ctx, env.cache, {
    grads: mc.grads,
    copy: mc.copy,
    arithmetic,
    counting: mc.counting,
  });
  const coef = Math.fround(0.25 + (0.5 * ((seed >>> 8) % 1000)) / 1000);
  return withScratch(env, async (s) => {
    const g = upload(s, c, 'fp32', mc.grads);
    const copy = mc.copy ? s.tensor(mc.copy, n + 1, null, 'selftest copy') : undefined;
    const state = createOptimizerState(env.pool, { label: 'selftest state' });
    const table = createAdamWStepTable(env.pool, c.hyper);
    s.own(state.buffer, table.buffer);
    const rows = table.rows;
    writeOptimizerState(s.device, state, { stepsDone: c.t - 1, foundInf: mc.skip });
    const counters = new EventCounters(env.pool, GROUPS, 'selftest counters');
    s.own(counters.buffer);
    const clipNorm = mc.clip ? clipOutput(s, coef) : null;
    const ms = await s.submit('selftest adamw', (enc) => {
      counters.clear(enc);
      for (const span of c.layout.spans) {
        recordAdamW(
          enc,
          kernel,
          { ...g, copy },
          {
            n: span.size,
            offset: span.offset,
            gradOffset: span.offset,
            copyOffset: span.offset + 1,
          },
          {
            state,
            table,
            clipNorm,
            counting: kernel.variant.counting === 'off' ? undefined : { counters, group: 1 },
          },
        );
      }
    });
    const grads = mc.clip ? c.grads.map((x) => Math.fround(x * coef)) : c.grads;
    const want = mc.skip
      ? { weights: c.weights, expAvg: c.expAvg, expAvgSq: c.expAvgSq }
      : cpuMasterStep(c, grads);
    const parts: string[] = [];
    let ok = true;
    let maxUlp = 0;
    const [gotM, gotV] = await s.momentBits(g.moments);
    for (const [name, got, w] of [
      ['master', await s.bits(g.master), want.weights],
      ['exp_avg', gotM, want.expAvg],
      ['exp_avg_sq', gotV, want.expAvgSq],
    ] as const) {
      const wb = f32Words(w);
      if (arithmetic === 'exact') {
        const r = compareBits(name, 'fp32', got, wb);
        ok &&= r.mismatches === 0;
        parts.push(summarize(name, r));
      } else {
        let worst = 0;
        for (let i = 0; i < n; i++) worst = Math.max(worst, ulpDistance(got[i], wb[i]));
        maxUlp = Math.max(maxUlp, worst);
        ok &&= worst <= 2;
        parts.push(`${name} max ${worst} ulp`);
      }
    }
    let events = '';
    if (copy && mc.copy) {
      const got = await s.bits(copy);
      // Element 0 of the copy is outside every range: it must keep its poison bits.
      const poisonBits = encode(mc.copy, decode(mc.copy, POISON_WORD & 0xffff));
      const wantCopy = Uint32Array.from({ length: n + 1 }, (_, i) =>
        i === 0
          ? mc.copy === 'fp32'
            ? POISON_WORD
            : poisonBits
          : bitsOf(mc.copy!, want.weights[i - 1]),
      );
      if (mc.skip) wantCopy.fill(mc.copy === 'fp32' ? POISON_WORD : poisonBits);
      const r = compareBits('copy', mc.copy, got, wantCopy);
      if (arithmetic === 'exact') ok &&= r.mismatches === 0;
      parts.push(summarize(`${mc.copy} copy`, r));
      if (kernel.variant.counting !== 'off') {
        const counts = await counters.read(s.device);
        const gpu = counts[1] as unknown as Counts;
        const cpu = mc.skip ? classifyCounts(mc.copy, []) : classifyCounts(mc.copy, want.weights);
        const strays = [counts[0], counts[2]].some(
          (k) => k.overflow + k.underflow + k.subnormal + k.nonfinite > 0,
        );
        ok &&= sameCounts(gpu, cpu) && !strays;
        events = `; copy events (${kernel.variant.counting}) gpu ${countsText(gpu)} vs numerics classify ${countsText(cpu)}${strays ? '; counts leaked into other groups' : ''}`;
      }
    }
    return {
      pass: ok,
      detail:
        `seed ${hex(seed)}, tensors [${c.layout.spans.map((sp) => sp.size).join(', ')}], t = ${c.t} (step table ${rows} rows), lr ${c.hyper.lr}, wd ${c.hyper.weightDecay}` +
        `${mc.clip ? `, clip coef ${coef}` : ''}${mc.skip ? ', foundInf set (skip)' : ''}, ${arithmetic} (${ms.toFixed(1)} ms): ` +
        parts.join('; ') +
        events +
        (arithmetic === 'native' ? ` (tolerance 2 ulp, max seen ${maxUlp})` : ''),
      data: { ms, maxUlp },
    };
  });
}

export interface PureCase {
  weights: FormatName;
  grads: FormatName;
  rounding: 'nearest' | 'stochastic';
  skip?: boolean;
  lr?: number;
}

/** Pure AdamW over a flat buffer, per-tensor dispatches with per-tensor keys and counters. */
export async function checkAdamWPure(
  env: SelfTestEnv,
  seed: number,
  pc: PureCase,
): Promise<Outcome> {
  // Weights from 2^-30 (fp16: underflow / subnormal results) to 2^12, lr up to 7e-3: updates
  // both far under and far over half an ulp of the 16-bit weights.
  const c = makeAdamWCase(seed, pc.weights, pc.grads, { minExp: -30, maxExp: 12, lr: pc.lr });
  const n = c.layout.total;
  const T = c.layout.spans.length;
  const kernel = await compileAdamWPure(env.ctx, env.cache, {
    weights: pc.weights,
    grads: pc.grads,
  });
  const keys = c.layout.spans.map((_, k) => (seed * 31 + k * 0x85ebca6b) >>> 0);
  return withScratch(env, async (s) => {
    const g = upload(s, c, pc.weights, pc.grads);
    const state = createOptimizerState(env.pool, { label: 'selftest state' });
    const table = createAdamWStepTable(env.pool, c.hyper);
    const counters = new EventCounters(env.pool, GROUPS, 'selftest counters');
    s.own(state.buffer, table.buffer, counters.buffer);
    writeOptimizerState(s.device, state, { stepsDone: c.t - 1, foundInf: pc.skip });
    const lost = s.buffer(new Uint32Array(T + 2), 'selftest lost updates');
    const ms = await s.submit('selftest adamw pure', (enc) => {
      counters.clear(enc);
      c.layout.spans.forEach((span, k) => {
        recordAdamWPure(
          enc,
          kernel,
          { weights: g.master, grads: g.grads, moments: g.moments },
          { n: span.size, offset: span.offset, gradOffset: span.offset },
          {
            state,
            table,
            rounding: pc.rounding,
            key: keys[k],
            counter: span.offset,
            lostUpdates: { buffer: lost, index: k + 1 },
            counting: { counters, group: 1 },
          },
        );
      });
    });
    // CPU: the reference per tensor, with the key the GPU derives for step t.
    const weights = c.weights.slice();
    const expAvg = c.expAvg.slice();
    const expAvgSq = c.expAvgSq.slice();
    const cpuLost = new Uint32Array(T + 2);
    let cpuEvents: Counts = classifyCounts(pc.weights, []);
    if (!pc.skip) {
      const updated = cpuMasterStep(c).weights; // the f32 results before rounding to the format
      c.layout.spans.forEach((span, k) => {
        const sub = (a: Float32Array) => a.subarray(span.offset, span.offset + span.size);
        cpuLost[k + 1] = adamwStepPure(
          sub(weights),
          sub(c.grads),
          sub(expAvg),
          sub(expAvgSq),
          c.t,
          {
            ...c.hyper,
            format: pc.weights,
            rounding: pc.rounding,
            key: pureStepKey(keys[k], c.t),
            counter: span.offset,
          },
        ).lostUpdates;
      });
      cpuEvents =
        pc.rounding === 'nearest'
          ? classifyCounts(pc.weights, updated)
          : resultCounts(pc.weights, updated, weights);
    }
    const parts: string[] = [];
    const wb = await s.bits(g.master);
    const rw = compareBits(
      'weights',
      pc.weights,
      wb,
      Array.from(weights, (v) => bitsOf(pc.weights, v)),
    );
    parts.push(summarize(`${pc.weights} weights`, rw));
    let ok = rw.mismatches === 0;
    const [gotM, gotV] = await s.momentBits(g.moments);
    for (const [name, got, w] of [
      ['exp_avg', gotM, expAvg],
      ['exp_avg_sq', gotV, expAvgSq],
    ] as const) {
      const r = compareBits(name, 'fp32', got, f32Words(w));
      ok &&= r.mismatches === 0;
      parts.push(summarize(name, r));
    }
    // The padding lane of the last 16-bit word keeps the zero the upload wrote.
    const words = await s.words(g.master.buffer, g.master.byteLength / 4);
    const padOk = pc.weights === 'fp32' || n % 2 === 0 || words[words.length - 1] >>> 16 === 0;
    ok &&= padOk;
    const gpuLost = await s.words(lost);
    const lostOk = gpuLost.every((v, i) => v === cpuLost[i]);
    ok &&= lostOk;
    const counts = await counters.read(s.device);
    const gpuEvents = counts[1] as unknown as Counts;
    const strays = [counts[0], counts[2]].some(
      (k) => k.overflow + k.underflow + k.subnormal + k.nonfinite > 0,
    );
    ok &&= sameCounts(gpuEvents, cpuEvents) && !strays;
    const changed = weights.reduce((a, v, i) => a + (v !== c.weights[i] ? 1 : 0), 0);
    return {
      pass: ok,
      detail:
        `seed ${hex(seed)}, tensors [${c.layout.spans.map((sp) => sp.size).join(', ')}], t = ${c.t}, lr ${c.hyper.lr}, ${pc.rounding} rounding${pc.skip ? ', foundInf set (skip)' : ''} (${ms.toFixed(1)} ms): ` +
        `${parts.join('; ')}${padOk ? '' : '; padding lane overwritten'}; ${changed} of ${n} weights changed; ` +
        `lost updates per tensor gpu [${Array.from(gpuLost.subarray(1, T + 1)).join(', ')}] cpu [${Array.from(cpuLost.subarray(1, T + 1)).join(', ')}]` +
        `${lostOk ? '' : ' (counters 0 / last must stay 0: ' + `${gpuLost[0]}, ${gpuLost[T + 1]})`}; ` +
        `events gpu ${countsText(gpuEvents)} vs cpu ${countsText(cpuEvents)}${strays ? '; counts leaked into other groups' : ''}`,
      data: { ms },
    };
  });
}
