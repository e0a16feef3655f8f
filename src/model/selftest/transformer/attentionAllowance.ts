/**
 * What an attention output may honestly differ by when an input the GPU computed itself (att in
 * the forward; datt and dpreatt in the backward) differs from the reference's: sum over the
 * terms of |input difference| * |other factor|, plus T f32 ulps of the terms' magnitude for the
 * partial sums that then round differently. Zero wherever the inputs agree bit for bit.
 * Shapes as the reference: qkv (B,T,3C), dout (B,T,C), the rest (B,H,T,T).
 */
import { EPS32 } from './harness';

export interface Dims {
  B: number;
  T: number;
  C: number;
  H: number;
}

type Arr = ArrayLike<number>;

/** out (B,T,C) from the GPU's att vs the reference's. */
export function outAllowance(d: Dims, attGpu: Arr, attRef: Arr, qkv: Arr): Float64Array {
  const { B, T, C, H } = d;
  const hd = C / H;
  const allow = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++) {
        const row = ((b * H + Math.floor(c / hd)) * T + t) * T;
        let inherited = 0;
        let terms = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const v = Math.abs(qkv[(b * T + t2) * 3 * C + 2 * C + c]);
          inherited += Math.abs(attGpu[row + t2] - attRef[row + t2]) * v;
          terms += Math.abs(attRef[row + t2]) * v;
        }
        allow[(b * T + t) * C + c] = inherited > 0 ? inherited + T * EPS32 * terms : 0;
      }
  return allow;
}

/** dpreatt (B,H,T,T) = att * (datt - sum(att * datt)) * scale, from the GPU's datt. */
export function dpreattAllowance(d: Dims, dattGpu: Arr, dattRef: Arr, att: Arr): Float64Array {
  const { B, T, C, H } = d;
  const scale = 1 / Math.sqrt(C / H);
  const allow = new Float64Array(B * H * T * T);
  for (let r = 0; r < B * H * T; r++) {
    const t = r % T;
    let dotErr = 0;
    for (let t2 = 0; t2 <= t; t2++)
      dotErr += Math.abs(att[r * T + t2]) * Math.abs(dattGpu[r * T + t2] - dattRef[r * T + t2]);
    for (let t2 = 0; t2 <= t; t2++) {
      const i = r * T + t2;
      const e = Math.abs(att[i]) * (Math.abs(dattGpu[i] - dattRef[i]) + dotErr) * scale;
      allow[i] = e > 0 ? e * (1 + T * EPS32) : 0;
    }
  }
  return allow;
}

/** dqkv (B,T,3C) from the GPU's dpreatt (dq, dk); dv reads att and dout only. */
export function dqkvAllowance(d: Dims, dpGpu: Arr, dpRef: Arr, qkv: Arr): Float64Array {
  const { B, T, C, H } = d;
  const hd = C / H;
  const C3 = 3 * C;
  const allow = new Float64Array(B * T * C3);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++) {
        const bh = (b * H + Math.floor(c / hd)) * T * T;
        let dq = 0;
        let dqTerms = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const k = Math.abs(qkv[(b * T + t2) * C3 + C + c]);
          dq += Math.abs(dpGpu[bh + t * T + t2] - dpRef[bh + t * T + t2]) * k;
          dqTerms += Math.abs(dpRef[bh + t * T + t2]) * k;
        }
        let dk = 0;
        let dkTerms = 0;
        for (let t1 = t; t1 < T; t1++) {
          const q = Math.abs(qkv[(b * T + t1) * C3 + c]);
          dk += Math.abs(dpGpu[bh + t1 * T + t] - dpRef[bh + t1 * T + t]) * q;
          dkTerms += Math.abs(dpRef[bh + t1 * T + t]) * q;
        }
        const o = (b * T + t) * C3 + c;
        allow[o] = dq > 0 ? dq + T * EPS32 * dqTerms : 0;
        allow[o + C] = dk > 0 ? dk + T * EPS32 * dkTerms : 0;
      }
  return allow;
}
