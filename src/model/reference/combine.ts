/**
 * Weighted combine of expert outputs back into token order: y[t] = sum_s gate[t,s] * eo[rowOf[t,s]].
 *
 * Precision: f32, slots ascending from 0: y = store(sum_s round(gate * eo)). Backward:
 * deo = store(round(gate * dy)) (an activation gradient); dgate = round(sum over channels
 * ascending of round(dy * eo)), a reduction kept in f32 for the router.
 */
import type { Buf, Precision } from './precision';

/** out (N,C) from expertOut (R,C), gates (N,k), rowOf (N,k); R = N*k. */
export function combineForward(
  p: Precision,
  out: Buf,
  expertOut: Buf,
  gates: Buf,
  rowOf: Int32Array,
  N: number,
  k: number,
  C: number,
): void {
  const r = p.round;
  for (let t = 0; t < N; t++) {
    const o = t * C;
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let s = 0; s < k; s++)
        acc = r(acc + r(gates[t * k + s] * expertOut[rowOf[t * k + s] * C + c]));
      out[o + c] = p.store(acc);
    }
  }
}

/** dexpertOut (R,C) and dgates (N,k) overwritten from dout (N,C). */
export function combineBackward(
  p: Precision,
  dexpertOut: Buf,
  dgates: Buf,
  dout: Buf,
  expertOut: Buf,
  gates: Buf,
  rowOf: Int32Array,
  N: number,
  k: number,
  C: number,
): void {
  const r = p.round;
  for (let t = 0; t < N; t++) {
    const o = t * C;
    for (let s = 0; s < k; s++) {
      const g = gates[t * k + s];
      const row = rowOf[t * k + s] * C;
      let dg = 0;
      for (let c = 0; c < C; c++) {
        dexpertOut[row + c] = p.store(r(g * dout[o + c]));
        dg = r(dg + r(dout[o + c] * expertOut[row + c]));
      }
      dgates[t * k + s] = dg;
    }
  }
}
