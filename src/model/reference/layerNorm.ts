/**
 * Layer norm over the last dimension, affine, eps 1e-5 (GPT-2).
 *
 * Precision: statistics and normalisation in f32 (layer norm is on autocast's f32 list); mean and
 * rstd are kept in f32; the output feeds a matmul so it is written in the storage format.
 *   mean = round(sum_i x_i / C), var = round(sum_i round((x_i - mean)^2) / C) (sums ascending),
 *   rstd = round(1 / round(sqrt(round(var + eps)))),
 *   out_i = store(round(round(round((x_i - mean) * rstd) * w_i) + b_i)).
 * Backward (llm.c): dweight, dbias are f32 sums over rows ascending; dinp ADDS into the residual
 * gradient: dinp = store(round(dinp + dx)).
 */
import type { Buf, Precision } from './precision';

export const LAYER_NORM_EPS = 1e-5;

/**
 * out (N,C) = (inp - mean) * rstd * weight + bias, row by row.
 * mean (N), rstd (N) saved for the backward; inp (N,C); weight (C); bias (C). N = B*T.
 */
export function layerNormForward(
  p: Precision,
  out: Buf,
  mean: Buf,
  rstd: Buf,
  inp: Buf,
  weight: Buf,
  bias: Buf,
  N: number,
  C: number,
): void {
  const r = p.round;
  const eps = r(LAYER_NORM_EPS);
  for (let n = 0; n < N; n++) {
    const x = n * C;
    let sum = 0;
    for (let i = 0; i < C; i++) sum = r(sum + inp[x + i]);
    const m = r(sum / C);
    let ss = 0;
    for (let i = 0; i < C; i++) {
      const dx = r(inp[x + i] - m);
      ss = r(ss + r(dx * dx));
    }
    const variance = r(ss / C);
    const s = r(1 / r(Math.sqrt(r(variance + eps))));
    for (let i = 0; i < C; i++) {
      const norm = r(r(inp[x + i] - m) * s);
      out[x + i] = p.store(r(r(norm * weight[i]) + bias[i]));
    }
    mean[n] = m;
    rstd[n] = s;
  }
}

/**
 * dinp (N,C) += gradient w.r.t. inp (stored); dweight (C), dbias (C) overwritten.
 * dout (N,C); inp (N,C); weight (C); mean, rstd (N) from the forward.
 */
export function layerNormBackward(
  p: Precision,
  dinp: Buf,
  dweight: Buf,
  dbias: Buf,
  dout: Buf,
  inp: Buf,
  weight: Buf,
  mean: Buf,
  rstd: Buf,
  N: number,
  C: number,
): void {
  const r = p.round;
  dweight.fill(0, 0, C);
  dbias.fill(0, 0, C);
  for (let n = 0; n < N; n++) {
    const x = n * C;
    const m = mean[n];
    const s = rstd[n];
    // Two reductions over the row: mean of dnorm and mean of dnorm * norm.
    let dnormSum = 0;
    let dnormNormSum = 0;
    for (let i = 0; i < C; i++) {
      const norm = r(r(inp[x + i] - m) * s);
      const dnorm = r(weight[i] * dout[x + i]);
      dnormSum = r(dnormSum + dnorm);
      dnormNormSum = r(dnormNormSum + r(dnorm * norm));
    }
    const dnormMean = r(dnormSum / C);
    const dnormNormMean = r(dnormNormSum / C);
    for (let i = 0; i < C; i++) {
      const norm = r(r(inp[x + i] - m) * s);
      const dnorm = r(weight[i] * dout[x + i]);
      dbias[i] = r(dbias[i] + dout[x + i]);
      dweight[i] = r(dweight[i] + r(norm * dout[x + i]));
      const dval = r(r(r(dnorm - dnormMean) - r(norm * dnormNormMean)) * s);
      dinp[x + i] = p.store(r(dinp[x + i] + dval));
    }
  }
}
