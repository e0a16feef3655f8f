/**
 * The five precision recipes as data (DESIGN.md §2), named after the PyTorch habits they mirror.
 * A recipe says which format each kind of tensor lives in and whether the loss is scaled; a lane
 * (lane.ts) is a recipe plus its optimizer, schedule and router settings.
 *
 * Autocast rule for every recipe: matmuls read weights in `matmulFormat` (cast ONCE per step from
 * the master copy, as autocast's weight cache does), accumulate in f32 and store their output in
 * `storageFormat`; softmax, layer norm, exp/log, the loss, reductions and the optimizer run in
 * f32. Weight gradients are f32 buffers (their matmul outputs were rounded to `storageFormat`),
 * except without a master copy, where they are stored in `weightsFormat` as the weights are.
 */
import type { FormatName, GradScalerOptions } from '../numerics';
import type { MemoryRecipe } from '../model/config';

export const RECIPE_NAMES = ['fp32', 'fp16-amp', 'fp16-amp-noscale', 'bf16-amp', 'bf16-pure'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

export function isRecipeName(name: unknown): name is RecipeName {
  return typeof name === 'string' && (RECIPE_NAMES as readonly string[]).includes(name);
}

/** torch.amp.GradScaler's constructor arguments, under PyTorch's names. */
export interface GradScalerConfig {
  init_scale: number;
  growth_factor: number;
  backoff_factor: number;
  growth_interval: number;
  enabled: boolean;
}

/** PyTorch's defaults (torch/amp/grad_scaler.py). */
export const GRAD_SCALER_DEFAULTS: Readonly<GradScalerConfig> = {
  init_scale: 2 ** 16,
  growth_factor: 2,
  backoff_factor: 0.5,
  growth_interval: 2000,
  enabled: true,
};

const NO_SCALING: Readonly<GradScalerConfig> = { ...GRAD_SCALER_DEFAULTS, enabled: false };

/** The numerics GradScaler's options for a config. */
export function gradScalerOptions(c: GradScalerConfig): GradScalerOptions {
  return {
    initScale: c.init_scale,
    growthFactor: c.growth_factor,
    backoffFactor: c.backoff_factor,
    growthInterval: c.growth_interval,
    enabled: c.enabled,
  };
}

export interface Recipe extends MemoryRecipe {
  readonly name: RecipeName;
  /** Name as shown to people. */
  readonly label: string;
  /** One sentence: what the recipe is and which PyTorch code it corresponds to. */
  readonly summary: string;
  /** The format a lane's router uses when set to 'low'. */
  readonly lowFormat: FormatName;
  /** Dynamic loss scaling; `enabled: false` means none. */
  readonly lossScaling: Readonly<GradScalerConfig>;
  /** Whether the optimizer may round the stored weights stochastically (pure recipes only). */
  readonly allowsStochasticRounding: boolean;
}

export const RECIPES: Readonly<Record<RecipeName, Recipe>> = {
  fp32: {
    name: 'fp32',
    label: 'FP32',
    summary: 'Everything in f32: the reference every other lane is compared with.',
    matmulFormat: 'fp32',
    masterWeights: false,
    storageFormat: 'fp32',
    weightsFormat: 'fp32',
    lowFormat: 'fp32',
    lossScaling: NO_SCALING,
    allowsStochasticRounding: false,
  },
  'fp16-amp': {
    name: 'fp16-amp',
    label: 'FP16 + GradScaler',
    summary:
      'torch.autocast(dtype=float16) with f32 master weights and torch.amp.GradScaler: the loss is scaled before the backward, gradients are unscaled, steps with inf/NaN gradients are skipped.',
    matmulFormat: 'fp16',
    masterWeights: true,
    storageFormat: 'fp16',
    weightsFormat: 'fp32',
    lowFormat: 'fp16',
    lossScaling: GRAD_SCALER_DEFAULTS,
    allowsStochasticRounding: false,
  },
  'fp16-amp-noscale': {
    name: 'fp16-amp-noscale',
    label: 'FP16, no loss scaling',
    summary:
      'torch.autocast(dtype=float16) with f32 master weights but no GradScaler: small gradients underflow to zero in fp16.',
    matmulFormat: 'fp16',
    masterWeights: true,
    storageFormat: 'fp16',
    weightsFormat: 'fp32',
    lowFormat: 'fp16',
    lossScaling: NO_SCALING,
    allowsStochasticRounding: false,
  },
  'bf16-amp': {
    name: 'bf16-amp',
    label: 'BF16 autocast',
    summary:
      "torch.autocast(dtype=bfloat16) with f32 master weights: bf16 keeps f32's exponent range, so no loss scaling is needed.",
    matmulFormat: 'bf16',
    masterWeights: true,
    storageFormat: 'bf16',
    weightsFormat: 'fp32',
    lowFormat: 'bf16',
    lossScaling: NO_SCALING,
    allowsStochasticRounding: false,
  },
  'bf16-pure': {
    name: 'bf16-pure',
    label: 'Pure BF16',
    summary:
      'model.to(torch.bfloat16): weights stored in bf16 with no f32 master copy, so an update smaller than half a bf16 step is lost (unless rounded stochastically).',
    matmulFormat: 'bf16',
    masterWeights: false,
    storageFormat: 'bf16',
    weightsFormat: 'bf16',
    lowFormat: 'bf16',
    lossScaling: NO_SCALING,
    allowsStochasticRounding: true,
  },
};
