/**
 * About how many values each tensor group stores in one training step, the denominator of the
 * events chart's "share of values affected". Weights and weight gradients are exact (the
 * parameter layout); activations, activation gradients and the router are estimated from the
 * tensor shapes the forward saves and the backward writes (model/memory.ts lists the same
 * tensors), so their shares are shown with "≈".
 *
 * Shape letters: V vocab, C channels, L layers, H heads, E experts, k top-k, T context, B batch,
 * F expert hidden width, N = B*T tokens, R = N*k grouped rows.
 */
import type { ModelConfig } from '../../model/config';
import { parameterLayout, resolveConfig } from '../../model/reference/parameters';
import type { TensorGroup } from '../../model/reference/storeGroups';
import type { Recipe } from '../../train/recipes';

export interface GroupSizes {
  values: Record<TensorGroup, number>;
  /** Groups whose count is exact rather than estimated. */
  exact: ReadonlySet<TensorGroup>;
}

export function groupSizes(model: ModelConfig, recipe: Recipe, routerLow: boolean): GroupSizes {
  const layout = parameterLayout(resolveConfig(model));
  const { batch: B, context: T, d: C, layers: L, heads: H, experts: E, topK: k, vocab: V } = model;
  const F = model.hidden ?? 4 * C;
  const N = B * T;
  const R = N * k;
  const sizeOf = (kind: 'matmul' | 'router' | 'f32'): number =>
    layout.entries.filter((e) => e.kind === kind).reduce((n, e) => n + e.size, 0);
  // With a master copy the matmul weights are cast each step; without one every parameter is
  // stored by the optimizer.
  const weights = recipe.masterWeights ? sizeOf('matmul') : layout.total;
  const activations =
    N * C * (1 + 2 * L + 3 * L + 2 * L + 2 * L + 1) + 2 * L * B * H * T * T + L * R * C + 2 * L * R * F + L * (R + N) * C + N * V;
  const activationGrads = L * (2 * N * C + 4 * N * C + 2 * B * H * T * T + 2 * R * C + 2 * R * F) + N * V;
  const router = L * (2 * N * E + N * (1 + k) + N * (k + 2 * E)) + (routerLow ? sizeOf('router') : 0);
  return {
    values: {
      weights,
      activations,
      activation_grads: activationGrads,
      weight_grads: layout.total,
      router,
    },
    exact: new Set<TensorGroup>(['weights', 'weight_grads']),
  };
}

/** Parameter count P of the model. */
export function parameterCount(model: ModelConfig): number {
  return parameterLayout(resolveConfig(model)).total;
}
