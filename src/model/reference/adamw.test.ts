import { describe, expect, it } from 'vitest';
import { adamwStep, adamwStepPure } from './adamw';
import { isBf16Value } from './gradCheck';
import { F32, F64 } from './precision';

describe('AdamW (PyTorch semantics)', () => {
  it('first step by hand: p=1, g=0.5, lr=0.1, wd=0.01 -> 0.999 - 0.1*0.5/(0.5+1e-8)', () => {
    const p = new Float64Array([1]);
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    adamwStep(F64, p, new Float64Array([0.5]), m, v, 1, { lr: 0.1, weightDecay: 0.01 });
    // m = 0.1*0.5 = 0.05, v = 0.001*0.25; bias corrections 0.1 and 0.001 give mhat = 0.5, sqrt(vhat) = 0.5.
    expect(m[0]).toBeCloseTo(0.05, 15);
    expect(v[0]).toBeCloseTo(0.00025, 15);
    expect(p[0]).toBeCloseTo(0.899000002, 12);
  });

  it('two steps against the textbook form p(1 - lr wd) - lr mhat / (sqrt(vhat) + eps)', () => {
    const o = { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 };
    const gs = [
      [0.3, -2],
      [-0.7, 0.01],
    ];
    const p = new Float64Array([0.5, -1.5]);
    const m = new Float64Array(2);
    const v = new Float64Array(2);
    const ref = Array.from(p);
    const rm = [0, 0];
    const rv = [0, 0];
    for (let t = 1; t <= 2; t++) {
      adamwStep(F64, p, new Float64Array(gs[t - 1]), m, v, t, o);
      for (let i = 0; i < 2; i++) {
        const g = gs[t - 1][i];
        rm[i] = o.beta1 * rm[i] + (1 - o.beta1) * g;
        rv[i] = o.beta2 * rv[i] + (1 - o.beta2) * g * g;
        const mhat = rm[i] / (1 - o.beta1 ** t);
        const vhat = rv[i] / (1 - o.beta2 ** t);
        ref[i] = ref[i] * (1 - o.lr * o.weightDecay) - (o.lr * mhat) / (Math.sqrt(vhat) + o.eps);
      }
    }
    for (let i = 0; i < 2; i++) expect(p[i]).toBeCloseTo(ref[i], 14);
  });

  it('F32 keeps f32 values in weights and moments', () => {
    const p = new Float32Array([0.1, 0.2, 0.3]);
    const m = new Float32Array(3);
    const v = new Float32Array(3);
    const p64 = new Float64Array(p);
    adamwStep(F32, p, new Float32Array([1e-3, -0.5, 3]), m, v, 1, { lr: 1e-3 });
    adamwStep(
      F64,
      p64,
      new Float64Array(new Float32Array([1e-3, -0.5, 3])),
      new Float64Array(3),
      new Float64Array(3),
      1,
      { lr: 1e-3 },
    );
    for (let i = 0; i < 3; i++) expect(Math.abs(p[i] - p64[i])).toBeLessThan(1e-7);
  });

  it('rejects a step count that is not a positive integer', () => {
    const z = new Float64Array(1);
    expect(() => adamwStep(F64, z, z, z, z, 0, { lr: 1 })).toThrow(
      /step 0 is not a positive integer/,
    );
  });
});

describe('pure low-precision AdamW (bf16 weights, no master copy)', () => {
  const n = 4096;
  const setup = () => ({
    w: new Float32Array(n).fill(1),
    g: new Float32Array(n).fill(1e-3),
    m: new Float32Array(n),
    v: new Float32Array(n),
  });

  it('nearest rounding: a step of 1e-4 at w = 1 (bf16 spacing 2^-8) is lost everywhere', () => {
    const { w, g, m, v } = setup();
    const { lostUpdates } = adamwStepPure(w, g, m, v, 1, {
      lr: 1e-4,
      weightDecay: 0,
      format: 'bf16',
      rounding: 'nearest',
    });
    expect(lostUpdates).toBe(n);
    expect(w.every((x) => x === 1)).toBe(true);
    expect(m[0]).toBeCloseTo(1e-4, 10); // the moments still move
  });

  it('stochastic rounding keeps the step on average, deterministically per key', () => {
    const a = setup();
    const res = adamwStepPure(a.w, a.g, a.m, a.v, 1, {
      lr: 1e-4,
      weightDecay: 0,
      format: 'bf16',
      rounding: 'stochastic',
      key: 42,
    });
    const moved = a.w.filter((x) => x !== 1);
    expect(moved.every((x) => x === 1 - 2 ** -8)).toBe(true);
    expect(res.lostUpdates).toBe(n - moved.length);
    // P(round down) = 1e-4 / 2^-8 = 2.56%: expect about 105 of 4096 (sd about 10).
    expect(moved.length).toBeGreaterThan(60);
    expect(moved.length).toBeLessThan(150);
    const mean = a.w.reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(mean - (1 - 1e-4))).toBeLessThan(4e-5);
    const b = setup();
    adamwStepPure(b.w, b.g, b.m, b.v, 1, {
      lr: 1e-4,
      weightDecay: 0,
      format: 'bf16',
      rounding: 'stochastic',
      key: 42,
    });
    expect(Array.from(b.w)).toEqual(Array.from(a.w));
    const c = setup();
    adamwStepPure(c.w, c.g, c.m, c.v, 1, {
      lr: 1e-4,
      weightDecay: 0,
      format: 'bf16',
      rounding: 'stochastic',
      key: 43,
    });
    expect(Array.from(c.w)).not.toEqual(Array.from(a.w));
  });

  it('a large step survives and lands on a bf16 value', () => {
    const { w, g, m, v } = setup();
    const { lostUpdates } = adamwStepPure(w, g, m, v, 1, {
      lr: 0.1,
      weightDecay: 0,
      format: 'bf16',
      rounding: 'nearest',
    });
    expect(lostUpdates).toBe(0);
    expect(isBf16Value(w[0])).toBe(true);
    expect(Math.abs(w[0] - 0.9)).toBeLessThanOrEqual(2 ** -9);
  });
});
