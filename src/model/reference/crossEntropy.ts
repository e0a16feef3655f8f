/**
 * Softmax cross-entropy over the vocabulary, mean over the N = B*T positions.
 *
 * Precision: f32 throughout (softmax, log and the loss are on autocast's f32 list), reading the
 * stored logits. Per row: e = round(exp(round(l - max))), sum ascending, probs = round(e / sum)
 * (kept in f32 for the backward), loss_t = round(round(max + round(log(sum))) - l_target)
 * (log-sum-exp form, finite even when the target's probability underflows), mean = round(sum_t / N).
 * Backward: c = round(dloss / N), dlogits = store(round(round(probs - [j == target]) * c)); dloss
 * is the upstream gradient of the mean loss (1, or the loss scale).
 */
import type { Buf, Precision } from './precision';

function checkTarget(target: number, n: number, V: number): void {
  if (!(target >= 0 && target < V)) {
    throw new Error(
      `Cross-entropy: target ${target} at position ${n} is outside the vocabulary 0..${V - 1}; ` +
        'the batch and the model disagree on the vocabulary size.',
    );
  }
}

/**
 * Returns the mean loss. losses (N) per position, probs (N,V) softmax saved for the backward;
 * logits (N,V); targets (N).
 */
export function crossEntropyForward(
  p: Precision,
  losses: Buf,
  probs: Buf,
  logits: Buf,
  targets: Int32Array,
  N: number,
  V: number,
): number {
  const r = p.round;
  let total = 0;
  for (let n = 0; n < N; n++) {
    const row = n * V;
    const target = targets[n];
    checkTarget(target, n, V);
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (logits[row + j] > max) max = logits[row + j];
    let sum = 0;
    for (let j = 0; j < V; j++) {
      const e = r(Math.exp(r(logits[row + j] - max)));
      probs[row + j] = e;
      sum = r(sum + e);
    }
    for (let j = 0; j < V; j++) probs[row + j] = r(probs[row + j] / sum);
    const lse = r(max + r(Math.log(sum)));
    losses[n] = r(lse - logits[row + target]);
    total = r(total + losses[n]);
  }
  return r(total / N);
}

/** dlogits (N,V) overwritten; probs (N,V) from the forward; dloss upstream gradient of the mean. */
export function crossEntropyBackward(
  p: Precision,
  dlogits: Buf,
  probs: Buf,
  targets: Int32Array,
  dloss: number,
  N: number,
  V: number,
): void {
  const r = p.round;
  const c = r(dloss / N);
  for (let n = 0; n < N; n++) {
    const row = n * V;
    const target = targets[n];
    for (let j = 0; j < V; j++) {
      const indicator = j === target ? 1 : 0;
      dlogits[row + j] = p.store(r(r(probs[row + j] - indicator) * c));
    }
  }
}
