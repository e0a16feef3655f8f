/**
 * One lane on the CPU reference: its model, optimizer state and loss scaler, and the training
 * step that applies its recipe exactly:
 *   forward (master weights cast once) -> backward of loss * scale -> [pure: non-matmul
 *   gradients stored in the weights' format] -> gradient stats as stored -> unscale (GradScaler:
 *   inf/NaN check) -> global norm -> [skip if found inf] clip -> AdamW (master) or pure AdamW
 *   (nearest or stochastic, counting lost updates) -> scaler update -> weight norms.
 * Events are counted at every store during the step (eventCounter.ts).
 */
import { GradScaler, random32, range } from '../../numerics';
import type { Batch } from '../../data/types';
import type { MemoryEstimate, ModelConfig } from '../../model/config';
import {
  adamwStep,
  adamwStepPure,
  clipByGlobalNorm,
  createMoeModel,
  F32,
  gradNorms,
  moeBackward,
  moeForward,
  type MoeModel,
} from '../../model/reference';
import { expertNorms, expertSpans, type ExpertSpan } from '../../model/expertSpans';
import { siteNames } from '../../model/reference/storeGroups';
import { lrAt, recipeOf, scalerConfig, type LaneConfig } from '../lane';
import type { Divergence, MetricsFrame } from '../metrics';
import type { LaneSnapshot } from '../snapshot';
import { gradScalerOptions, type Recipe } from '../recipes';
import { EventCounter } from './eventCounter';
import { countZeros, gradHistogram } from './gradStats';
import {
  initStdOf,
  isPure,
  laneMemory,
  lanePrecision,
  moeConfigOf,
  tensorSlices,
  type TensorSlice,
} from './laneModel';

export class CpuLane {
  readonly config: LaneConfig;
  readonly recipe: Recipe;
  readonly model: MoeModel;
  readonly memory: MemoryEstimate;
  readonly counter: EventCounter;
  readonly slices: readonly TensorSlice[];
  /** Each expert's share of the expert tensors (its weight norm). */
  readonly expertSpans: readonly ExpertSpan[];
  divergence: Divergence | null = null;
  readonly #pure: boolean;
  readonly #m: Float32Array;
  readonly #v: Float32Array;
  readonly #scaler: GradScaler;
  readonly #sites: string[];
  #optimizerSteps = 0;
  #skippedSteps = 0;

  constructor(model: ModelConfig, lane: LaneConfig) {
    this.config = lane;
    this.recipe = recipeOf(lane);
    this.#pure = isPure(lane);
    this.counter = new EventCounter(model.layers + 2);
    this.#sites = siteNames(model.layers);
    const precision = lanePrecision(lane, this.counter.hook);
    this.model = createMoeModel(moeConfigOf(model, lane), precision, lane.seed, initStdOf(model));
    if (this.#pure) {
      // model.to(bfloat16): the f32 init rounded once to the weights' format.
      const store = precision.main.store;
      const p = this.model.params;
      for (let i = 0; i < p.length; i++) p[i] = store(p[i]);
    }
    this.slices = tensorSlices(this.model.layout, model.layers);
    const layerOf = (site: number) => (site >= 1 && site <= model.layers ? site - 1 : null);
    this.expertSpans = expertSpans(
      this.slices.map((s) => ({ name: s.name, layer: layerOf(s.site), offset: s.offset, size: s.size })),
      model.layers,
      model.experts,
    );
    this.memory = laneMemory(model, lane);
    const n = this.model.layout.total;
    this.#m = new Float32Array(n);
    this.#v = new Float32Array(n);
    this.#scaler = new GradScaler(gradScalerOptions(scalerConfig(lane)));
  }

  /** Trains on the batch as step `step` (1-based) and returns the frame. */
  train(step: number, batch: Batch, histogram: boolean): MetricsFrame {
    const t0 = performance.now();
    const { model: m, counter, config: lane } = this;
    const grads = m.grads as Float32Array;
    counter.reset();
    counter.active = true;
    const losses = moeForward(m, batch.inputs, batch.targets);
    const lossScale = this.#scaler.scale;
    moeBackward(m, lossScale);
    if (this.#pure) this.#storeGradsInWeightsFormat();
    const zeros = countZeros(grads);
    const gradHist = histogram ? gradHistogram(grads) : undefined;
    const scaled = this.#scaler.enabled ? this.#scaler.unscale([grads]) : null;
    const norm = gradNorms(F32, grads, this.slices, null);
    const foundInf = scaled ? scaled.foundInf : !norm.finite;
    const stepSkipped = scaled !== null && foundInf;
    const lr = lrAt(lane, step);
    let lostUpdates: number | null = this.#pure ? 0 : null;
    if (!stepSkipped) {
      if (lane.gradClip !== null) clipByGlobalNorm(F32, grads, norm.norm, lane.gradClip);
      const t = ++this.#optimizerSteps;
      const options = { lr, beta1: lane.beta1, beta2: lane.beta2, eps: lane.eps, weightDecay: lane.weightDecay };
      if (this.#pure) lostUpdates = this.#pureStep(step, t, options);
      else adamwStep(F32, m.params, grads, this.#m, this.#v, t, options);
    }
    if (stepSkipped) this.#skippedSteps++;
    this.#scaler.update(foundInf);
    counter.active = false;
    const perTensor = new Float32Array(this.slices.length);
    const weightNorm = gradNorms(F32, m.params, this.slices, perTensor);
    const weightNorms: Record<string, number> = {};
    this.slices.forEach((s, j) => (weightNorms[s.label] = perTensor[j]));
    const spanNorms = new Float32Array(this.expertSpans.length);
    gradNorms(F32, m.params, this.expertSpans, spanNorms);
    Object.assign(weightNorms, expertNorms(this.expertSpans, spanNorms));
    const { layers: L, experts: E } = m.config;
    const expertLoad = Array.from({ length: L }, (_, l) => Array.from(losses.expertLoad.subarray(l * E, (l + 1) * E)));
    const stepMs = performance.now() - t0;
    const frame: MetricsFrame = {
      step,
      lane: lane.id,
      loss: losses.loss,
      ceLoss: losses.crossEntropy,
      balanceLoss: losses.balance,
      zLoss: losses.zLoss,
      lr,
      tokensPerSecond: (batch.inputs.length * 1000) / stepMs,
      stepMs,
      gradNorm: norm.norm,
      weightNorms,
      weightNormTotal: weightNorm.norm,
      events: counter.table(),
      lossScale,
      foundInf,
      stepSkipped,
      lostUpdates,
      expertLoad,
      gradZeroFraction: zeros / grads.length,
    };
    if (gradHist) frame.gradHistogram = gradHist;
    const lossDiverged = !Number.isFinite(losses.loss) && !this.#scaler.enabled;
    if (lossDiverged || !weightNorm.finite) {
      this.divergence = this.#divergence(step, lossDiverged ? 'loss' : 'weights', losses.loss);
      frame.diverged = this.divergence;
    }
    return frame;
  }

  /** A copy of the lane's state (snapshot.ts). */
  snapshot(): LaneSnapshot {
    return {
      id: this.config.id,
      weights: Float32Array.from(this.model.params),
      expAvg: this.#m.slice(),
      expAvgSq: this.#v.slice(),
      stepsDone: this.#optimizerSteps,
      scale: this.#scaler.scale,
      growthTracker: this.#scaler.growthTracker,
      skippedSteps: this.#skippedSteps,
      divergence: this.divergence,
    };
  }

  /** Puts a snapshot of this lane (checked by snapshotMismatch) back. */
  restore(s: LaneSnapshot): void {
    this.model.params.set(s.weights);
    this.#m.set(s.expAvg);
    this.#v.set(s.expAvgSq);
    this.#optimizerSteps = s.stepsDone;
    this.#skippedSteps = s.skippedSteps;
    if (this.#scaler.enabled) this.#scaler.loadState(s);
    this.divergence = s.divergence;
  }

  /** Mean cross-entropy over the batches; no events counted, no state changed but activations. */
  heldoutLoss(batches: readonly Batch[]): number {
    let sum = 0;
    for (const b of batches) sum += moeForward(this.model, b.inputs, b.targets).crossEntropy;
    return sum / batches.length;
  }

  /** Pure recipes store every weight gradient in the weights' format; matmul (and low-precision
   * router) gradients already were, at their matmul's output; the f32 reductions (embeddings,
   * layer norms, an f32 router) are stored here, through the weight-gradient policy. */
  #storeGradsInWeightsFormat(): void {
    const { grads, policies, router } = this.model;
    for (const s of this.slices) {
      if (s.kind === 'matmul' || (s.kind === 'router' && router.storage !== 'fp32')) continue;
      const store = policies.weight_grads[s.site].store;
      for (let i = s.offset; i < s.offset + s.size; i++) grads[i] = store(grads[i]);
    }
  }

  /** AdamW on the stored weights, tensor slice by slice (so events land on their site);
   * returns the number of lost updates. Stochastic rounding draws random32(key, flat index)
   * with key = random32(seed, step). */
  #pureStep(step: number, t: number, options: { lr: number }): number {
    const { params, grads } = this.model;
    const format = this.recipe.weightsFormat;
    const minNormal = range(format).minNormal;
    const key = random32(this.config.seed, step);
    const rounding = this.config.stochasticRounding ? 'stochastic' : 'nearest';
    let lost = 0;
    for (const s of this.slices) {
      const end = s.offset + s.size;
      const onStore = (x: number, y: number): void => this.counter.tally(x, y, minNormal, 'weights', s.site);
      lost += adamwStepPure(
        params.subarray(s.offset, end),
        grads.subarray(s.offset, end),
        this.#m.subarray(s.offset, end),
        this.#v.subarray(s.offset, end),
        t,
        { ...options, format, rounding, key, counter: s.offset, onStore },
      ).lostUpdates;
    }
    return lost;
  }

  #divergence(step: number, reason: 'loss' | 'weights', loss: number): Divergence {
    const first = this.counter.first;
    let group: Divergence['group'] = first?.group ?? null;
    let site: string | null = first ? this.#sites[first.site] : null;
    const event = first?.event ?? null;
    if (!first && reason === 'weights') {
      const p = this.model.params;
      const bad = this.slices.find((s) => p.subarray(s.offset, s.offset + s.size).some((x) => !Number.isFinite(x)));
      group = 'weights';
      site = bad ? this.#sites[bad.site] : null;
    }
    const what =
      reason === 'loss'
        ? `its loss is ${loss}`
        : 'the optimizer wrote inf/NaN into its weights';
    const where = group
      ? `the first non-finite values appeared in ${group}${site ? ` (${site})` : ''}${event ? `, by ${event === 'overflow' ? 'overflow of a finite value' : 'an inf/NaN coming in'}` : ''}`
      : 'no stored tensor held an inf/NaN before the loss did';
    return {
      step,
      reason,
      group,
      site,
      event,
      message: `Lane "${this.config.id}" diverged at step ${step}: ${what}; ${where}. It stopped; the other lanes go on. Try a lower learning rate, gradient clipping, or a recipe with loss scaling.`,
    };
  }
}
