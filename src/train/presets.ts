/**
 * Named experiments (DESIGN.md §1, Presets): a set of lanes, the model size and task, and a
 * paragraph saying what to watch. Plain data; the lab loads one into its config (and the URL).
 */
import type { DatasetName } from '../data';
import type { ModelSizeName } from '../model/config';
import { makeLane, type LaneConfig } from './lane';

export interface Preset {
  id: string;
  title: string;
  /** What the experiment shows and which charts to watch, one paragraph. */
  explanation: string;
  model: ModelSizeName;
  dataset: DatasetName;
  lanes: LaneConfig[];
  /** Steps after which the point has been made (the run may go on). */
  suggestedSteps: number;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'fp32-vs-fp16-vs-bf16',
    title: 'FP32 vs FP16 + GradScaler vs BF16',
    explanation:
      'The three recipes people use, trained from the same initial weights on the same batches. The loss curves lie almost on top of each other: mixed precision with a master copy (and, for FP16, loss scaling) trains like FP32. Watch loss and held-out loss for the small gap, memory for what the 16-bit activations save, the FP16 lane\'s loss scale (it starts at 65536 and halves on the first steps whose scaled gradients overflow) and the events chart: FP16 rounds small activation gradients to subnormals, BF16 (with FP32\'s exponent range) does not.',
    model: 'default',
    dataset: 'shakespeare',
    lanes: [makeLane('fp32'), makeLane('fp16-amp'), makeLane('bf16-amp')],
    suggestedSteps: 500,
  },
  {
    id: 'fp16-without-loss-scaling',
    title: 'FP16 without loss scaling underflows',
    explanation:
      'Gradients of a language model are small: many weight and activation gradients lie below FP16\'s smallest subnormal (2^-24 ≈ 6e-8) and round to zero. Without a GradScaler they are simply lost. Watch underflow/weight_grads and underflow/activation_grads (zero for the scaled lane, many for the unscaled one), the fraction of exactly-zero gradients, and the gradient histogram: the unscaled lane\'s magnitudes fall off FP16\'s range on the left, the scaled lane\'s are shifted up by the loss scale into it. On a small model the lost gradients barely move the loss; the cost grows with the share of gradients that underflow.',
    model: 'default',
    dataset: 'shakespeare',
    lanes: [makeLane('fp32'), makeLane('fp16-amp'), makeLane('fp16-amp-noscale')],
    suggestedSteps: 300,
  },
  {
    id: 'bf16-needs-no-scaling',
    title: 'BF16 needs no loss scaling',
    explanation:
      'BF16 keeps FP32\'s 8 exponent bits and gives up mantissa bits instead, so gradients as small as 1e-38 stay representable: no loss scale, no underflow, no skipped steps. FP16 without scaling, beside it, loses its small gradients. Watch the underflow counters (zero for BF16), the gradient histogram against each format\'s range, and the loss: BF16 follows FP32.',
    model: 'default',
    dataset: 'shakespeare',
    lanes: [makeLane('fp32'), makeLane('bf16-amp'), makeLane('fp16-amp-noscale')],
    suggestedSteps: 300,
  },
  {
    id: 'bf16-pure-loses-updates',
    title: 'BF16 weights without an FP32 master copy lose small updates',
    explanation:
      'With weights stored only in BF16 (8 significant bits), an update smaller than half the gap between neighbouring BF16 values rounds back to the old weight: the step is lost. Layer-norm gains sit at 1.0, where the gap is 2^-7 ≈ 0.008, so a learning-rate-sized update of 3e-4 never lands. Watch lost_updates (a large share of all parameters every step for the pure lane), the weight norms that stop moving, and the loss that stalls above the master-weight lane. Stochastic rounding fixes it on average: each update lands with probability proportional to its size, so the expected weight follows the FP32 path.',
    model: 'default',
    dataset: 'shakespeare',
    lanes: [
      makeLane('bf16-amp', { lr: 3e-4 }),
      makeLane('bf16-pure', { lr: 3e-4 }),
      makeLane('bf16-pure', { id: 'bf16-pure-sr', label: 'Pure BF16, stochastic rounding', lr: 3e-4, stochasticRounding: true }),
    ],
    suggestedSteps: 500,
  },
  {
    id: 'high-lr-fp16-overflow',
    title: 'High learning rate: FP16 overflows and the scaler backs off',
    explanation:
      'At a learning rate ten times too high, and with the scale doubling every 50 clean steps, scaled gradients soon exceed FP16\'s largest value (65504). The GradScaler then finds inf/NaN, skips the step and halves the scale; after growth_interval clean steps (50 here, 2000 in PyTorch) it doubles the scale again. Watch loss_scale (a sawtooth), step_skipped and found_inf, the overflow counters (overflow/weight_grads and overflow/activation_grads), and the loss of the FP32 lane at the same learning rate for comparison.',
    model: 'default',
    dataset: 'shakespeare',
    lanes: [
      makeLane('fp32', { lr: 1e-2, gradClip: null }),
      makeLane('fp16-amp', { lr: 1e-2, gradClip: null, scaler: { growth_interval: 50 } }),
    ],
    suggestedSteps: 400,
  },
  {
    id: 'router-in-low-precision',
    title: 'Router in low precision',
    explanation:
      'Switch Transformer keeps the router in FP32 ("selective precision"): its softmax over experts decides which expert sees each token, and rounding its logits and probabilities to 16 bits turns near-ties into arbitrary choices. Here the same BF16 recipe runs with the router in FP32 and in BF16, and FP16 with a low-precision router beside them, on the synthetic task whose sub-languages make expert specialisation visible. Watch expert_load per layer (how evenly and how stably tokens spread), the router events, the z-loss and the loss.',
    model: 'default',
    dataset: 'synthetic',
    lanes: [
      makeLane('bf16-amp'),
      makeLane('bf16-amp', { id: 'bf16-amp-router-low', label: 'BF16, router in BF16', router: 'low' }),
      makeLane('fp16-amp', { id: 'fp16-amp-router-low', label: 'FP16 + scaler, router in FP16', router: 'low' }),
    ],
    suggestedSteps: 400,
  },
];

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
