import { describe, expect, it } from 'vitest';
import { encoderBackward, encoderForward } from './embedding';
import { checkGradient, dot, isBf16Value, randomArray } from './gradCheck';
import { F64, storagePolicy } from './precision';

const [B, T, C, V] = [2, 3, 4, 5];
// Token 2 appears three times, so its gradient is a sum; token 4 never, so its gradient is 0.
const tokens = new Int32Array([2, 0, 2, 1, 2, 3]);

describe('token + position embedding', () => {
  it('forward is wte[token] + wpe[t]', () => {
    const wte = randomArray(V * C, 1);
    const wpe = randomArray(T * C, 2);
    const out = new Float64Array(B * T * C);
    encoderForward(F64, out, tokens, wte, wpe, B, T, C);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let i = 0; i < C; i++)
          expect(out[(b * T + t) * C + i]).toBe(wte[tokens[b * T + t] * C + i] + wpe[t * C + i]);
  });

  it('backward: scatter-add by central differences (f64, rel < 1e-5); unused rows get 0', () => {
    const wte = randomArray(V * C, 3);
    const wpe = randomArray(T * C, 4);
    const dout = randomArray(B * T * C, 5);
    const out = new Float64Array(B * T * C);
    const dwte = new Float64Array(V * C).fill(9); // stale values must be overwritten
    const dwpe = new Float64Array(T * C).fill(9);
    encoderBackward(F64, dwte, dwpe, dout, tokens, B, T, C);
    const loss = () => (encoderForward(F64, out, tokens, wte, wpe, B, T, C), dot(dout, out));
    expect(checkGradient(loss, wte, dwte).maxRelError).toBeLessThan(1e-5);
    expect(checkGradient(loss, wpe, dwpe).maxRelError).toBeLessThan(1e-5);
    for (let i = 0; i < C; i++) expect(dwte[4 * C + i]).toBe(0);
  });

  it('bf16 storage: the residual stream is written in bf16, table gradients stay f32', () => {
    const p = storagePolicy('bf16');
    const out = new Float32Array(B * T * C);
    encoderForward(
      p,
      out,
      tokens,
      new Float32Array(randomArray(V * C, 6)),
      new Float32Array(randomArray(T * C, 7)),
      B,
      T,
      C,
    );
    for (const v of out) expect(isBf16Value(v)).toBe(true);
  });
});
