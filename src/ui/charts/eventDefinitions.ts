/** The cast events' definitions (DESIGN.md §2) and the tensor groups, in words for tooltips. */
import type { CountedEvent } from '../../numerics';
import type { TensorGroup } from '../../model/reference/storeGroups';

export const EVENT_DEFINITIONS: Record<CountedEvent | 'lost_update', string> = {
  overflow: 'Overflow: a finite value whose cast to the storage format gave ±inf (FP16: |x| ≥ 65520).',
  underflow: 'Underflow: a nonzero value whose cast gave ±0: it was below half the smallest subnormal (FP16: |x| ≤ 2^-25).',
  subnormal: 'Subnormal: the cast result is nonzero but below the smallest normal number, so it keeps fewer significant bits (FP16: |x| < 2^-14).',
  nonfinite: 'Nonfinite: the value was already inf or NaN before the cast.',
  lost_update: 'Lost update: with pure low-precision weights, the optimizer’s change Δ was nonzero but round(w + Δ) == w, so the step left the weight unchanged.',
};

export const GROUP_LABELS: Record<TensorGroup, string> = {
  weights: 'weights',
  activations: 'activations',
  activation_grads: 'activation grads',
  weight_grads: 'weight grads',
  router: 'router',
};

export const GROUP_DEFINITIONS: Record<TensorGroup, string> = {
  weights: 'The per-step cast of the master weights for the matmuls (or, without a master copy, the optimizer’s store of every weight).',
  activations: 'Tensors the forward stores in the recipe’s format (matmul outputs, attention, expert activations, logits).',
  activation_grads: 'Gradients the backward stores with respect to activations.',
  weight_grads: 'Weight gradients as the backward rounds them (times the loss scale where there is one).',
  router: 'Every router tensor (its weights, logits, probabilities, gates and their gradients), in the router’s format.',
};
