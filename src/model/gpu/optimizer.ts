/**
 * One optimizer step as kernel launches, the CPU lane's order (train/cpu/cpuLane.ts):
 *   [autocast] gradients -> f32: the 16-bit gradients widened (or unscaled, with found_inf,
 *              when the loss is scaled) and the scaled f32 ones unscaled, run by run
 *   grad norm  per tensor and global, inf/NaN flag, clip coefficient (gradClip or none)
 *   AdamW      master-only runs; master + low copy runs (the copy's cast events counted into the
 *              cast counters, cleared first unless the step is skipped); or pure per tensor,
 *              nearest or stochastic, lost updates counted per tensor. All skip on found_inf.
 *   step end   GradScaler update (scaled recipes), step count, clears found_inf
 *   weight norms of the updated weights (master, or the pure weights)
 */
import { recordCast, type BufferPool, type Tensor } from '../../gpu';
import {
  createAdamWStepTable,
  recordAdamW,
  recordAdamWPure,
  recordGradNorm,
  recordStepEnd,
  recordUnscale,
  type AdamWStepTable,
  type GradNormOutput,
  type NormPlan,
} from '../../gpu/kernels/optim';
import type { ExpertSpan } from '../expertSpans';
import { recordClearUnlessSkipped } from './kernels';
import { sliceRuns, subLayout, type GpuSlice, type SliceRun } from './layout';
import { isCastSlice } from './parameters';
import { countingOf, type ModelParts } from './parts';
import { isPurePolicy } from './policy';
import { viewOf } from './views';

/** AdamW's hyperparameters for one step (torch.optim.AdamW's names) and the clipping norm. */
export interface OptimizerHyper {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** clip_grad_norm_'s max_norm, or null for no clipping. */
  gradClip: number | null;
}

/** The runs each stage dispatches over, fixed per model. */
export interface OptimizerPlan {
  /** Cast slices (autocast): widen / unscale gradsLow -> grads; AdamW with the copy, split
   * where the site or the counter group changes. */
  castRuns: SliceRun[];
  copyRuns: SliceRun[];
  /** The other slices: unscale gradsWide -> grads (loss scaling), master-only AdamW. */
  wideRuns: SliceRun[];
  masterRuns: SliceRun[];
  norm: NormPlan;
  gradNorm: GradNormOutput;
  weightNorm: GradNormOutput;
  /** Each expert's spans in the full layout (layer, expert, tensor) and their norms. */
  experts: ExpertSpan[];
  expertNorm: NormPlan;
  expertWeightNorm: GradNormOutput;
  /** Pure recipes: u32 lost updates per slice. */
  lostUpdates: GPUBuffer | null;
}

export function optimizerRuns(m: Pick<ModelParts, 'p' | 'policy'>) {
  const { slices, cast, wide } = m.p;
  const isCast = (s: GpuSlice) => isCastSlice(m.policy, s);
  const others = subLayout(slices, (s) => !isCast(s));
  const groupOf = (s: GpuSlice) => (s.kind === 'router' ? 'router' : 'weights');
  return {
    castRuns: cast ? sliceRuns(slices, cast) : [],
    copyRuns: cast
      ? sliceRuns(slices, cast, (a, b) => a.site !== b.site || groupOf(a) !== groupOf(b))
      : [],
    wideRuns: wide ? sliceRuns(slices, wide) : [],
    masterRuns: isPurePolicy(m.policy) ? [] : sliceRuns(slices, others),
  };
}

/** AdamW step tables by hyperparameters (a schedule changes lr every step): a few kept. */
export class StepTables {
  private readonly tables = new Map<string, AdamWStepTable>();
  constructor(
    private readonly pool: BufferPool,
    private readonly label: string,
  ) {}

  get(h: OptimizerHyper): AdamWStepTable {
    const hyper = { lr: h.lr, beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weightDecay };
    const key = JSON.stringify(hyper);
    let table = this.tables.get(key);
    if (table) {
      this.tables.delete(key);
    } else {
      // Tables recorded into earlier, already submitted steps may be reused: writeBuffer is
      // ordered after those submits on the queue.
      if (this.tables.size >= 4) {
        const [oldKey, old] = this.tables.entries().next().value as [string, AdamWStepTable];
        this.tables.delete(oldKey);
        this.pool.release(old.buffer);
      }
      table = createAdamWStepTable(this.pool, hyper, `${this.label} adamw steps`);
    }
    this.tables.set(key, table);
    return table;
  }

  bytes(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.buffer.size;
    return n;
  }

  release(): void {
    for (const t of this.tables.values()) this.pool.release(t.buffer);
    this.tables.clear();
  }
}

// prettier-ignore
export function recordModelOptimizerStep(
  enc: GPUCommandEncoder,
  m: ModelParts,
  plan: OptimizerPlan,
  table: AdamWStepTable,
  hyper: OptimizerHyper,
  seed: number,
): void {
  const { k, p, state, policy, groups } = m;
  const grads = p.grads;
  const stateInput = { state };
  // 1. Gradients as the optimizer reads them: f32, unscaled.
  if (p.gradsLow && p.cast) {
    for (const r of plan.castRuns) {
      if (policy.scaler) {
        recordUnscale(enc, k.widen!, { grads: p.gradsLow, out: grads }, { n: r.n, gradOffset: r.subOffset, outOffset: r.offset }, stateInput);
      } else {
        recordCast(enc, k.widen!, viewOf(p.gradsLow, r.subOffset, r.n, [r.n], 'gradients (low) run'), viewOf(grads, r.offset, r.n, [r.n], 'gradients run'));
      }
    }
  }
  if (p.gradsWide) {
    for (const r of plan.wideRuns) {
      recordUnscale(enc, k.unscaleWide!, { grads: p.gradsWide, out: grads }, { n: r.n, gradOffset: r.subOffset, outOffset: r.offset }, stateInput);
    }
  }
  // 2. Norms, inf/NaN, clip coefficient.
  recordGradNorm(enc, k.gradNorm, grads, plan.norm, plan.gradNorm, hyper.gradClip);
  const inputs = { state, table, clipNorm: hyper.gradClip === null ? null : plan.gradNorm };
  // 3. AdamW.
  if (isPurePolicy(policy)) {
    const weights = p.pure as Tensor;
    enc.clearBuffer(plan.lostUpdates!);
    for (const s of p.slices) {
      recordAdamWPure(enc, k.adamwPure!, { weights, grads, moments: p.moments }, { n: s.size, offset: s.offset, gradOffset: s.offset }, {
        ...inputs,
        counting: countingOf(m.counters, groups, 'weights', s.site),
        rounding: policy.stochasticRounding ? 'stochastic' : 'nearest',
        key: seed,
        counter: s.refOffset,
        lostUpdates: { buffer: plan.lostUpdates!, index: s.index },
      });
    }
  } else {
    const master = p.master as Tensor;
    for (const r of plan.masterRuns) {
      recordAdamW(enc, k.adamw!, { master, grads, moments: p.moments }, { n: r.n, offset: r.offset, gradOffset: r.offset }, inputs);
    }
    if (p.copy) {
      recordClearUnlessSkipped(enc, k.model.clearUnlessSkipped, state.buffer, m.castCounters.buffer);
      for (const r of plan.copyRuns) {
        const s = p.slices[r.first];
        const counting = countingOf(m.castCounters, groups, s.kind === 'router' ? 'router' : 'weights', s.site);
        recordAdamW(enc, k.adamwCopy!, { master, grads, moments: p.moments, copy: p.copy }, { n: r.n, offset: r.offset, gradOffset: r.offset, copyOffset: r.subOffset }, { ...inputs, counting });
      }
    }
  }
  // 4. GradScaler update, step count.
  const scaler = policy.scaler && {
    growthFactor: policy.scaler.growthFactor,
    backoffFactor: policy.scaler.backoffFactor,
    growthInterval: policy.scaler.growthInterval,
  };
  recordStepEnd(enc, k.stepEnd, state, scaler);
  // 5. Weight norms after the step.
  recordGradNorm(enc, k.weightNorm, (p.pure ?? p.master) as Tensor, plan.norm, plan.weightNorm, null);
  recordGradNorm(enc, k.weightNorm, (p.pure ?? p.master) as Tensor, plan.expertNorm, plan.expertWeightNorm, null);
}

/** Records the initial cast of the master into the low copy, counting into the cast counters. */
export function recordInitialCast(enc: GPUCommandEncoder, m: ModelParts, plan: OptimizerPlan): void {
  const { p, k } = m;
  if (!p.copy || !p.master || !k.castCopy) return;
  for (const r of plan.copyRuns) {
    const s = p.slices[r.first];
    const counting = countingOf(m.castCounters, m.groups, s.kind === 'router' ? 'router' : 'weights', s.site);
    recordCast(enc, k.castCopy, viewOf(p.master, r.offset, r.n, [r.n], 'master run'), viewOf(p.copy, r.subOffset, r.n, [r.n], 'copy run'), counting);
  }
}
