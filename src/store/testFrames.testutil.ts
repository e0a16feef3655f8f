/**
 * Synthetic metrics frames for the store and chart tests: plain data shaped like the CPU
 * trainer's, with values drawn from a seeded PRNG (numerics' PCG hash), so every run of a test
 * sees the same numbers.
 */
import { COUNTED_EVENTS, uniform01 } from '../numerics';
import type { MetricsFrame } from '../worker/protocol';

const GROUPS = ['weights', 'activations', 'activation_grads', 'weight_grads', 'router'] as const;

/** A seeded source of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let i = 0;
  return () => uniform01(seed, i++);
}

export function syntheticFrame(lane: string, step: number, rand: () => number, extra: Partial<MetricsFrame> = {}): MetricsFrame {
  const events = {} as MetricsFrame['events'];
  for (const e of COUNTED_EVENTS) {
    events[e] = {} as MetricsFrame['events'][typeof e];
    for (const g of GROUPS) events[e][g] = [0, 1, 2].map(() => Math.floor(rand() * 10));
  }
  return {
    step,
    lane,
    loss: 4 - Math.log(step) * 0.3 + rand() * 0.1,
    ceLoss: 4,
    balanceLoss: 0.01,
    zLoss: 0.001,
    lr: 1e-3,
    tokensPerSecond: 1000 + rand() * 100,
    stepMs: 100,
    gradNorm: 1,
    weightNorms: { wte: 1 + rand(), 'layer0.qkvw': 2 + rand() },
    weightNormTotal: 10 + rand(),
    events,
    lossScale: 65536,
    foundInf: false,
    stepSkipped: false,
    lostUpdates: null,
    expertLoad: [[10, 20, 30, 40]],
    gradZeroFraction: 0.01,
    ...extra,
  };
}
