/**
 * Dropless MoE dispatch: tokens grouped by expert so that each expert multiplies only its rows.
 *
 * Each of the N*k (token, slot) assignments gets one row of the grouped buffers (R = N*k rows).
 * Rows are ordered by expert, then by token ascending (a counting sort, deterministic):
 * expert e owns rows [offsets[e], offsets[e+1]). An expert nobody chose has an empty segment.
 * Dispatch is integer bookkeeping and has no gradient; gather moves values and has one.
 *
 * Precision: the gather copies stored values (no rounding). Its backward sums the k row
 * gradients of a token in f32, slot ascending, and stores: dinp = store(sum).
 */
import type { Buf, Precision } from './precision';

export interface Dispatch {
  /** (E) assignments per expert: the expert load. */
  readonly counts: Int32Array;
  /** (E+1) exclusive prefix sums of counts; offsets[E] = N*k. */
  readonly offsets: Int32Array;
  /** (R) token of each grouped row. */
  readonly tokenOf: Int32Array;
  /** (N,k) grouped row of each (token, slot). */
  readonly rowOf: Int32Array;
}

export function createDispatch(N: number, E: number, k: number): Dispatch {
  return {
    counts: new Int32Array(E),
    offsets: new Int32Array(E + 1),
    tokenOf: new Int32Array(N * k),
    rowOf: new Int32Array(N * k),
  };
}

/** Fills d from topIdx (N,k). Throws if an expert index is outside [0, E). */
export function dispatchForward(
  d: Dispatch,
  topIdx: Int32Array,
  N: number,
  E: number,
  k: number,
): void {
  d.counts.fill(0);
  for (let a = 0; a < N * k; a++) {
    const e = topIdx[a];
    if (!(e >= 0 && e < E)) {
      throw new Error(
        `Dispatch: token ${Math.floor(a / k)} slot ${a % k} routes to expert ${e}, outside 0..${E - 1}; ` +
          'topIdx must hold expert indices from the router (routerForward).',
      );
    }
    d.counts[e]++;
  }
  d.offsets[0] = 0;
  for (let e = 0; e < E; e++) d.offsets[e + 1] = d.offsets[e] + d.counts[e];
  const cursor = d.offsets.slice(0, E); // (E) next free row of each expert
  for (let t = 0; t < N; t++) {
    for (let s = 0; s < k; s++) {
      const row = cursor[topIdx[t * k + s]]++;
      d.tokenOf[row] = t;
      d.rowOf[t * k + s] = row;
    }
  }
}

/** out (R,C) = inp[tokenOf[r]] for each grouped row r; inp (N,C). */
export function gatherForward(out: Buf, inp: Buf, tokenOf: Int32Array, R: number, C: number): void {
  for (let r = 0; r < R; r++) {
    const src = tokenOf[r] * C;
    const dst = r * C;
    for (let c = 0; c < C; c++) out[dst + c] = inp[src + c];
  }
}

/** dinp (N,C) = sum over the token's k slots of dout[rowOf[t,s]], overwritten; dout (R,C). */
export function gatherBackward(
  p: Precision,
  dinp: Buf,
  dout: Buf,
  rowOf: Int32Array,
  N: number,
  k: number,
  C: number,
): void {
  for (let t = 0; t < N; t++) {
    const o = t * C;
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let s = 0; s < k; s++) acc = p.round(acc + dout[rowOf[t * k + s] * C + c]);
      dinp[o + c] = p.store(acc);
    }
  }
}
