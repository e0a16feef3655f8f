import { describe, expect, it } from 'vitest';
import { attentionBackward, attentionForward } from './attention';
import { checkGradient, dot, isBf16Value, randomArray } from './gradCheck';
import { F64, storagePolicy } from './precision';

const [B, T, C, H] = [2, 4, 8, 2];
const hd = C / H;

/** Straightforward attention: per (b, h) build Q, K, V, S = QK^T/sqrt(hd) with -inf above the diagonal. */
function naive(qkv: Float64Array): Float64Array {
  const out = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const get = (t: number, part: number, i: number) =>
        qkv[(b * T + t) * 3 * C + part * C + h * hd + i];
      for (let t = 0; t < T; t++) {
        const scores: number[] = [];
        for (let s = 0; s < T; s++) {
          let d = 0;
          for (let i = 0; i < hd; i++) d += get(t, 0, i) * get(s, 1, i);
          scores.push(s <= t ? d / Math.sqrt(hd) : -Infinity);
        }
        const m = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - m));
        const z = e.reduce((a, x) => a + x, 0);
        for (let i = 0; i < hd; i++) {
          let y = 0;
          for (let s = 0; s < T; s++) y += (e[s] / z) * get(s, 2, i);
          out[(b * T + t) * C + h * hd + i] = y;
        }
      }
    }
  }
  return out;
}

function run(qkv: Float64Array) {
  const out = new Float64Array(B * T * C);
  const preatt = new Float64Array(B * H * T * T);
  const att = new Float64Array(B * H * T * T);
  attentionForward(F64, out, preatt, att, qkv, B, T, C, H);
  return { out, preatt, att };
}

describe('causal self-attention', () => {
  it('forward matches explicit per-head softmax(QK^T/sqrt(hd)) V (1e-13)', () => {
    const qkv = randomArray(B * T * 3 * C, 1, 2);
    const { out } = run(qkv);
    const ref = naive(qkv);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(ref[i], 13);
  });

  it('is causal: changing the last position leaves earlier outputs unchanged', () => {
    const qkv = randomArray(B * T * 3 * C, 2);
    const before = run(qkv).out;
    for (let i = 0; i < 3 * C; i++) qkv[(T - 1) * 3 * C + i] += 1;
    const after = run(qkv).out;
    for (let t = 0; t < T - 1; t++)
      for (let i = 0; i < C; i++) expect(after[t * C + i]).toBe(before[t * C + i]);
    expect(after[(T - 1) * C]).not.toBe(before[(T - 1) * C]);
  });

  it('backward: dqkv by central differences (f64, rel < 1e-5)', () => {
    const qkv = randomArray(B * T * 3 * C, 3, 1.5);
    const dout = randomArray(B * T * C, 4);
    const { att } = run(qkv);
    const dqkv = new Float64Array(qkv.length);
    attentionBackward(
      F64,
      dqkv,
      new Float64Array(att.length),
      new Float64Array(att.length),
      dout,
      qkv,
      att,
      B,
      T,
      C,
      H,
    );
    const res = checkGradient(() => dot(dout, run(qkv).out), qkv, dqkv, { samples: 200 });
    expect(res.maxRelError).toBeLessThan(1e-5);
  });

  it('bf16 storage: scores, probabilities, outputs and gradients are bf16 values', () => {
    const p = storagePolicy('bf16');
    const qkv = new Float32Array(randomArray(B * T * 3 * C, 5).map(p.store));
    const out = new Float32Array(B * T * C);
    const preatt = new Float32Array(B * H * T * T);
    const att = new Float32Array(B * H * T * T);
    attentionForward(p, out, preatt, att, qkv, B, T, C, H);
    const dqkv = new Float32Array(qkv.length);
    const dpre = new Float32Array(att.length);
    const datt = new Float32Array(att.length);
    attentionBackward(
      p,
      dqkv,
      dpre,
      datt,
      new Float32Array(randomArray(B * T * C, 6).map(p.store)),
      qkv,
      att,
      B,
      T,
      C,
      H,
    );
    for (const v of [...out, ...preatt, ...att, ...dqkv, ...dpre, ...datt])
      expect(isBf16Value(v)).toBe(true);
  });
});
