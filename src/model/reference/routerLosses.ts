/**
 * Auxiliary router losses, per MoE layer.
 *
 * Switch load-balancing loss (Fedus et al. 2021, eq. 4): alpha * E * sum_i f_i * P_i, with
 *   f_i = counts_i / (N*k): the fraction of all N*k (token, slot) assignments routed to expert i
 *         (for k = 1 exactly Switch's fraction of tokens); piecewise constant, so no gradient;
 *   P_i = mean over tokens of the router probability of expert i.
 * Its minimum over balanced routing is alpha (f_i = P_i = 1/E).
 *
 * ST-MoE router z-loss (Zoph et al. 2022, eq. 5): beta * mean_t (logsumexp_j logits[t,j])^2.
 *
 * Precision: f32 under the router policy. Load balance: f_i = round(counts_i / (N*k)),
 * P_i = round(round(sum_t probs) / N), loss = round(round(alpha*E) * sum_i round(f_i * P_i));
 * backward a = round(dloss*alpha*E/N), dprobs += round(a * f_i). z-loss: z_t = round(max +
 * round(log(sum_j round(exp(round(l - max)))))), loss = round(round(beta) * round(sum_t round(z^2) / N));
 * backward a = round(2*beta*dloss/N), dlogits = store(round(dlogits + round(round(a * z_t) *
 * round(exp(round(l - z_t)))))).
 */
import type { Buf, Precision } from './precision';

/** Returns the load-balancing loss. probs (N,E) router probabilities; counts (E) assignments. */
export function loadBalanceForward(
  p: Precision,
  probs: Buf,
  counts: Int32Array,
  N: number,
  E: number,
  k: number,
  alpha: number,
): number {
  const r = p.round;
  let acc = 0;
  for (let e = 0; e < E; e++) {
    let s = 0;
    for (let t = 0; t < N; t++) s = r(s + probs[t * E + e]);
    const meanProb = r(s / N);
    const fraction = r(counts[e] / (N * k));
    acc = r(acc + r(fraction * meanProb));
  }
  return r(r(alpha * E) * acc);
}

/** dprobs (N,E) += gradient of the load-balancing loss (counts held constant). */
export function loadBalanceBackward(
  p: Precision,
  dprobs: Buf,
  counts: Int32Array,
  N: number,
  E: number,
  k: number,
  alpha: number,
  dloss: number,
): void {
  const r = p.round;
  const a = r((dloss * alpha * E) / N);
  for (let e = 0; e < E; e++) {
    const g = r(a * r(counts[e] / (N * k)));
    for (let t = 0; t < N; t++) dprobs[t * E + e] = r(dprobs[t * E + e] + g);
  }
}

/** Returns the z-loss; lse (N) log-sum-exp of each row saved for the backward; logits (N,E). */
export function zLossForward(
  p: Precision,
  lse: Buf,
  logits: Buf,
  N: number,
  E: number,
  beta: number,
): number {
  const r = p.round;
  let sumSq = 0;
  for (let t = 0; t < N; t++) {
    const row = t * E;
    let max = -Infinity;
    for (let e = 0; e < E; e++) if (logits[row + e] > max) max = logits[row + e];
    let sum = 0;
    for (let e = 0; e < E; e++) sum = r(sum + r(Math.exp(r(logits[row + e] - max))));
    const z = r(max + r(Math.log(sum)));
    lse[t] = z;
    sumSq = r(sumSq + r(z * z));
  }
  return r(r(beta) * r(sumSq / N));
}

/** dlogits (N,E) += gradient of the z-loss: 2*beta/N * z_t * softmax(logits_t). */
export function zLossBackward(
  p: Precision,
  dlogits: Buf,
  logits: Buf,
  lse: Buf,
  N: number,
  E: number,
  beta: number,
  dloss: number,
): void {
  const r = p.round;
  const a = r((2 * beta * dloss) / N);
  for (let t = 0; t < N; t++) {
    const row = t * E;
    const z = lse[t];
    const c = r(a * z);
    for (let e = 0; e < E; e++) {
      const prob = r(Math.exp(r(logits[row + e] - z)));
      dlogits[row + e] = p.store(r(dlogits[row + e] + r(c * prob)));
    }
  }
}
