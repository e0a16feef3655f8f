/**
 * Layer norm kernels against src/model/reference/layerNorm.ts. The backward is fed the
 * reference's mean and rstd, so each direction is checked on its own.
 */
import type { FormatName } from '../../../numerics';
import {
  compileLayerNorm,
  layerNormScratchLength,
  recordLayerNormBackward,
  recordLayerNormForward,
} from '../../../gpu/kernels/transformer';
import { layerNormBackward, layerNormForward } from '../../reference';
import {
  compare,
  countingPolicy,
  eventsMatch,
  f32,
  identicalWords,
  inexact,
  input,
  noEvents,
  outcome,
  output,
  paddingIsZero,
  readValues,
  readWords,
  runCounted,
  runOnGpu,
  stored,
  type Harness,
  type Outcome,
  type Rng,
} from './harness';

const TOLERANCE =
  'f32 mean/rstd 8 ulp: WGSL division and sqrt need not be correctly rounded (2.5 ulp each); ' +
  'stored outputs 1 ulp of the format: a last-bit f32 difference in rstd can move a 16-bit ' +
  'rounding across a tie; dinp and dweight/dbias add terms that cancel, so their error scale ' +
  'is floored at 2^-10 of the largest value (fp32: 64 ulp = 7.6e-6 relative).';

export async function checkLayerNorm(
  h: Harness,
  format: FormatName,
  rng: Rng,
  N: number,
  C: number,
  packedParams = false,
): Promise<Outcome> {
  const params = packedParams ? format : 'fp32';
  const inp = stored(
    format,
    rng.normals(N * C, 2).map((x, i) => x + (i % 3) * 0.5),
  );
  const weight = stored(
    params,
    Array.from({ length: C }, () => 1 + rng.normal(0.2)),
  );
  const bias = stored(params, rng.normals(C, 0.2));
  const dout = stored(format, rng.normals(N * C));
  const dinp0 = stored(format, rng.normals(N * C, 0.5));

  const fwd = countingPolicy(format);
  const wantOut = fwd.p.alloc(N * C);
  const wantMean = fwd.p.alloc(N);
  const wantRstd = fwd.p.alloc(N);
  layerNormForward(fwd.p, wantOut, wantMean, wantRstd, inp, weight, bias, N, C);
  const bwd = countingPolicy(format);
  const wantDinp = Float32Array.from(dinp0);
  const wantDw = bwd.p.alloc(C);
  const wantDb = bwd.p.alloc(C);
  layerNormBackward(bwd.p, wantDinp, wantDw, wantDb, dout, inp, weight, wantMean, wantRstd, N, C);

  const k = await compileLayerNorm(h.env.ctx, h.env.cache, { storage: format, params });
  const gInp = input(h, format, [N, C], inp, 'inp');
  const gW = input(h, params, [C], weight, 'weight');
  const gB = input(h, params, [C], bias, 'bias');
  const gOut = output(h, format, [N, C], 'out');
  const gMean = f32(h, N, 'mean');
  const gRstd = f32(h, N, 'rstd');
  const counting = { counters: h.counters, group: 0, paramGroup: 1 };
  const sizes = { N, C };
  const ran = await runCounted(h, (enc) =>
    recordLayerNormForward(
      enc,
      k,
      { out: gOut, mean: gMean, rstd: gRstd, inp: gInp, weight: gW, bias: gB },
      sizes,
      counting,
    ),
  );

  const backward = {
    dinp: input(h, format, [N, C], dinp0, 'dinp'),
    dweight: output(h, 'fp32', [C], 'dweight'),
    dbias: output(h, 'fp32', [C], 'dbias'),
    dout: input(h, format, [N, C], dout, 'dout'),
    inp: gInp,
    weight: gW,
    mean: f32(h, N, 'ref mean', wantMean),
    rstd: f32(h, N, 'ref rstd', wantRstd),
    scratch: f32(h, layerNormScratchLength(N), 'scratch'),
  };
  const back = await runCounted(h, (enc) =>
    recordLayerNormBackward(enc, k, backward, sizes, counting),
  );
  const dwWords = await readWords(h, backward.dweight);

  const cmp = [
    compare('mean', 'fp32', await readValues(h, gMean), wantMean, { ulps: 8 }),
    compare('rstd', 'fp32', await readValues(h, gRstd), wantRstd, { ulps: 8 }),
    compare('out', format, await readValues(h, gOut), wantOut, { ulps: 1 }),
    compare('dinp', format, await readValues(h, backward.dinp), wantDinp, {
      ulps: format === 'fp32' ? 64 : 1,
      floorFrac: 2 ** -10,
    }),
    compare('dweight', 'fp32', await readValues(h, backward.dweight), wantDw, {
      ulps: 64,
      floorFrac: 2 ** -10,
    }),
    compare('dbias', 'fp32', await readValues(h, backward.dbias), wantDb, {
      ulps: 64,
      floorFrac: 2 ** -10,
    }),
  ];
  // Determinism of the parameter reductions: run the backward again on a fresh dinp.
  backward.dinp = input(h, format, [N, C], dinp0, 'dinp again');
  await runOnGpu(h, (enc) => recordLayerNormBackward(enc, k, backward, sizes, counting));
  return outcome(
    cmp,
    [
      { ok: await paddingIsZero(h, gOut), text: 'padding lanes zero' },
      eventsMatch('out', ran.act, fwd.events, inexact(cmp[2])),
      eventsMatch('dinp', back.act, bwd.events, inexact(cmp[3])),
      eventsMatch('dweight/dbias', back.param, noEvents()),
      {
        ok: await identicalWords(h, backward.dweight, dwWords),
        text: 'dweight repeated bit-identical',
      },
    ],
    ran.ms + back.ms,
    rng.seed,
    TOLERANCE,
  );
}
