import { describe, expect, it } from 'vitest';
import { randomInts } from './gradCheck';
import { createMoeModel, moeBackward, moeForward } from './moeTransformer';
import type { MoeConfig } from './parameters';
import { F32, storagePolicy, type Precision } from './precision';
import { siteNames, TENSOR_GROUPS, type TensorGroup } from './storeGroups';

const config: MoeConfig = { vocab: 11, d: 8, layers: 2, heads: 2, experts: 4, topK: 2, context: 4, batch: 2 };
const tokens = randomInts(8, 1, 11);
const targets = randomInts(8, 2, 11);

describe('store groups', () => {
  it('a hook sees every store by group and site and changes nothing when it keeps the rounding', () => {
    const main = storagePolicy('bf16');
    const plain = createMoeModel(config, { main }, 4);
    const calls = new Map<string, number>();
    const hook = (p: Precision, group: TensorGroup, site: number): Precision => ({
      ...p,
      store: (x: number) => {
        const key = `${group}/${siteNames(2)[site]}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return p.store(x);
      },
    });
    const hooked = createMoeModel(config, { main, hook }, 4);
    const a = moeForward(plain, tokens, targets);
    const b = moeForward(hooked, tokens, targets);
    expect(b).toEqual(a);
    moeBackward(plain, 1);
    moeBackward(hooked, 1);
    expect(hooked.grads).toEqual(plain.grads);
    // Every group writes in every layer; embeddings and head write activations and their gradients.
    for (const group of TENSOR_GROUPS) {
      for (const site of ['layer0', 'layer1']) expect(calls.get(`${group}/${site}`), `${group}/${site}`).toBeGreaterThan(0);
    }
    expect(calls.get('activations/embed')).toBe(8 * 8); // encoder output (N,C)
    expect(calls.get('weights/head')).toBe(11 * 8); // the LM head cast (V,C)
    // The router's weight (E,C) cast once per layer, into the router group.
    const routerCasts = 4 * 8;
    expect(calls.get('router/layer0')).toBeGreaterThan(routerCasts);
    expect(calls.has('router/embed')).toBe(false);
    expect(calls.has('weight_grads/embed')).toBe(false); // embedding gradients are f32 sums, not stores
  });

  it('pure recipes read the stored weights: no per-step cast buffer', () => {
    const m = createMoeModel(config, { main: storagePolicy('bf16'), storedWeights: true }, 4);
    expect(m.weights).toBe(m.params);
    const amp = createMoeModel(config, { main: storagePolicy('bf16') }, 4);
    expect(amp.weights).not.toBe(amp.params);
    const fp32 = createMoeModel(config, { main: F32 }, 4);
    expect(fp32.weights).toBe(fp32.params);
  });
});
