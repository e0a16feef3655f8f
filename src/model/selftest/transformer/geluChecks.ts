/**
 * GELU kernels against src/model/reference/gelu.ts, on normal inputs plus the edges: 0, tiny,
 * and |x| large enough that tanh saturates and cosh^2 overflows (sech^2 = 0).
 */
import type { FormatName } from '../../../numerics';
import {
  compileGelu,
  recordGeluBackward,
  recordGeluForward,
} from '../../../gpu/kernels/transformer';
import { geluBackward, geluForward } from '../../reference';
import {
  EPS32,
  compare,
  countingPolicy,
  eventsMatch,
  inexact,
  input,
  outcome,
  output,
  paddingIsZero,
  readValues,
  runCounted,
  stored,
  type Harness,
  type Outcome,
  type Rng,
} from './harness';

const EDGES = [0, -0, 1e-6, -1e-6, 0.5, -0.5, 3, -3, 5.5, -5.5, 9, -9, 30, -30, 120, -120];

const TOLERANCE =
  'WGSL tanh and cosh are not correctly rounded (the reference rounds Math.tanh / Math.cosh ' +
  'once) and gelu cancels (1 + tanh u for u << 0; the two backward terms near x = -0.75): each ' +
  'element may carry 8 f32 ulps of its terms (allowance), then 2 ulp (fp32) or 1 ulp (16-bit: a ' +
  'rounding that flips at a tie) of the result. dinp event counts may also differ where sech^2 ' +
  'is an f32 subnormal, which a GPU may flush to 0.';

/** Magnitudes of the terms gelu sums, in double: 8 f32 ulps of them is the allowance. Also the
 * number of inputs whose f32 sech^2 u is subnormal (cosh u in [2^63, 2^64), 44.4 < |u| < 45.1,
 * x near -10.1): a GPU that flushes f32 subnormals (SwiftShader does) computes gelu'(x) = 0
 * there where the reference has ~1e-37, which an fp16 store counts as an underflow. */
function allowances(
  inp: Float32Array,
  dout: Float32Array,
): { fwd: Float64Array; bwd: Float64Array; subnormalSech2: number } {
  const s = Math.sqrt(2 / Math.PI);
  const fwd = new Float64Array(inp.length);
  const bwd = new Float64Array(inp.length);
  let subnormalSech2 = 0;
  inp.forEach((x, i) => {
    const u = s * (x + 0.044715 * x * x * x);
    const th = Math.abs(Math.tanh(u));
    const sech2 = 1 / Math.cosh(u) ** 2;
    if (Math.cosh(u) >= 2 ** 63 && Math.cosh(u) < 2 ** 64) subnormalSech2++;
    fwd[i] = 8 * EPS32 * Math.abs(0.5 * x) * (1 + th);
    const right = Math.abs(0.5 * x * sech2 * s * (1 + 3 * 0.044715 * x * x));
    bwd[i] = 8 * EPS32 * (0.5 * (1 + th) + right) * Math.abs(dout[i]);
  });
  return { fwd, bwd, subnormalSech2 };
}

/** n values of x evenly over [-12, 12]: every regime of tanh and sech^2 (the reference's
 * cancellations included), not only where random normals fall. */
const sweep = (n: number) => Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));

export async function checkGelu(
  h: Harness,
  format: FormatName,
  rng: Rng,
  n: number,
  dense = false,
): Promise<Outcome> {
  const xs = dense ? sweep(n) : [...EDGES, ...rng.normals(n - EDGES.length, 2)];
  const inp = stored(format, xs);
  const dout = stored(format, rng.normals(n));
  const fwd = countingPolicy(format);
  const wantOut = fwd.p.alloc(n);
  geluForward(fwd.p, wantOut, inp);
  const bwd = countingPolicy(format);
  const wantDinp = bwd.p.alloc(n);
  geluBackward(bwd.p, wantDinp, inp, dout);

  const k = await compileGelu(h.env.ctx, h.env.cache, { storage: format });
  const gInp = input(h, format, [n], inp, 'inp');
  const gDout = input(h, format, [n], dout, 'dout');
  const gOut = output(h, format, [n], 'out');
  const gDinp = output(h, format, [n], 'dinp');
  const counting = { counters: h.counters, group: 0 };
  const ran = await runCounted(h, (enc) =>
    recordGeluForward(enc, k, { out: gOut, inp: gInp }, counting),
  );
  const back = await runCounted(h, (enc) =>
    recordGeluBackward(enc, k, { dinp: gDinp, inp: gInp, dout: gDout }, counting),
  );
  const allow = allowances(inp, dout);
  const ulps = format === 'fp32' ? 2 : 1;
  const cmp = [
    compare('out', format, await readValues(h, gOut), wantOut, { ulps, allowance: allow.fwd }),
    compare('dinp', format, await readValues(h, gDinp), wantDinp, { ulps, allowance: allow.bwd }),
  ];
  return outcome(
    cmp,
    [
      {
        ok: (await paddingIsZero(h, gOut)) && (await paddingIsZero(h, gDinp)),
        text: 'padding lanes zero',
      },
      eventsMatch('out', ran.act, fwd.events, inexact(cmp[0])),
      eventsMatch('dinp', back.act, bwd.events, inexact(cmp[1]) + allow.subnormalSech2),
    ],
    ran.ms + back.ms,
    rng.seed,
    TOLERANCE,
  );
}
