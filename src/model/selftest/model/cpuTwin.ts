/**
 * The CPU side of the model self-tests: the reference MoE transformer under a GPU policy, and a
 * training step in the CPU lane's order (train/cpu/cpuLane.ts, which the model layer may not
 * import): forward (master cast once) -> backward of loss * scale -> [pure: f32 reductions stored
 * in the weights' format] -> unscale (found_inf) -> global norm -> [skip on found_inf] clip ->
 * AdamW (master) or pure AdamW -> GradScaler update. Cast events are counted at every store
 * with the classification of DESIGN.md §2, per tensor group and site.
 */
import { COUNTED_EVENTS, GradScaler, random32, range, type CountedEvent } from '../../../numerics';
import {
  F32,
  TENSOR_GROUPS,
  adamwStep,
  adamwStepPure,
  clipByGlobalNorm,
  createMoeModel,
  gradNorms,
  moeBackward,
  moeForward,
  storagePolicy,
  type MoeConfig,
  type MoeLosses,
  type MoeModel,
  type Precision,
  type StoreHook,
  type TensorGroup,
} from '../../reference';
import { parameterSite } from '../../reference/storeGroups';
import { PARAMETER_NAMES } from '../../reference';
import { isPurePolicy, type ModelPolicy, type OptimizerHyper } from '../../gpu';
import type { EventCountTable } from '../../gpu/counters';

export interface CpuSlice {
  kind: 'matmul' | 'router' | 'f32';
  site: number;
  offset: number;
  size: number;
}

/** One slice per tensor and layer, reference offsets (the GPU's slice order). */
export function cpuSlices(m: MoeModel): CpuSlice[] {
  const out: CpuSlice[] = [];
  for (const name of PARAMETER_NAMES) {
    const e = m.layout.byName[name];
    const size = e.size / e.layers;
    for (let l = 0; l < e.layers; l++) {
      out.push({ kind: e.kind, site: parameterSite(name, l, m.config.layers), offset: e.offset + l * size, size });
    }
  }
  return out;
}

/** Counts store events per (event, group, site) while active. */
export class CpuEvents {
  active = false;
  readonly counts: EventCountTable;
  constructor(readonly sites: number) {
    this.counts = {} as EventCountTable;
    for (const e of COUNTED_EVENTS) {
      this.counts[e] = {} as Record<TensorGroup, number[]>;
      for (const g of TENSOR_GROUPS) this.counts[e][g] = new Array<number>(sites).fill(0);
    }
  }

  reset(): void {
    for (const e of COUNTED_EVENTS) for (const g of TENSOR_GROUPS) this.counts[e][g].fill(0);
  }

  tally(x: number, y: number, minNormal: number, group: TensorGroup, site: number): void {
    if (!this.active) return;
    const e = storeEvent(x, y, minNormal);
    if (e) this.counts[e][group][site]++;
  }

  readonly hook: StoreHook = (policy: Precision, group: TensorGroup, site: number): Precision => {
    if (policy.storage === null) return policy;
    const base = policy.store;
    const minNormal = range(policy.storage).minNormal;
    return {
      ...policy,
      store: (x: number) => {
        const y = base(x);
        this.tally(x, y, minNormal, group, site);
        return y;
      },
    };
  };
}

/** DESIGN.md §2's fate of storing x as y. */
export function storeEvent(x: number, y: number, minNormal: number): CountedEvent | null {
  if (y === 0) return x !== 0 && x === x ? 'underflow' : null;
  if (y - y !== 0) return x - x === 0 ? 'overflow' : 'nonfinite';
  if (y < minNormal && y > -minNormal) return 'subnormal';
  return null;
}

export interface CpuTwin {
  readonly model: MoeModel;
  readonly policy: ModelPolicy;
  readonly slices: CpuSlice[];
  readonly events: CpuEvents;
  readonly scaler: GradScaler;
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly seed: number;
  optimizerSteps: number;
}

export function createCpuTwin(config: MoeConfig, policy: ModelPolicy, seed: number): CpuTwin {
  const events = new CpuEvents(config.layers + 2);
  const pure = isPurePolicy(policy);
  const model = createMoeModel(
    config,
    {
      main: storagePolicy(policy.storage),
      router: policy.router === 'fp32' ? F32 : storagePolicy(policy.router),
      storedWeights: pure,
      hook: events.hook,
    },
    seed,
  );
  if (pure) {
    const store = storagePolicy(policy.weights).store;
    for (let i = 0; i < model.params.length; i++) model.params[i] = store(model.params[i]);
  }
  const s = policy.scaler;
  return {
    model,
    policy,
    slices: cpuSlices(model),
    events,
    scaler: new GradScaler(
      s
        ? { initScale: s.initScale, growthFactor: s.growthFactor, backoffFactor: s.backoffFactor, growthInterval: s.growthInterval, enabled: true }
        : { enabled: false },
    ),
    m: new Float32Array(model.layout.total),
    v: new Float32Array(model.layout.total),
    seed,
    optimizerSteps: 0,
  };
}

export interface CpuStepResult {
  losses: MoeLosses;
  /** Gradients as the backward stored them (scaled; before unscale). */
  backwardGrads: Float32Array;
  /** Unscaled gradients the norm saw (before clipping). */
  grads: Float32Array;
  gradNorm: number;
  lossScale: number;
  foundInf: boolean;
  stepSkipped: boolean;
  lostUpdates: number | null;
}

/** Forward and backward only (no optimizer), events counted. */
export function cpuForwardBackward(t: CpuTwin, tokens: Int32Array, targets: Int32Array): MoeLosses {
  t.events.reset();
  t.events.active = true;
  const losses = moeForward(t.model, tokens, targets);
  moeBackward(t.model, t.scaler.scale);
  if (isPurePolicy(t.policy)) storeGradsInWeightsFormat(t);
  t.events.active = false;
  return losses;
}

/** One training step as the CPU lane does it; step is 1-based. */
export function cpuStep(
  t: CpuTwin,
  step: number,
  tokens: Int32Array,
  targets: Int32Array,
  hyper: OptimizerHyper,
): CpuStepResult {
  const m = t.model;
  const grads = m.grads as Float32Array;
  const lossScale = t.scaler.scale;
  const losses = cpuForwardBackward(t, tokens, targets);
  t.events.active = true;
  const backwardGrads = Float32Array.from(grads);
  const scaled = t.scaler.enabled ? t.scaler.unscale([grads]) : null;
  const unscaled = Float32Array.from(grads);
  const norm = gradNorms(F32, grads, t.slices, null);
  const foundInf = scaled ? scaled.foundInf : !norm.finite;
  const stepSkipped = scaled !== null && foundInf;
  const pure = isPurePolicy(t.policy);
  let lostUpdates: number | null = pure ? 0 : null;
  if (!stepSkipped) {
    if (hyper.gradClip !== null) clipByGlobalNorm(F32, grads, norm.norm, hyper.gradClip);
    const n = ++t.optimizerSteps;
    const o = { lr: hyper.lr, beta1: hyper.beta1, beta2: hyper.beta2, eps: hyper.eps, weightDecay: hyper.weightDecay };
    if (pure) {
      const format = t.policy.weights;
      const minNormal = range(format).minNormal;
      const key = random32(t.seed, step);
      lostUpdates = 0;
      for (const s of t.slices) {
        const end = s.offset + s.size;
        lostUpdates += adamwStepPure(m.params.subarray(s.offset, end), grads.subarray(s.offset, end), t.m.subarray(s.offset, end), t.v.subarray(s.offset, end), n, {
          ...o,
          format,
          rounding: t.policy.stochasticRounding ? 'stochastic' : 'nearest',
          key,
          counter: s.offset,
          onStore: (x, y) => t.events.tally(x, y, minNormal, 'weights', s.site),
        }).lostUpdates;
      }
    } else {
      adamwStep(F32, m.params, grads, t.m, t.v, n, o);
    }
  }
  t.scaler.update(foundInf);
  t.events.active = false;
  return { losses, backwardGrads, grads: unscaled, gradNorm: norm.norm, lossScale, foundInf, stepSkipped, lostUpdates };
}

/** Pure recipes store every weight gradient in the weights' format (cpuLane.ts). */
function storeGradsInWeightsFormat(t: CpuTwin): void {
  const { grads, policies, router } = t.model;
  for (const s of t.slices) {
    if (s.kind === 'matmul' || (s.kind === 'router' && router.storage !== 'fp32')) continue;
    const store = policies.weight_grads[s.site].store;
    for (let i = s.offset; i < s.offset + s.size; i++) grads[i] = store(grads[i]);
  }
}
