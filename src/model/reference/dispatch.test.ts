import { describe, expect, it } from 'vitest';
import { createDispatch, dispatchForward, gatherBackward, gatherForward } from './dispatch';
import { checkGradient, dot, randomArray } from './gradCheck';
import { F64 } from './precision';

function dispatch(topIdx: number[], N: number, E: number, k: number) {
  const d = createDispatch(N, E, k);
  dispatchForward(d, new Int32Array(topIdx), N, E, k);
  return d;
}

describe('dispatch', () => {
  it('counts, exclusive offsets, rows grouped by expert then token ascending; empty experts', () => {
    // 4 tokens, k = 2, 5 experts; experts 1 and 4 unused.
    const d = dispatch([3, 0, 0, 2, 3, 2, 0, 3], 4, 5, 2);
    expect(Array.from(d.counts)).toEqual([3, 0, 2, 3, 0]);
    expect(Array.from(d.offsets)).toEqual([0, 3, 3, 5, 8, 8]);
    expect(Array.from(d.tokenOf)).toEqual([0, 1, 3, 1, 2, 0, 2, 3]);
    // rowOf inverts tokenOf: row rowOf[t,s] belongs to token t and to expert topIdx[t,s].
    for (let a = 0; a < 8; a++) expect(d.tokenOf[d.rowOf[a]]).toBe(Math.floor(a / 2));
    expect(Array.from(d.rowOf)).toEqual([5, 0, 1, 3, 6, 4, 2, 7]);
  });

  it('one expert takes every token (k=1): one full segment, all others empty', () => {
    const d = dispatch([2, 2, 2, 2, 2], 5, 4, 1);
    expect(Array.from(d.counts)).toEqual([0, 0, 5, 0]);
    expect(Array.from(d.offsets)).toEqual([0, 0, 0, 5, 5]);
    expect(Array.from(d.tokenOf)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(d.rowOf)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects an expert index out of range with a sentence', () => {
    expect(() => dispatch([0, 4], 2, 4, 1)).toThrow(
      /token 1 slot 0 routes to expert 4, outside 0..3/,
    );
  });

  it("gather copies token rows; its backward sums a token's slots (f64, rel < 1e-5)", () => {
    const [N, E, k, C] = [4, 3, 2, 3];
    const d = dispatch([0, 2, 1, 0, 2, 1, 0, 1], N, E, k);
    const x = randomArray(N * C, 1);
    const out = new Float64Array(N * k * C);
    gatherForward(out, x, d.tokenOf, N * k, C);
    for (let r = 0; r < N * k; r++)
      for (let c = 0; c < C; c++) expect(out[r * C + c]).toBe(x[d.tokenOf[r] * C + c]);
    const dout = randomArray(N * k * C, 2);
    const dx = new Float64Array(N * C);
    gatherBackward(F64, dx, dout, d.rowOf, N, k, C);
    const res = checkGradient(
      () => (gatherForward(out, x, d.tokenOf, N * k, C), dot(dout, out)),
      x,
      dx,
    );
    expect(res.maxRelError).toBeLessThan(1e-5);
  });
});
