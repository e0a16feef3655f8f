/**
 * The lane editor's form as text (so a half-typed or wrong value can sit in a box), the lane it
 * describes, and which field each of validateLane's sentences is about. Blank optimizer fields
 * mean "PyTorch's default".
 */
import type { LaneConfig } from '../../train/lane';
import { RECIPES, type GradScalerConfig } from '../../train/recipes';

export interface LaneDraft {
  router: 'f32' | 'low';
  lr: string;
  scheduleKind: 'constant' | 'warmup-cosine';
  warmupSteps: string;
  totalSteps: string;
  minLr: string;
  clip: boolean;
  gradClip: string;
  balanceCoef: string;
  zLossCoef: string;
  seed: string;
  stochasticRounding: boolean;
  scalerEnabled: boolean;
  init_scale: string;
  growth_factor: string;
  backoff_factor: string;
  growth_interval: string;
  weightDecay: string;
  beta1: string;
  beta2: string;
  eps: string;
}

export type DraftField = keyof LaneDraft;

const text = (v: number | undefined): string => (v === undefined ? '' : String(v));

export function draftOf(lane: LaneConfig): LaneDraft {
  const scaler = { ...RECIPES[lane.recipe].lossScaling, ...lane.scaler };
  const s = lane.schedule;
  return {
    router: lane.router,
    lr: String(lane.lr),
    scheduleKind: s.kind,
    warmupSteps: s.kind === 'warmup-cosine' ? String(s.warmupSteps) : '100',
    totalSteps: s.kind === 'warmup-cosine' ? String(s.totalSteps) : '2000',
    minLr: s.kind === 'warmup-cosine' ? String(s.minLr) : String(lane.lr / 10),
    clip: lane.gradClip !== null,
    gradClip: lane.gradClip === null ? '1' : String(lane.gradClip),
    balanceCoef: String(lane.balanceCoef),
    zLossCoef: String(lane.zLossCoef),
    seed: String(lane.seed),
    stochasticRounding: lane.stochasticRounding ?? false,
    scalerEnabled: scaler.enabled,
    init_scale: String(scaler.init_scale),
    growth_factor: String(scaler.growth_factor),
    backoff_factor: String(scaler.backoff_factor),
    growth_interval: String(scaler.growth_interval),
    weightDecay: text(lane.weightDecay),
    beta1: text(lane.beta1),
    beta2: text(lane.beta2),
    eps: text(lane.eps),
  };
}

/** '' reads as NaN, so an emptied box is an error, not a silent 0. */
const num = (t: string): number => (t.trim() === '' ? NaN : Number(t));
const optional = (t: string): number | undefined => (t.trim() === '' ? undefined : Number(t));

const SCALER_KEYS = ['init_scale', 'growth_factor', 'backoff_factor', 'growth_interval'] as const;

/** The lane the draft describes (id, name and recipe from `base`). */
export function laneFromDraft(base: LaneConfig, d: LaneDraft): LaneConfig {
  const recipe = RECIPES[base.recipe];
  const lr = num(d.lr);
  const scaler: Partial<GradScalerConfig> = {};
  if (d.scalerEnabled !== recipe.lossScaling.enabled) scaler.enabled = d.scalerEnabled;
  if (d.scalerEnabled) {
    for (const k of SCALER_KEYS) {
      const v = num(d[k]);
      if (v !== recipe.lossScaling[k]) scaler[k] = v;
    }
  }
  const lane: LaneConfig = {
    id: base.id,
    ...(base.label ? { label: base.label } : {}),
    recipe: base.recipe,
    router: d.router,
    lr,
    schedule:
      d.scheduleKind === 'constant'
        ? { kind: 'constant' }
        : { kind: 'warmup-cosine', warmupSteps: num(d.warmupSteps), totalSteps: num(d.totalSteps), minLr: num(d.minLr) },
    gradClip: d.clip ? num(d.gradClip) : null,
    balanceCoef: num(d.balanceCoef),
    zLossCoef: num(d.zLossCoef),
    seed: num(d.seed),
  };
  if (d.stochasticRounding) lane.stochasticRounding = true;
  if (Object.keys(scaler).length > 0) lane.scaler = scaler;
  const wd = optional(d.weightDecay);
  const b1 = optional(d.beta1);
  const b2 = optional(d.beta2);
  const eps = optional(d.eps);
  if (wd !== undefined) lane.weightDecay = wd;
  if (b1 !== undefined) lane.beta1 = b1;
  if (b2 !== undefined) lane.beta2 = b2;
  if (eps !== undefined) lane.eps = eps;
  return lane;
}

/** Which field a validateLane sentence is about, by the name it quotes. */
const FIELD_PATTERNS: [RegExp, DraftField][] = [
  [/schedule\.warmupSteps/, 'warmupSteps'],
  [/schedule\.totalSteps/, 'totalSteps'],
  [/schedule\.minLr/, 'minLr'],
  [/: lr is/, 'lr'],
  [/gradClip/, 'gradClip'],
  [/balanceCoef/, 'balanceCoef'],
  [/zLossCoef/, 'zLossCoef'],
  [/: seed is/, 'seed'],
  [/stochasticRounding/, 'stochasticRounding'],
  [/router is/, 'router'],
  [/scaler\.init_scale/, 'init_scale'],
  [/scaler\.growth_factor/, 'growth_factor'],
  [/scaler\.backoff_factor/, 'backoff_factor'],
  [/scaler\.growth_interval/, 'growth_interval'],
  [/weightDecay/, 'weightDecay'],
  [/beta1/, 'beta1'],
  [/beta2/, 'beta2'],
  [/: eps is/, 'eps'],
];

/** validateLane's sentences by field (without the "Lane "id": " prefix); unplaced ones under null. */
export function errorsByField(errors: readonly string[]): Map<DraftField | null, string[]> {
  const out = new Map<DraftField | null, string[]>();
  for (const e of errors) {
    const field = FIELD_PATTERNS.find(([re]) => re.test(e))?.[1] ?? null;
    const sentence = e.replace(/^Lane "[^"]*": /, '');
    out.set(field, [...(out.get(field) ?? []), sentence]);
  }
  return out;
}
