/**
 * Token + learned position embedding (GPT-2).
 *
 * Precision: the tables are f32 (embeddings are not autocast); the sum is one f32 add and the
 * result, the residual stream, is written in the storage format: out = store(round(wte + wpe)).
 * Backward: scatter-add into f32 table gradients, in fixed (b, t) ascending order.
 */
import type { Buf, Precision } from './precision';

/**
 * out (B,T,C) = wte[tokens[b,t]] + wpe[t].
 * tokens (B,T) ids in [0, V); wte (V,C); wpe (maxT,C), maxT >= T.
 */
export function encoderForward(
  p: Precision,
  out: Buf,
  tokens: Int32Array,
  wte: Buf,
  wpe: Buf,
  B: number,
  T: number,
  C: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * C;
      const tok = tokens[b * T + t];
      const we = tok * C;
      const pe = t * C;
      for (let i = 0; i < C; i++) out[o + i] = p.store(p.round(wte[we + i] + wpe[pe + i]));
    }
  }
}

/**
 * Overwrites dwte (V,C) and dwpe (maxT,C) with the gradients from dout (B,T,C):
 * dwte[tok] = sum of dout over the positions holding tok, dwpe[t] = sum over b of dout[b,t].
 * Sums in f32, in (b, t) ascending order, so a token seen twice accumulates deterministically.
 */
export function encoderBackward(
  p: Precision,
  dwte: Buf,
  dwpe: Buf,
  dout: Buf,
  tokens: Int32Array,
  B: number,
  T: number,
  C: number,
): void {
  dwte.fill(0);
  dwpe.fill(0);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const d = (b * T + t) * C;
      const we = tokens[b * T + t] * C;
      const pe = t * C;
      for (let i = 0; i < C; i++) {
        dwte[we + i] = p.round(dwte[we + i] + dout[d + i]);
        dwpe[pe + i] = p.round(dwpe[pe + i] + dout[d + i]);
      }
    }
  }
}
