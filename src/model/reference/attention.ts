/**
 * Causal multi-head self-attention core (the qkv and output projections are matmuls).
 * qkv (B,T,3C) holds q | k | v along the last axis (llm.c layout); head h owns channels
 * [h*hd, (h+1)*hd) of each, hd = C/H.
 *
 * Precision (autocast: q·k and att·v are matmuls, softmax is f32):
 *   scale = round(1/sqrt(hd)); dot = f32 sum over i ascending of round(q_i * k_i);
 *   preatt = store(round(dot * scale))                              (B,H,T,T), t2 <= t only
 *   softmax over t2 <= t in f32 on the stored preatt: e = round(exp(round(s - max))),
 *   sum ascending, att = store(round(e / sum))                      (masked entries are 0)
 *   out_i = store(f32 sum over t2 ascending of round(att * v_i))
 * Backward, same rules: datt = store(sum_i round(dout_i * v_i)); the softmax backward in f32,
 * folded with the scale, gives dpreatt = store(round(round(att * round(datt - sum_t2(att*datt)))
 * * scale)), the gradient w.r.t. the unscaled dot q·k; dq, dk, dv are store(f32 sums over
 * t2 / t ascending).
 */
import type { Buf, Precision } from './precision';

/**
 * out (B,T,C) = softmax(mask(q·k^T * scale)) · v per head.
 * preatt (B,H,T,T) scaled scores, att (B,H,T,T) probabilities, both saved for the backward.
 */
export function attentionForward(
  p: Precision,
  out: Buf,
  preatt: Buf,
  att: Buf,
  qkv: Buf,
  B: number,
  T: number,
  C: number,
  H: number,
): void {
  const r = p.round;
  const hd = C / H;
  const C3 = 3 * C;
  const scale = r(1 / Math.sqrt(hd));
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = (b * H + h) * T * T;
      for (let t = 0; t < T; t++) {
        const q = (b * T + t) * C3 + h * hd;
        const row = bh + t * T;
        let max = -Infinity;
        for (let t2 = 0; t2 <= t; t2++) {
          const k = (b * T + t2) * C3 + C + h * hd;
          let dot = 0;
          for (let i = 0; i < hd; i++) dot = r(dot + r(qkv[q + i] * qkv[k + i]));
          const s = p.store(r(dot * scale));
          preatt[row + t2] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const e = r(Math.exp(r(preatt[row + t2] - max)));
          att[row + t2] = e; // unnormalised for a moment; f32 value, exact in any Buf
          sum = r(sum + e);
        }
        for (let t2 = 0; t2 <= t; t2++) att[row + t2] = p.store(r(att[row + t2] / sum));
        for (let t2 = t + 1; t2 < T; t2++) {
          preatt[row + t2] = 0;
          att[row + t2] = 0;
        }
        const o = (b * T + t) * C + h * hd;
        for (let i = 0; i < hd; i++) {
          let acc = 0;
          for (let t2 = 0; t2 <= t; t2++) {
            const v = (b * T + t2) * C3 + 2 * C + h * hd;
            acc = r(acc + r(att[row + t2] * qkv[v + i]));
          }
          out[o + i] = p.store(acc);
        }
      }
    }
  }
}

/**
 * dqkv (B,T,3C) overwritten; datt (B,H,T,T) and dpreatt (B,H,T,T) are scratch outputs
 * (dpreatt: gradient w.r.t. the unscaled dot products). dout (B,T,C); qkv, att from the forward.
 */
export function attentionBackward(
  p: Precision,
  dqkv: Buf,
  dpreatt: Buf,
  datt: Buf,
  dout: Buf,
  qkv: Buf,
  att: Buf,
  B: number,
  T: number,
  C: number,
  H: number,
): void {
  const r = p.round;
  const hd = C / H;
  const C3 = 3 * C;
  const scale = r(1 / Math.sqrt(hd));
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = (b * H + h) * T * T;
      const qOff = (t: number): number => (b * T + t) * C3 + h * hd;
      const dOff = (t: number): number => (b * T + t) * C + h * hd;
      // datt and the softmax backward, row by row.
      for (let t = 0; t < T; t++) {
        const row = bh + t * T;
        const d = dOff(t);
        let dot = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const v = qOff(t2) + 2 * C;
          let acc = 0;
          for (let i = 0; i < hd; i++) acc = r(acc + r(dout[d + i] * qkv[v + i]));
          const da = p.store(acc);
          datt[row + t2] = da;
          dot = r(dot + r(att[row + t2] * da));
        }
        for (let t2 = 0; t2 <= t; t2++) {
          const ds = r(att[row + t2] * r(datt[row + t2] - dot));
          dpreatt[row + t2] = p.store(r(ds * scale));
        }
        for (let t2 = t + 1; t2 < T; t2++) {
          datt[row + t2] = 0;
          dpreatt[row + t2] = 0;
        }
      }
      for (let t = 0; t < T; t++) {
        const row = bh + t * T;
        const q = qOff(t);
        // dq[t] = sum over t2 <= t of dpreatt[t,t2] * k[t2]
        for (let i = 0; i < hd; i++) {
          let acc = 0;
          for (let t2 = 0; t2 <= t; t2++)
            acc = r(acc + r(dpreatt[row + t2] * qkv[qOff(t2) + C + i]));
          dqkv[q + i] = p.store(acc);
        }
        // dk[t] = sum over t' >= t of dpreatt[t',t] * q[t'];  dv[t] = sum over t' >= t of att[t',t] * dout[t']
        for (let i = 0; i < hd; i++) {
          let accK = 0;
          let accV = 0;
          for (let t1 = t; t1 < T; t1++) {
            const e = bh + t1 * T + t;
            accK = r(accK + r(dpreatt[e] * qkv[qOff(t1) + i]));
            accV = r(accV + r(att[e] * dout[dOff(t1) + i]));
          }
          dqkv[q + C + i] = p.store(accK);
          dqkv[q + 2 * C + i] = p.store(accV);
        }
      }
    }
  }
}
