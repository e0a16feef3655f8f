import { describe, expect, it } from 'vitest';
import { adamwStep } from './adamw';
import { checkGradient, isBf16Value, randomInts } from './gradCheck';
import { createMoeModel, moeBackward, moeForward, type MoeModel } from './moeTransformer';
import type { MoeConfig } from './parameters';
import { F32, F64, storagePolicy } from './precision';

const tiny = (topK: number): MoeConfig => ({
  vocab: 11,
  d: 8,
  layers: 1,
  heads: 2,
  experts: 4,
  topK,
  context: 4,
  batch: 2,
  balanceCoef: 0.1,
  zLossCoef: 0.01,
});
const N = 8;
const tokens = randomInts(N, 1, 11);
const targets = randomInts(N, 2, 11);

/** Smallest gap between the k-th and (k+1)-th router probability over all tokens and layers. */
function routingMargin(m: MoeModel): number {
  const { experts: E, topK: k, layers: L } = m.config;
  let margin = Infinity;
  for (let l = 0; l < L; l++) {
    const probs = m.acts.routerProbs[l];
    for (let t = 0; t < N; t++) {
      const sorted = Array.from(probs.subarray(t * E, (t + 1) * E)).sort((a, b) => b - a);
      margin = Math.min(margin, sorted[k - 1] - sorted[k]);
    }
  }
  return margin;
}

describe('MoE transformer, CPU reference', () => {
  for (const k of [1, 2]) {
    it(`k=${k}: the gradient of every parameter coordinate by central differences (f64, rel < 1e-5)`, () => {
      const m = createMoeModel(tiny(k), { main: F64 }, 5, 0.4);
      moeForward(m, tokens, targets);
      // Routing is piecewise constant: the check needs inputs away from ties.
      expect(routingMargin(m)).toBeGreaterThan(1e-3);
      const routing = Array.from(m.acts.topIdx[0]);
      moeBackward(m, 1);
      const analytic = m.grads.slice();
      const params = m.params as Float64Array;
      const loss = () => {
        const l = moeForward(m, tokens, targets).loss;
        expect(Array.from(m.acts.topIdx[0])).toEqual(routing);
        return l;
      };
      for (const e of m.layout.entries) {
        const x = params.subarray(e.offset, e.offset + e.size);
        const g = analytic.subarray(e.offset, e.offset + e.size);
        const res = checkGradient(loss, x, g, { samples: 2000, h: 1e-5 });
        expect(res.maxRelError, `${e.name} worst ${JSON.stringify(res.worst)}`).toBeLessThan(1e-5);
      }
    });
  }

  it('at init (std 0.02) the cross-entropy is close to ln V and the aux losses near their balanced values', () => {
    const m = createMoeModel(tiny(2), { main: F64 }, 3);
    const l = moeForward(m, tokens, targets);
    expect(Math.abs(l.crossEntropy - Math.log(11))).toBeLessThan(0.05);
    // Balanced routing gives alpha * 1; probabilities are near 1/E, so the loss is near alpha.
    expect(Math.abs(l.balance - 0.1)).toBeLessThan(0.02);
    // z = logsumexp of near-zero logits = ln E.
    expect(l.zLoss).toBeCloseTo(0.01 * Math.log(4) ** 2, 3);
    expect(l.loss).toBeCloseTo(l.crossEntropy + l.balance + l.zLoss, 14);
    expect(Array.from(l.expertLoad).reduce((a, b) => a + b, 0)).toBe(N * 2);
  });

  it('f32 and bf16 runs are deterministic; f32 is close to f64; bf16 stores bf16 activations and matmul grads', () => {
    const ref = createMoeModel(tiny(2), { main: F64 }, 9);
    const l64 = moeForward(ref, tokens, targets).loss;
    for (const main of [F32, storagePolicy('bf16')]) {
      const run = () => {
        const m = createMoeModel(tiny(2), { main }, 9);
        const l = moeForward(m, tokens, targets).loss;
        moeBackward(m, 1024);
        return { m, l };
      };
      const a = run();
      const b = run();
      expect(a.l).toBe(b.l);
      expect(Array.from(a.m.grads)).toEqual(Array.from(b.m.grads));
      expect(a.m.grads.every(Number.isFinite)).toBe(true);
      if (main === F32) {
        expect(Math.abs(a.l - l64)).toBeLessThan(1e-5);
        continue;
      }
      expect(Math.abs(a.l - l64)).toBeLessThan(0.05);
      const acts = a.m.acts;
      for (const buf of [
        acts.encoded,
        acts.ln1[0],
        acts.qkv[0],
        acts.att[0],
        acts.fc1[0],
        acts.gelu[0],
        acts.moeOut[0],
        acts.residual3[0],
        acts.logits,
      ]) {
        for (const v of buf) expect(isBf16Value(v)).toBe(true);
      }
      const { byName } = a.m.layout;
      for (const name of ['qkvw', 'fc1w', 'fc2b', 'lmHead'] as const) {
        const e = byName[name];
        for (const v of a.m.grads.subarray(e.offset, e.offset + e.size))
          expect(isBf16Value(v)).toBe(true);
      }
      // The router runs in f32 by default: its logits are not all bf16 values.
      expect(Array.from(acts.routerLogits[0]).some((v) => !isBf16Value(v))).toBe(true);
    }
  });

  it('trains: 40 AdamW steps in f32 on one batch cut the loss by more than half', () => {
    const m = createMoeModel(tiny(2), { main: F32 }, 4);
    const mom = new Float32Array(m.layout.total);
    const vel = new Float32Array(m.layout.total);
    const first = moeForward(m, tokens, targets).crossEntropy;
    let last = first;
    for (let t = 1; t <= 40; t++) {
      moeBackward(m, 1);
      adamwStep(F32, m.params, m.grads, mom, vel, t, { lr: 1e-2, weightDecay: 0 });
      last = moeForward(m, tokens, targets).crossEntropy;
    }
    expect(last).toBeLessThan(first / 2);
  });

  it('rejects a bad config and mismatched batch with sentences', () => {
    expect(() => createMoeModel({ ...tiny(2), heads: 3 }, { main: F64 }, 1)).toThrow(
      /not divisible by heads/,
    );
    expect(() => createMoeModel({ ...tiny(2), topK: 3 }, { main: F64 }, 1)).toThrow(
      /use topK 1 or 2/,
    );
    const m = createMoeModel(tiny(1), { main: F64 }, 1);
    expect(() => moeForward(m, new Int32Array(3), new Int32Array(3))).toThrow(/expected B\*T = 8/);
  });
});
