/**
 * Grouped (per-expert) linear layer over variable-length segments: expert e multiplies only the
 * grouped rows [offsets[e], offsets[e+1]) by its own weight, in the NT (linear) layout:
 *   out[r] (N) = inp[r] (K) · w[e]^T (N,K) + bias[e] (N).
 * Precision: exactly the matmul's (matmul.ts), segment by segment. An empty segment writes no
 * rows, and its weight and bias gradients are 0.
 */
import { matmulBackward, matmulForward } from './matmul';
import type { Buf, Precision } from './precision';

/** out (R,N) from inp (R,K), w (E,N,K), bias (E,N) or null, offsets (E+1). */
export function groupedMatmulForward(
  p: Precision,
  out: Buf,
  inp: Buf,
  w: Buf,
  bias: Buf | null,
  offsets: Int32Array,
  E: number,
  N: number,
  K: number,
): void {
  for (let e = 0; e < E; e++) {
    const r0 = offsets[e];
    const rows = offsets[e + 1] - r0;
    if (rows === 0) continue;
    matmulForward(
      p,
      'NT',
      out.subarray(r0 * N, (r0 + rows) * N),
      inp.subarray(r0 * K, (r0 + rows) * K),
      w.subarray(e * N * K, (e + 1) * N * K),
      bias === null ? null : bias.subarray(e * N, (e + 1) * N),
      rows,
      N,
      K,
    );
  }
}

/**
 * dinp (R,K), dw (E,N,K), dbias (E,N) overwritten (each may be null) from dout (R,N).
 * dinp[r] = dout[r] · w[e]; dw[e] = dout_e^T · inp_e; dbias[e] = column sums of dout_e.
 */
export function groupedMatmulBackward(
  p: Precision,
  dinp: Buf | null,
  dw: Buf | null,
  dbias: Buf | null,
  dout: Buf,
  inp: Buf,
  w: Buf,
  offsets: Int32Array,
  E: number,
  N: number,
  K: number,
): void {
  for (let e = 0; e < E; e++) {
    const r0 = offsets[e];
    const rows = offsets[e + 1] - r0;
    const dwe = dw === null ? null : dw.subarray(e * N * K, (e + 1) * N * K);
    const dbe = dbias === null ? null : dbias.subarray(e * N, (e + 1) * N);
    if (rows === 0) {
      dwe?.fill(0);
      dbe?.fill(0);
      continue;
    }
    matmulBackward(
      p,
      'NT',
      dinp === null ? null : dinp.subarray(r0 * K, (r0 + rows) * K),
      dwe,
      dbe,
      dout.subarray(r0 * N, (r0 + rows) * N),
      inp.subarray(r0 * K, (r0 + rows) * K),
      w.subarray(e * N * K, (e + 1) * N * K),
      rows,
      N,
      K,
    );
  }
}
