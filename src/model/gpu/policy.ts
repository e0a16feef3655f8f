/**
 * The precision policy of one GPU model: which format every kind of tensor is stored in, decided
 * here once (llm.c: "precision is chosen in one place"). It is derived from a recipe's data
 * (src/train/recipes.ts, taken structurally since the model layer does not import train) and
 * the lane's router and rounding settings.
 *
 *   weights in matmuls  matmul-kind tensors as the matmuls read them (fp32, or the low copy)
 *   storage             activations and activation gradients
 *   router              router logits, probabilities, gates and their gradients
 *   master              f32 master weights beside a low-precision copy (autocast recipes)
 *   weights             format of the stored parameters without a master ('fp32' or pure)
 */
import type { FormatName } from '../../numerics';
import type { MemoryRecipe } from '../config';

/** torch.amp.GradScaler settings (PyTorch's names, as train/recipes' GradScalerConfig). */
export interface ScalerSettings {
  init_scale: number;
  growth_factor: number;
  backoff_factor: number;
  growth_interval: number;
  enabled: boolean;
}

/** What a recipe says (train/recipes' Recipe satisfies it). */
export interface RecipeData extends MemoryRecipe {
  readonly name: string;
  /** The format of a router set to 'low'. */
  readonly lowFormat: FormatName;
  readonly lossScaling: Readonly<ScalerSettings>;
}

/** The lane settings that change the model's precision. */
export interface LanePrecisionSettings {
  router: 'f32' | 'low';
  stochasticRounding?: boolean;
  /** Overrides of the recipe's GradScaler settings. */
  scaler?: Partial<ScalerSettings>;
}

export interface ModelPolicy {
  /** Recipe name, for labels. */
  readonly name: string;
  readonly matmul: FormatName;
  readonly storage: FormatName;
  readonly router: FormatName;
  readonly master: boolean;
  readonly weights: FormatName;
  /** Dynamic loss scaling, or null for none. */
  readonly scaler: Readonly<{
    initScale: number;
    growthFactor: number;
    backoffFactor: number;
    growthInterval: number;
  }> | null;
  /** Pure recipes: round updated weights stochastically. */
  readonly stochasticRounding: boolean;
}

export function modelPolicy(recipe: RecipeData, lane: LanePrecisionSettings): ModelPolicy {
  const s = { ...recipe.lossScaling, ...lane.scaler };
  const pure = !recipe.masterWeights && recipe.weightsFormat !== 'fp32';
  return {
    name: recipe.name,
    matmul: recipe.matmulFormat,
    storage: recipe.storageFormat,
    router: lane.router === 'low' ? recipe.lowFormat : 'fp32',
    master: recipe.masterWeights,
    weights: recipe.masterWeights ? 'fp32' : recipe.weightsFormat,
    scaler: s.enabled
      ? {
          initScale: s.init_scale,
          growthFactor: s.growth_factor,
          backoffFactor: s.backoff_factor,
          growthInterval: s.growth_interval,
        }
      : null,
    stochasticRounding: pure && Boolean(lane.stochasticRounding),
  };
}

/** A sentence saying why the GPU model cannot run this policy, or null. */
export function modelPolicyError(p: ModelPolicy): string | null {
  const sixteen: FormatName[] = ['fp32', 'fp16', 'bf16'];
  for (const [what, f] of [
    ['matmul weights', p.matmul],
    ['storage', p.storage],
    ['router', p.router],
    ['weights', p.weights],
  ] as const) {
    if (!sixteen.includes(f)) {
      return `GPU model: ${what} stored as ${f} is not supported; use fp32, fp16 or bf16.`;
    }
  }
  if (p.master && p.weights !== 'fp32') {
    return `GPU model: a master copy is f32, but the policy stores weights as ${p.weights}.`;
  }
  if (!p.master && p.weights !== p.matmul) {
    return `GPU model: without a master copy the matmuls read the stored weights, so matmul (${p.matmul}) and weights (${p.weights}) must be one format.`;
  }
  if (p.matmul !== p.storage) {
    return `GPU model: matmul weights (${p.matmul}) and activations (${p.storage}) must share one format, as every recipe does.`;
  }
  if (p.scaler && !castsWeights(p)) {
    return `GPU model: loss scaling needs f32 master weights with a low-precision copy (an autocast recipe); ${p.name} has none.`;
  }
  if (p.router !== 'fp32' && p.router !== p.storage) {
    return `GPU model: a low-precision router uses the recipe's format (${p.storage}), not ${p.router}.`;
  }
  return null;
}

/** Autocast: weights are cast to a low copy each step (a master copy in f32 beside it). */
export const castsWeights = (p: ModelPolicy): boolean => p.master && p.matmul !== 'fp32';
/** Weights stored only in a low format (bf16-pure). */
export const isPurePolicy = (p: ModelPolicy): boolean => !p.master && p.weights !== 'fp32';
