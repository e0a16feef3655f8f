/**
 * A lane: one recipe with its own optimizer, schedule, router and aux-loss settings, trained in
 * lockstep with the others on the same batches. Plain data (it travels to the worker and into
 * the URL); `validateLane` says what is wrong in sentences that name the field.
 */
import { gradScalerOptionsError } from '../numerics';
import {
  GRAD_SCALER_DEFAULTS,
  gradScalerOptions,
  isRecipeName,
  RECIPES,
  type GradScalerConfig,
  type Recipe,
  type RecipeName,
} from './recipes';

/** Learning rate by step: constant, or linear warmup then cosine decay (nanoGPT's get_lr). */
export type LrSchedule =
  | { kind: 'constant' }
  | {
      kind: 'warmup-cosine';
      /** Steps of linear warmup from lr/warmupSteps to lr. */
      warmupSteps: number;
      /** Step at which the cosine reaches minLr; constant minLr after. */
      totalSteps: number;
      minLr: number;
    };

export interface LaneConfig {
  /** Unique within a run: the `lane` column of the CSV and the key of every series. */
  id: string;
  /** Name as shown to people; defaults to the recipe's label. */
  label?: string;
  recipe: RecipeName;
  /** Pure recipes only: round updated weights stochastically instead of to nearest even. */
  stochasticRounding?: boolean;
  /** 'f32' (default, Switch's selective precision) or 'low': the recipe's low format. */
  router: 'f32' | 'low';
  /** Peak learning rate of AdamW. */
  lr: number;
  schedule: LrSchedule;
  /** Clip gradients to this global L2 norm (torch.nn.utils.clip_grad_norm_), or null for off. */
  gradClip: number | null;
  /** Switch load-balancing loss coefficient alpha (0.01 in the paper). */
  balanceCoef: number;
  /** ST-MoE router z-loss coefficient (0.001 in the paper). */
  zLossCoef: number;
  /** Seed of the weight init and of stochastic rounding; lanes compared share it. */
  seed: number;
  /** Overrides of the recipe's GradScaler settings (PyTorch's names). */
  scaler?: Partial<GradScalerConfig>;
  weightDecay?: number; // 0.01 (torch.optim.AdamW)
  beta1?: number; // 0.9
  beta2?: number; // 0.999
  eps?: number; // 1e-8
}

export const LANE_DEFAULTS = {
  router: 'f32',
  lr: 1e-3,
  schedule: { kind: 'constant' },
  gradClip: 1,
  balanceCoef: 0.01,
  zLossCoef: 0.001,
  seed: 1337,
} as const satisfies Partial<LaneConfig>;

/** A lane of the recipe with the defaults, id = recipe name unless overridden. */
export function makeLane(recipe: RecipeName, overrides: Partial<LaneConfig> = {}): LaneConfig {
  return { id: recipe, recipe, ...LANE_DEFAULTS, ...overrides };
}

export function recipeOf(lane: LaneConfig): Recipe {
  return RECIPES[lane.recipe];
}

/** The lane's GradScaler settings: the recipe's, with the lane's overrides. */
export function scalerConfig(lane: LaneConfig): GradScalerConfig {
  return { ...recipeOf(lane).lossScaling, ...lane.scaler };
}

/** Learning rate at step (1 = the first update). */
export function lrAt(lane: LaneConfig, step: number): number {
  const s = lane.schedule;
  if (s.kind === 'constant') return lane.lr;
  if (step <= s.warmupSteps) return (lane.lr * step) / s.warmupSteps;
  if (step >= s.totalSteps) return s.minLr;
  const progress = (step - s.warmupSteps) / (s.totalSteps - s.warmupSteps);
  return s.minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lane.lr - s.minLr);
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function scheduleErrors(where: string, lane: LaneConfig): string[] {
  const s = lane.schedule as LrSchedule | undefined;
  if (!s || (s.kind !== 'constant' && s.kind !== 'warmup-cosine')) {
    const kind = (lane.schedule as { kind?: unknown } | undefined)?.kind;
    return [`${where}: schedule.kind is ${JSON.stringify(kind)}; use 'constant' or 'warmup-cosine'.`];
  }
  if (s.kind === 'constant') return [];
  const errors: string[] = [];
  if (!(Number.isInteger(s.warmupSteps) && s.warmupSteps >= 0))
    errors.push(`${where}: schedule.warmupSteps is ${s.warmupSteps}; it must be a whole number of steps, 0 or more.`);
  if (!(Number.isInteger(s.totalSteps) && s.totalSteps > s.warmupSteps))
    errors.push(`${where}: schedule.totalSteps is ${s.totalSteps}; it must be a whole number of steps above warmupSteps (${s.warmupSteps}).`);
  if (!(isNumber(s.minLr) && s.minLr >= 0 && s.minLr <= lane.lr))
    errors.push(`${where}: schedule.minLr is ${s.minLr}; it must be between 0 and lr (${lane.lr}).`);
  return errors;
}

/** The numerics sentence with GradScaler's argument names as PyTorch spells them. */
const pytorchNames = (sentence: string): string =>
  sentence
    .replace('initScale', 'scaler.init_scale')
    .replace('growthFactor', 'scaler.growth_factor')
    .replace('backoffFactor', 'scaler.backoff_factor')
    .replace('growthInterval', 'scaler.growth_interval');

/** Every problem with one lane, one sentence each naming the field; empty when usable. */
export function validateLane(lane: LaneConfig): string[] {
  const where = `Lane "${String(lane.id)}"`;
  const errors: string[] = [];
  if (typeof lane.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._+-]{0,39}$/.test(lane.id)) {
    errors.push(
      `${where}: id must be 1 to 40 letters, digits, '.', '_', '+' or '-', starting with a letter or digit (it names the lane in CSV files and URLs).`,
    );
  }
  if (!isRecipeName(lane.recipe)) {
    errors.push(`${where}: recipe is ${JSON.stringify(lane.recipe)}; use one of ${Object.keys(RECIPES).join(', ')}.`);
    return errors;
  }
  const recipe = RECIPES[lane.recipe];
  if (lane.stochasticRounding && !recipe.allowsStochasticRounding) {
    errors.push(`${where}: stochasticRounding applies only to weights stored without a master copy; the ${lane.recipe} recipe keeps f32 master weights, so use bf16-pure or turn it off.`);
  }
  if (lane.router !== 'f32' && lane.router !== 'low') {
    errors.push(`${where}: router is ${JSON.stringify(lane.router)}; use 'f32' or 'low'.`);
  }
  if (!(isNumber(lane.lr) && lane.lr > 0)) errors.push(`${where}: lr is ${lane.lr}; it must be a positive number (try 1e-3).`);
  else errors.push(...scheduleErrors(where, lane));
  if (lane.gradClip !== null && !(isNumber(lane.gradClip) && lane.gradClip > 0)) {
    errors.push(`${where}: gradClip is ${lane.gradClip}; give a positive maximum norm (e.g. 1) or null for no clipping.`);
  }
  for (const field of ['balanceCoef', 'zLossCoef'] as const) {
    if (!(isNumber(lane[field]) && lane[field] >= 0)) errors.push(`${where}: ${field} is ${lane[field]}; it must be a number, 0 or more.`);
  }
  if (!(Number.isInteger(lane.seed) && lane.seed >= 0 && lane.seed <= 0xffffffff)) {
    errors.push(`${where}: seed is ${lane.seed}; it must be a whole number from 0 to 4294967295.`);
  }
  const optimizer: [keyof LaneConfig, number | undefined, number, number][] = [
    ['weightDecay', lane.weightDecay, 0, 1],
    ['beta1', lane.beta1, 0, 1],
    ['beta2', lane.beta2, 0, 1],
    ['eps', lane.eps, 0, 1],
  ];
  for (const [field, value, min, max] of optimizer) {
    if (value !== undefined && !(isNumber(value) && value >= min && value < max)) {
      errors.push(`${where}: ${field} is ${value}; it must be at least ${min} and below ${max}.`);
    }
  }
  if (lane.eps !== undefined && lane.eps === 0) errors.push(`${where}: eps is 0; AdamW divides by sqrt(v) + eps, so give it a small positive value (1e-8).`);
  const scaler = { ...GRAD_SCALER_DEFAULTS, ...lane.scaler };
  const scalerError = gradScalerOptionsError(gradScalerOptions(scaler));
  if (scalerError) errors.push(`${where}: ${pytorchNames(scalerError)}`);
  return errors;
}

/** Problems with a run's lanes: each lane's, plus an empty list, too many, or a repeated id. */
export function validateLanes(lanes: readonly LaneConfig[], maxLanes = 8): string[] {
  if (lanes.length === 0) return ['The run has no lanes; add at least one recipe to train.'];
  const errors: string[] = [];
  if (lanes.length > maxLanes) errors.push(`The run has ${lanes.length} lanes; at most ${maxLanes} train side by side.`);
  const seen = new Set<string>();
  for (const lane of lanes) {
    if (seen.has(lane.id)) errors.push(`Lane id "${lane.id}" is used twice; give each lane its own id.`);
    seen.add(lane.id);
    errors.push(...validateLane(lane));
  }
  return errors;
}
