/**
 * Text from a lane's model: a batch-1 copy of the model under the same precision (no event
 * counting) that continues a prompt one token at a time. The window is the last T tokens, padded
 * after the end; causal attention keeps the padding from reaching the position that is read.
 * Temperature 0 is greedy (ties to the lower id); otherwise the softmax of logits / temperature is
 * sampled with numerics' counter-based PRNG, draw i using uniform01(key, i).
 */
import { uniform01 } from '../../numerics';
import type { ModelConfig } from '../../model/config';
import { createMoeModel, moeForward, type Buf, type MoeModel } from '../../model/reference';
import type { LaneConfig } from '../lane';
import { lanePrecision, moeConfigOf } from './laneModel';

/** Index drawn from softmax(logits / temperature) with uniform u in [0, 1); argmax at 0. */
export function pickToken(logits: Buf, start: number, V: number, temperature: number, u: number): number {
  let best = 0;
  for (let j = 1; j < V; j++) if (logits[start + j] > logits[start + best]) best = j;
  if (temperature === 0) return best;
  const max = logits[start + best];
  let sum = 0;
  for (let j = 0; j < V; j++) sum += Math.exp((logits[start + j] - max) / temperature);
  let target = u * sum;
  for (let j = 0; j < V; j++) {
    target -= Math.exp((logits[start + j] - max) / temperature);
    if (target < 0) return j;
  }
  return best; // u * sum rounded up to the full sum
}

export class Sampler {
  readonly #model: MoeModel;
  readonly #tokens: Int32Array;
  readonly #targets: Int32Array;

  constructor(model: ModelConfig, lane: LaneConfig) {
    this.#model = createMoeModel(moeConfigOf(model, lane, 1), lanePrecision(lane), lane.seed);
    this.#tokens = new Int32Array(model.context);
    this.#targets = new Int32Array(model.context);
  }

  /** `length` tokens after the prompt, with the given parameters (copied in). */
  generate(params: Buf, prompt: Int32Array, length: number, temperature: number, key: number): Int32Array {
    const m = this.#model;
    const { context: T, vocab: V } = m.config;
    m.params.set(params);
    const seq = Array.from(prompt);
    for (let i = 0; i < length; i++) {
      const window = seq.slice(-T);
      this.#tokens.fill(0);
      this.#tokens.set(window);
      moeForward(m, this.#tokens, this.#targets);
      seq.push(pickToken(m.acts.logits, (window.length - 1) * V, V, temperature, uniform01(key, i)));
    }
    return Int32Array.from(seq.slice(prompt.length));
  }
}
