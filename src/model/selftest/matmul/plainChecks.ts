/**
 * Plain batched matmul checks: forward (with and without bias in one submit) and backward
 * (da, db, dbias) of one form, storage format and kernel variant against
 * src/model/reference/matmul.ts, event counts included.
 */
import type { FormatName } from '../../../numerics';
import type { EventCounting } from '../../../gpu';
import {
  compileMatmul,
  compileMatmulBackward,
  recordMatmulBackward,
  recordMatmulForward,
  type MatmulForm,
  type MatmulVariant,
} from '../../../gpu/kernels/matmul';
import type { SelfTestEnv } from '../../../gpu/selftest/gpuRuns';
import { F32, F64, matmulBackward, matmulForward, storagePolicy, type Buf } from '../../reference';
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
  withRun,
  type CountRecord,
  type Outcome,
} from './harness';

export interface PlainCase {
  format: FormatName;
  variant: MatmulVariant;
  form: MatmulForm;
  M: number;
  N: number;
  K: number;
  batch: number;
  seed: number;
  counting?: EventCounting;
}

export interface PlainInputs {
  a: Float32Array;
  b: Float32Array;
  bias: Float32Array;
}

/** Uniform inputs in [-1, 1) of the storage format. */
export function uniformInputs(c: PlainCase): PlainInputs {
  const { format, M, N, K, batch, seed } = c;
  return {
    a: storedRandom(format, batch * M * K, seed),
    b: storedRandom(format, batch * K * N, seed + 1),
    bias: storedRandom(format, N, seed + 2),
  };
}

const describe = (c: PlainCase) =>
  `${c.form} ${c.format} ${c.variant}, batch ${c.batch} M ${c.M} N ${c.N} K ${c.K}, seed ${hex(c.seed)}`;

/** Expected outputs of the reference under the storage policy, under F32 (the f32 values
 * before the one rounding, for classify) and under F64 on |inputs| (the tolerance scale S). */
function forwardRefs(c: PlainCase, x: PlainInputs, withBias: boolean) {
  const n = c.batch * c.M * c.N;
  const run = (p: typeof F32, out: Buf, a: Buf, b: Buf, bias: Buf) =>
    matmulForward(p, c.form, out, a, b, withBias ? bias : null, c.M, c.N, c.K, c.batch);
  const want = new Float32Array(n);
  const pre = new Float32Array(n);
  const scale = new Float64Array(n);
  run(storagePolicy(c.format), want, x.a, x.b, x.bias);
  run(F32, pre, x.a, x.b, x.bias);
  run(F64, scale, abs(x.a), abs(x.b), abs(x.bias));
  return { want, pre, scale };
}

/** Forward with bias (counter group g0) and without (g1), one submit. */
export async function checkForward(
  env: SelfTestEnv,
  c: PlainCase,
  inputs: PlainInputs = uniformInputs(c),
): Promise<Outcome & { cpu: CountRecord[] }> {
  const { format, variant } = c;
  const shape = { form: c.form, M: c.M, N: c.N, K: c.K, batch: c.batch };
  const refs = [forwardRefs(c, inputs, true), forwardRefs(c, inputs, false)];
  const [kBias, kPlain] = await Promise.all([
    compileMatmul(
      env.ctx,
      env.cache,
      variant,
      { a: format, b: format, out: format, bias: format },
      c.counting,
    ),
    compileMatmul(env.ctx, env.cache, variant, { a: format, b: format, out: format }, c.counting),
  ]);
  return withRun(env, async (run) => {
    const a = input(run, format, inputs.a, 'A');
    const b = input(run, format, inputs.b, 'B');
    const bias = input(run, format, inputs.bias, 'bias');
    const n = c.batch * c.M * c.N;
    const outs = [output(run, format, n, 'out+bias'), output(run, format, n, 'out')];
    const g = (name: string) => ({ counters: run.counters, group: run.counters.group(name) });
    const got = await submit(
      run,
      (enc) => {
        recordMatmulForward(enc, kBias, { out: outs[0], a, b, bias }, shape, g('g0'));
        recordMatmulForward(enc, kPlain, { out: outs[1], a, b }, shape, g('g1'));
      },
      outs,
    );
    const cpu = [
      cpuCounts(format, refs[0].pre),
      cpuCounts(format, refs[1].pre),
      cpuCounts(format, new Float32Array(0)),
    ];
    return {
      ...outcome(`forward ${describe(c)} (${got.ms.toFixed(1)} ms)`, [
        compareOutput('out+bias', format, got.words[0], refs[0].want, refs[0].scale),
        compareOutput('out', format, got.words[1], refs[1].want, refs[1].scale),
        compareCounts(got.counts, cpu),
      ]),
      cpu,
    };
  });
}

/** da (g0), db (g1), dbias (g2) of one form, one submit. */
export async function checkBackward(env: SelfTestEnv, c: PlainCase): Promise<Outcome> {
  const { format, variant, form, M, N, K, batch } = c;
  const x = uniformInputs(c);
  const dout = storedRandom(format, batch * M * N, c.seed + 3);
  const refs = [storagePolicy(format), F32, F64].map((p) => {
    const da = p.alloc(x.a.length);
    const db = p.alloc(x.b.length);
    const dbias = p.alloc(N);
    if (p === F64)
      matmulBackward(p, form, da, db, dbias, abs(dout), abs(x.a), abs(x.b), M, N, K, batch);
    else matmulBackward(p, form, da, db, dbias, dout, x.a, x.b, M, N, K, batch);
    return { da, db, dbias };
  });
  const [want, pre, scale] = refs;
  const kernels = await compileMatmulBackward(
    env.ctx,
    env.cache,
    variant,
    form,
    { dout: format, a: format, b: format, da: format, db: format, dbias: format },
    c.counting,
  );
  return withRun(env, async (run) => {
    const a = input(run, format, x.a, 'A');
    const b = input(run, format, x.b, 'B');
    const dy = input(run, format, dout, 'dout');
    const da = output(run, format, x.a.length, 'dA');
    const db = output(run, format, x.b.length, 'dB');
    const dbias = output(run, format, N, 'dbias');
    const counters = run.counters;
    const got = await submit(
      run,
      (enc) =>
        recordMatmulBackward(
          enc,
          kernels,
          { dout: dy, a, b, da, db, dbias },
          { form, M, N, K, batch },
          {
            counters,
            group: counters.group('g0'),
            groups: { db: counters.group('g1'), dbias: counters.group('g2') },
          },
        ),
      [da, db, dbias],
    );
    return outcome(`backward ${describe(c)} (${got.ms.toFixed(1)} ms)`, [
      compareOutput('dA', format, got.words[0], want.da, scale.da as Float64Array),
      compareOutput('dB', format, got.words[1], want.db, scale.db as Float64Array),
      compareOutput('dbias (exact)', format, got.words[2], want.dbias, null, true),
      compareCounts(got.counts, [
        cpuCounts(format, pre.da),
        cpuCounts(format, pre.db),
        cpuCounts(format, pre.dbias),
      ]),
    ]);
  });
}

/**
 * fp16 inputs spread over magnitudes so that outputs overflow (|x| >= 65520), turn subnormal
 * and underflow: row i of A scaled by 2^sA_i, column j of op(B) by 2^sB_j, both from -15 to 10,
 * so products run from 2^-30 to 2^20. Every f32 intermediate stays normal (no reliance on the
 * device keeping f32 subnormals). Fails if the CPU counts miss one of the three events.
 */
export async function checkEvents(env: SelfTestEnv, c: PlainCase): Promise<Outcome> {
  const x = uniformInputs(c);
  const { M, N, K, form } = c;
  const a = new Float32Array(x.a.length);
  const b = new Float32Array(x.b.length);
  const store = storagePolicy(c.format).store;
  for (let q = 0; q < c.batch; q++) {
    for (let i = 0; i < M; i++) {
      for (let k = 0; k < K; k++) {
        const at = q * M * K + (form === 'TN' ? k * M + i : i * K + k);
        a[at] = store(x.a[at] * binadeSpread(i, M));
      }
    }
    for (let j = 0; j < N; j++) {
      for (let k = 0; k < K; k++) {
        const at = q * K * N + (form === 'NT' ? j * K + k : k * N + j);
        b[at] = store(x.b[at] * binadeSpread(j, N));
      }
    }
  }
  const bias = x.bias.map((v) => store(v * 2 ** -18));
  const result = await checkForward(env, c, { a, b, bias });
  const exercised = everyEvent(addCounts(result.cpu[0], result.cpu[1]));
  return {
    pass: result.pass && exercised,
    detail:
      (exercised ? '' : 'the inputs did not produce overflow, underflow and subnormal results; ') +
      `events ${c.counting ?? 'default'} counting: ${result.detail}`,
  };
}
