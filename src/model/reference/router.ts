/**
 * MoE router after its linear layer (logits = x · Wr^T is a matmul): softmax over the E experts,
 * top-k selection, gate weights.
 *
 * Routing rule: experts are ranked by their (stored) probability; ties go to the lower expert
 * index. Gates: k = 1 uses the raw probability of the chosen expert (Switch Transformer);
 * k >= 2 renormalises the selected probabilities to sum 1 (Mixtral, ST-MoE top-2).
 *
 * Precision: everything in f32 under the ROUTER policy (f32 by default: Switch's selective
 * precision; a lane may give the router the storage policy instead). probs and gates are written
 * with that policy's store. Softmax: e = round(exp(round(l - max))), sum ascending,
 * probs = store(round(e / sum)). Renormalised gates: S = f32 sum of the selected probs in rank
 * order, gate = store(round(p / S)). Backward: dlogits = store(round(p * round(dp - sum_j(p_j dp_j)))).
 */
import type { Buf, Precision } from './precision';

/**
 * probs (N,E) = softmax(logits (N,E)); topIdx (N,k) experts in rank order; gates (N,k).
 */
export function routerForward(
  p: Precision,
  probs: Buf,
  topIdx: Int32Array,
  gates: Buf,
  logits: Buf,
  N: number,
  E: number,
  k: number,
): void {
  const r = p.round;
  for (let n = 0; n < N; n++) {
    const row = n * E;
    let max = -Infinity;
    for (let e = 0; e < E; e++) if (logits[row + e] > max) max = logits[row + e];
    let sum = 0;
    for (let e = 0; e < E; e++) {
      const x = r(Math.exp(r(logits[row + e] - max)));
      probs[row + e] = x;
      sum = r(sum + x);
    }
    for (let e = 0; e < E; e++) probs[row + e] = p.store(r(probs[row + e] / sum));
    selectTopK(topIdx, n * k, probs, row, E, k);
    if (k === 1) {
      gates[n] = probs[row + topIdx[n]];
    } else {
      let s = 0;
      for (let j = 0; j < k; j++) s = r(s + probs[row + topIdx[n * k + j]]);
      for (let j = 0; j < k; j++) gates[n * k + j] = p.store(r(probs[row + topIdx[n * k + j]] / s));
    }
  }
}

/** The k largest of probs[row .. row+E) in rank order, ties to the lower index. */
function selectTopK(
  topIdx: Int32Array,
  out: number,
  probs: Buf,
  row: number,
  E: number,
  k: number,
): void {
  for (let j = 0; j < k; j++) {
    let best = -1;
    for (let e = 0; e < E; e++) {
      let taken = false;
      for (let i = 0; i < j; i++) if (topIdx[out + i] === e) taken = true;
      if (taken) continue;
      if (best < 0 || probs[row + e] > probs[row + best]) best = e;
    }
    topIdx[out + j] = best;
  }
}

/**
 * dlogits (N,E) overwritten. dprobs (N,E) holds the gradient w.r.t. probs from other consumers
 * (the load-balancing loss, or zeros); the gate gradients dgates (N,k) are ADDED into it in place,
 * then the whole goes back through the softmax.
 */
export function routerBackward(
  p: Precision,
  dlogits: Buf,
  dprobs: Buf,
  dgates: Buf,
  probs: Buf,
  topIdx: Int32Array,
  gates: Buf,
  N: number,
  E: number,
  k: number,
): void {
  const r = p.round;
  for (let n = 0; n < N; n++) {
    const row = n * E;
    if (k === 1) {
      const e = topIdx[n];
      dprobs[row + e] = r(dprobs[row + e] + dgates[n]);
    } else {
      // gate_j = p_j / S  =>  dL/dp_j = (dgate_j - sum_i dgate_i gate_i) / S for selected j.
      let s = 0;
      let dot = 0;
      for (let j = 0; j < k; j++) {
        s = r(s + probs[row + topIdx[n * k + j]]);
        dot = r(dot + r(dgates[n * k + j] * gates[n * k + j]));
      }
      for (let j = 0; j < k; j++) {
        const e = topIdx[n * k + j];
        dprobs[row + e] = r(dprobs[row + e] + r(r(dgates[n * k + j] - dot) / s));
      }
    }
    let dot = 0;
    for (let e = 0; e < E; e++) dot = r(dot + r(probs[row + e] * dprobs[row + e]));
    for (let e = 0; e < E; e++)
      dlogits[row + e] = p.store(r(probs[row + e] * r(dprobs[row + e] - dot)));
  }
}
