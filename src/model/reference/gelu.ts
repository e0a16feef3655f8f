/**
 * GELU, tanh approximation (GPT-2): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 *
 * Precision: f32 arithmetic, left to right as written in llm.c, each op rounded:
 *   cube = round(round(round(0.044715 * x) * x) * x), u = round(s * round(x + cube)),
 *   out = store(round(round(0.5 * x) * round(1 + round(tanh(u))))), s = round(sqrt(2/pi)).
 * The output feeds a matmul, so it is stored. Backward (llm.c form, sech^2 = 1/cosh^2, which
 * underflows to 0 rather than cancelling for large |u|):
 *   grad = round(round(0.5 * round(1 + tanh u)) + round(round(round(0.5 * x) * sech2) * round(s *
 *   round(1 + round(round(3 * 0.044715) * round(x * x)))))), dinp = store(round(grad * dout)).
 */
import type { Buf, Precision } from './precision';

const GELU_SCALE = Math.sqrt(2 / Math.PI);
const CUBE = 0.044715;

/** out (N) = gelu(inp (N)), elementwise. */
export function geluForward(p: Precision, out: Buf, inp: Buf, n: number = inp.length): void {
  const r = p.round;
  const s = r(GELU_SCALE);
  const c = r(CUBE);
  for (let i = 0; i < n; i++) {
    const x = inp[i];
    const cube = r(r(r(c * x) * x) * x);
    const u = r(s * r(x + cube));
    out[i] = p.store(r(r(0.5 * x) * r(1 + r(Math.tanh(u)))));
  }
}

/** dinp (N) = gelu'(inp) * dout, overwritten. */
export function geluBackward(
  p: Precision,
  dinp: Buf,
  inp: Buf,
  dout: Buf,
  n: number = inp.length,
): void {
  const r = p.round;
  const s = r(GELU_SCALE);
  const c = r(CUBE);
  const c3 = r(3 * CUBE);
  for (let i = 0; i < n; i++) {
    const x = inp[i];
    const cube = r(r(r(c * x) * x) * x);
    const u = r(s * r(x + cube));
    const th = r(Math.tanh(u));
    const ch = r(Math.cosh(u));
    const sech2 = r(1 / r(ch * ch));
    const left = r(0.5 * r(1 + th));
    const right = r(r(r(0.5 * x) * sech2) * r(s * r(1 + r(c3 * r(x * x)))));
    dinp[i] = p.store(r(r(left + right) * dout[i]));
  }
}
