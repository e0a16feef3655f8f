import { describe, expect, it } from 'vitest';
import { geluBackward, geluForward } from './gelu';
import { checkGradient, dot, isBf16Value, randomArray } from './gradCheck';
import { F32, F64, storagePolicy } from './precision';

const n = 40;

describe('GELU (tanh approximation)', () => {
  it('forward matches the GPT-2 formula in double (1e-15) and stays within 1e-3 of x*Phi(x)', () => {
    const x = randomArray(n, 1, 5);
    const out = new Float64Array(n);
    geluForward(F64, out, x);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const ref = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
      expect(out[i]).toBeCloseTo(ref, 15);
    }
    // Exact GELU at a few points where Phi is known: Phi(0)=0.5, Phi(1)=0.841344746, Phi(-2)=0.022750132.
    const pts = new Float64Array([0, 1, -2]);
    const exact = [0, 0.841344746, -2 * 0.022750132];
    const y = new Float64Array(3);
    geluForward(F64, y, pts);
    for (let i = 0; i < 3; i++) expect(Math.abs(y[i] - exact[i])).toBeLessThan(1e-3);
  });

  it('backward by central differences (f64, rel < 1e-5), including large |x|', () => {
    const x = randomArray(n, 2, 4);
    x[0] = 30;
    x[1] = -30;
    const dout = randomArray(n, 3);
    const out = new Float64Array(n);
    const dx = new Float64Array(n);
    geluBackward(F64, dx, x, dout);
    const res = checkGradient(() => (geluForward(F64, out, x), dot(dout, out)), x, dx);
    expect(res.maxRelError).toBeLessThan(1e-5);
  });

  it('F32 equals the Math.fround chain and differs from f64 somewhere', () => {
    const x = new Float32Array(randomArray(n, 4, 3));
    const o32 = new Float32Array(n);
    const o64 = new Float64Array(n);
    geluForward(F32, o32, x);
    geluForward(F64, o64, x);
    const f = Math.fround;
    const s = f(Math.sqrt(2 / Math.PI));
    const c = f(0.044715);
    let differs = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const u = f(s * f(v + f(f(f(c * v) * v) * v)));
      const ref = f(f(0.5 * v) * f(1 + f(Math.tanh(u))));
      expect(o32[i]).toBe(ref);
      if (o64[i] !== ref) differs++;
    }
    expect(differs).toBeGreaterThan(0);
  });

  it('bf16 storage: outputs and gradients are bf16 values', () => {
    const p = storagePolicy('bf16');
    const x = new Float32Array(randomArray(n, 5, 3).map(p.store));
    const out = new Float32Array(n);
    const dx = new Float32Array(n);
    geluForward(p, out, x);
    geluBackward(p, dx, x, new Float32Array(randomArray(n, 6).map(p.store)));
    for (const v of [...out, ...dx]) expect(isBf16Value(v)).toBe(true);
  });
});
