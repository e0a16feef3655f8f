/**
 * Grouped (per-expert) matmul checks against src/model/reference/groupedMatmul.ts: forward with
 * bias (g0), dinp (g1), dw and dbias (g2), all in one submit, with the offsets uploaded as the
 * dispatch kernel would leave them on the GPU (E+1 u32). Segment layouts include empty experts
 * and one expert taking every row.
 */
import type { FormatName } from '../../../numerics';
import {
  compileGroupedMatmul,
  compileGroupedMatmulBackward,
  recordGroupedMatmulBackward,
  recordGroupedMatmulForward,
  type MatmulVariant,
} from '../../../gpu/kernels/matmul';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import {
  F32,
  F64,
  groupedMatmulBackward,
  groupedMatmulForward,
  storagePolicy,
  type Buf,
  type Precision,
} from '../../reference';
import {
  abs,
  addCounts,
  binadeSpread,
  compareCounts,
  compareOutput,
  cpuCounts,
  everyEvent,
  hex,
  input,
  outcome,
  output,
  storedRandom,
  submit,
  u32Buffer,
  withRun,
  type Outcome,
} from './harness';

export interface GroupedCase {
  format: FormatName;
  variant: MatmulVariant;
  /** Rows per expert; R is their sum. */
  counts: number[];
  N: number;
  K: number;
  seed: number;
  /** Event test: row r of inp scaled by 2^s(r), s from -15 to 10, weight row j by 2^s(j). */
  wide?: boolean;
}

function offsetsOf(counts: number[]): Int32Array {
  const o = new Int32Array(counts.length + 1);
  counts.forEach((c, e) => (o[e + 1] = o[e] + c));
  return o;
}

function inputs(c: GroupedCase, R: number) {
  const { format, N, K, seed } = c;
  const E = c.counts.length;
  const store = storagePolicy(format).store;
  const inp = storedRandom(format, R * K, seed);
  const w = storedRandom(format, E * N * K, seed + 1);
  // Wide inputs: a zero bias, so that outputs near zero can underflow.
  const bias = storedRandom(format, E * N, seed + 2, c.wide ? 0 : 1);
  const dout = storedRandom(format, R * N, seed + 3);
  if (c.wide) {
    for (let r = 0; r < R; r++)
      for (let k = 0; k < K; k++) inp[r * K + k] = store(inp[r * K + k] * binadeSpread(r, R));
    for (let e = 0; e < E; e++)
      for (let j = 0; j < N; j++)
        for (let k = 0; k < K; k++) {
          const at = (e * N + j) * K + k;
          w[at] = store(w[at] * binadeSpread(j, N));
        }
  }
  return { inp, w, bias, dout };
}

function references(c: GroupedCase, R: number, x: ReturnType<typeof inputs>, offsets: Int32Array) {
  const { N, K } = c;
  const E = c.counts.length;
  return [storagePolicy(c.format), F32, F64].map((p: Precision) => {
    const t = (v: Buf) => (p === F64 ? abs(v) : v);
    const out = p.alloc(R * N);
    const dinp = p.alloc(R * K);
    const dw = p.alloc(E * N * K);
    const dbias = p.alloc(E * N);
    groupedMatmulForward(p, out, t(x.inp), t(x.w), t(x.bias), offsets, E, N, K);
    groupedMatmulBackward(p, dinp, dw, dbias, t(x.dout), t(x.inp), t(x.w), offsets, E, N, K);
    return { out, dinp, dw, dbias };
  });
}

export async function checkGrouped(env: SelfTestEnv, c: GroupedCase): Promise<Outcome> {
  const { format, variant, N, K } = c;
  const E = c.counts.length;
  const offsets = offsetsOf(c.counts);
  const R = offsets[E];
  const x = inputs(c, R);
  const [want, pre, scale] = references(c, R, x, offsets);
  const [kForward, kBackward] = await Promise.all([
    compileGroupedMatmul(env.ctx, env.cache, variant, {
      inp: format,
      w: format,
      out: format,
      bias: format,
    }),
    compileGroupedMatmulBackward(env.ctx, env.cache, variant, {
      dout: format,
      inp: format,
      w: format,
      dinp: format,
      dw: format,
      dbias: format,
    }),
  ]);
  return withRun(env, async (run) => {
    const inp = input(run, format, x.inp, 'inp');
    const w = input(run, format, x.w, 'w');
    const bias = input(run, format, x.bias, 'bias');
    const dout = input(run, format, x.dout, 'dout');
    const off = u32Buffer(run, offsets, 'offsets');
    const out = output(run, format, R * N, 'out');
    const dinp = output(run, format, R * K, 'dinp');
    const dw = output(run, format, E * N * K, 'dw');
    const dbias = output(run, format, E * N, 'dbias');
    const counters = run.counters;
    const shape = { R, E, N, K };
    const got = await submit(
      run,
      (enc) => {
        recordGroupedMatmulForward(enc, kForward, { out, inp, w, bias, offsets: off }, shape, {
          counters,
          group: counters.group('g0'),
        });
        recordGroupedMatmulBackward(
          enc,
          kBackward,
          { dout, inp, w, offsets: off, dinp, dw, dbias },
          shape,
          {
            counters,
            group: counters.group('g1'),
            groups: { db: counters.group('g2'), dbias: counters.group('g2') },
          },
        );
      },
      [out, dinp, dw, dbias],
    );
    const cpu = [
      cpuCounts(format, pre.out),
      cpuCounts(format, pre.dinp),
      addCounts(cpuCounts(format, pre.dw), cpuCounts(format, pre.dbias)),
    ];
    const exercised = !c.wide || everyEvent(cpu[0]);
    const result = outcome(
      `grouped ${format} ${variant}, counts [${c.counts.join(',')}] N ${N} K ${K}, seed ${hex(c.seed)} (${got.ms.toFixed(1)} ms)`,
      [
        compareOutput('out', format, got.words[0], want.out, scale.out as Float64Array),
        compareOutput('dinp', format, got.words[1], want.dinp, scale.dinp as Float64Array),
        compareOutput('dw', format, got.words[2], want.dw, scale.dw as Float64Array),
        compareOutput('dbias (exact)', format, got.words[3], want.dbias, null, true),
        compareCounts(got.counts, cpu),
      ],
    );
    return exercised
      ? result
      : { pass: false, detail: `the wide inputs did not produce every event; ${result.detail}` };
  });
}
