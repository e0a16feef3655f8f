/**
 * The MoE transformer on the GPU: parameters, activations and optimizer state allocated once,
 * and a training step recorded as kernel launches into the caller's encoder (nothing here
 * submits or reads back, except the explicit read-backs of readState.ts and initialize()).
 *
 *   const model = await GpuMoeModel.create(ctx, cache, pool, config, policy, { seed });
 *   const enc = device.createCommandEncoder();
 *   model.recordForward(enc, tokens, targets);     // (B,T) u32 ids
 *   model.recordBackward(enc);
 *   model.recordOptimizerStep(enc, { lr: 1e-3, gradClip: 1 });
 *   device.queue.submit([enc.finish()]);
 * Metrics stay on the GPU in `metricBuffers` for a read-back ring.
 */
import { F32, initParameters, parameterLayout, resolveConfig, type MoeConfig, type ParameterLayout, type ResolvedMoeConfig } from '../reference';
import { rounderTo } from '../../numerics';
import {
  writeTensor,
  type BufferPool,
  type EventCounters,
  type EventCounting,
  type GpuContext,
  type PipelineCache,
} from '../../gpu';
import type { MatmulVariant } from '../../gpu/kernels/matmul';
import {
  createGradNormOutput,
  createNormPlan,
  createOptimizerState,
  writeOptimizerState,
  type Arithmetic,
  type OptimizerStateValues,
} from '../../gpu/kernels/optim';
import { allocateActivations, allocateGradientScratch } from './activations';
import { recordModelBackward } from './backward';
import { compileModel } from './compile';
import { CounterGroups } from './counters';
import { recordModelForward } from './forward';
import { toGpuLayout } from './layout';
import {
  StepTables,
  optimizerRuns,
  recordInitialCast,
  recordModelOptimizerStep,
  type OptimizerHyper,
  type OptimizerPlan,
} from './optimizer';
import { allocateParameters, parameterTensors } from './parameters';
import { expertSpans } from '../expertSpans';
import type { ModelParts } from './parts';
import type { GpuModelState } from './readState';
import { isPurePolicy, modelPolicyError, type ModelPolicy } from './policy';

/** BufferPool categories of the model's buffers. */
export const MODEL_MEMORY_CATEGORIES = [
  'master_weights',
  'low_precision_weights',
  'gradients',
  'optimizer_state',
  'activations',
  'metrics',
] as const;
export type ModelMemoryCategory = (typeof MODEL_MEMORY_CATEGORIES)[number];

export interface GpuModelOptions {
  /** Seed of the weight init (the reference's initParameters) and of stochastic rounding. */
  seed: number;
  /** Std of the normal init; default 0.02. */
  initStd?: number;
  /** AdamW arithmetic: 'native' (default, fast, within 2 ulp) or 'exact' (bit for bit the CPU). */
  arithmetic?: Arithmetic;
  /** Matmul kernels; default 'register' (give chooseMatmulVariant's choice on a real GPU). */
  matmul?: MatmulVariant;
  counting?: EventCounting;
  /** Prefix of every buffer label. */
  label?: string;
}

/** GPU buffers a metrics ring copies after a step (all written inside the step's encoder). */
export interface MetricBuffers {
  /** f32: total, cross-entropy, balance, z-loss, then balance and z-loss per layer. */
  loss: GPUBuffer;
  /** (L,E) u32 assignments per expert. */
  expertLoad: GPUBuffer;
  /** Cast events of the step: counters[(group * sites + site) * 4 + event]. */
  counters: GPUBuffer;
  /** Grad norms (optim's GradNormOutput layout): global, inf/NaN, clip coefficient, per tensor. */
  gradNorm: GPUBuffer;
  /** Weight norms after the step, same layout. */
  weightNorm: GPUBuffer;
  /** Norms of the experts' spans after the step (plan.experts), same layout. */
  expertWeightNorm: GPUBuffer;
  /** OPTIMIZER_STATE_WORDS u32: found_inf, steps, scale, ... (optimizerState.ts). */
  optimizerState: GPUBuffer;
  /** Pure recipes: u32 lost updates per tensor slice; null otherwise. */
  lostUpdates: GPUBuffer | null;
}

export class GpuMoeModel {
  readonly layout: ParameterLayout;
  readonly metricBuffers: MetricBuffers;
  private tokens: GPUBuffer | null = null;
  private targets: GPUBuffer | null = null;
  private sink: EventCounters | null = null;
  private readonly tables: StepTables;

  private constructor(
    readonly ctx: GpuContext,
    readonly pool: BufferPool,
    readonly parts: ModelParts,
    readonly plan: OptimizerPlan,
    readonly options: Required<Omit<GpuModelOptions, 'counting'>>,
    private readonly owned: Map<GPUBuffer, ModelMemoryCategory>,
  ) {
    this.layout = parameterLayout(parts.config);
    this.tables = new StepTables(pool, options.label);
    this.metricBuffers = {
      loss: parts.a.loss.buffer,
      expertLoad: parts.a.expertLoad,
      counters: parts.counters.buffer,
      gradNorm: plan.gradNorm.buffer,
      weightNorm: plan.weightNorm.buffer,
      expertWeightNorm: plan.expertWeightNorm.buffer,
      optimizerState: parts.state.buffer,
      lostUpdates: plan.lostUpdates,
    };
  }

  /** Compiles the kernels, allocates every buffer and initialises the weights from the seed. */
  static async create(
    ctx: GpuContext,
    cache: PipelineCache,
    pool: BufferPool,
    config: MoeConfig,
    policy: ModelPolicy,
    options: GpuModelOptions,
  ): Promise<GpuMoeModel> {
    const error = modelPolicyError(policy);
    if (error) throw new Error(error);
    const c: ResolvedMoeConfig = resolveConfig(config);
    const o = {
      seed: options.seed >>> 0,
      initStd: options.initStd ?? 0.02,
      arithmetic: options.arithmetic ?? 'native',
      matmul: options.matmul ?? 'register',
      label: options.label ?? `moe ${policy.name}`,
    } as const;
    const k = await compileModel(ctx, cache, policy, {
      matmul: o.matmul,
      arithmetic: o.arithmetic,
      counting: options.counting,
    });
    const owned = new Map<GPUBuffer, ModelMemoryCategory>();
    const own = (category: ModelMemoryCategory, ...buffers: GPUBuffer[]) => {
      for (const b of buffers) owned.set(b, category);
    };
    const layout = parameterLayout(c);
    const p = allocateParameters(pool, layout, c.layers, policy, k.formats, o.label);
    for (const t of parameterTensors(p)) own(t.category as ModelMemoryCategory, t.buffer);
    const activationBuffers: GPUBuffer[] = [];
    const a = allocateActivations(pool, c, k.formats, o.label, activationBuffers);
    const s = allocateGradientScratch(pool, c, k.formats, o.label, activationBuffers);
    own('activations', ...activationBuffers);
    const groups = new CounterGroups(c.layers);
    const counters = groups.create(pool, `${o.label} events`);
    const castCounters = groups.create(pool, `${o.label} cast events`);
    const state = createOptimizerState(pool, {
      label: `${o.label} optimizer state`,
      scale: policy.scaler?.initScale ?? 1,
    });
    own('metrics', counters.buffer, castCounters.buffer);
    own('optimizer_state', state.buffer);
    const parts: ModelParts = { config: c, policy, k, p, a, s, groups, counters, castCounters, state };
    const spans = p.slices.map((sl) => ({ offset: sl.offset, size: sl.size }));
    const norm = createNormPlan(pool, spans, `${o.label} norm plan`);
    const gradNorm = createGradNormOutput(pool, spans.length, `${o.label} grad norms`);
    const weightNorm = createGradNormOutput(pool, spans.length, `${o.label} weight norms`);
    own('optimizer_state', norm.buffer, norm.partials);
    own('metrics', gradNorm.buffer, weightNorm.buffer);
    // Each expert's share of fc1w, fc1b, fc2w, fc2b: their norms make the per-expert weight norms.
    const experts = expertSpans(p.slices, c.layers, c.experts);
    const expertNorm = createNormPlan(pool, experts, `${o.label} expert norm plan`);
    const expertWeightNorm = createGradNormOutput(pool, experts.length, `${o.label} expert weight norms`);
    own('optimizer_state', expertNorm.buffer, expertNorm.partials);
    own('metrics', expertWeightNorm.buffer);
    const lostUpdates = isPurePolicy(policy)
      ? pool.acquire({ label: `${o.label} lost updates`, byteLength: spans.length * 4, category: 'metrics' })
      : null;
    if (lostUpdates) own('metrics', lostUpdates);
    const plan: OptimizerPlan = { ...optimizerRuns(parts), norm, gradNorm, weightNorm, experts, expertNorm, expertWeightNorm, lostUpdates };
    const model = new GpuMoeModel(ctx, pool, parts, plan, o, owned);
    await model.initialize();
    return model;
  }

  get config(): ResolvedMoeConfig {
    return this.parts.config;
  }

  get policy(): ModelPolicy {
    return this.parts.policy;
  }

  /** The weights of the reference's initParameters(seed) (pure recipes: rounded to their
   * format, as model.to(bfloat16)), zero moments and gradients, a fresh optimizer state and,
   * for autocast, the low copy cast on the GPU with its events in the cast counters. Submits
   * once and waits. Also the trainer's reset. */
  async initialize(seed = this.options.seed): Promise<void> {
    const params = new Float32Array(this.layout.total);
    initParameters(F32, params, this.layout, seed, this.options.initStd);
    await this.upload(params, null, { scale: this.parts.policy.scaler?.initScale ?? 1 });
  }

  /** Puts back a state read by readModelState (of this model or another with the same config
   * and policy, on any device): the model then trains on as the one it was read from. */
  async load(state: GpuModelState): Promise<void> {
    const n = this.layout.total;
    for (const [name, values] of [['weights', state.weights], ['expAvg', state.expAvg], ['expAvgSq', state.expAvgSq]] as const) {
      if (values.length !== n) {
        throw new RangeError(`${this.options.label}: the saved ${name} hold ${values.length} values but the model has ${n} parameters; a state loads only into a model of the same shape.`);
      }
    }
    await this.upload(state.weights, [state.expAvg, state.expAvgSq], {
      stepsDone: state.stepsDone,
      scale: this.parts.policy.scaler ? state.scale : 1,
      growthTracker: state.growthTracker,
      skippedSteps: state.skippedSteps,
    });
  }

  /** Clears every parameter-sized buffer and the counters, writes the weights (reference
   * layout; pure recipes: rounded to their format, a no-op for values already in it), the
   * moments when given, the optimizer state, then casts the low copy. Submits and waits. */
  private async upload(
    params: ArrayLike<number>,
    moments: readonly [ArrayLike<number>, ArrayLike<number>] | null,
    state: Partial<OptimizerStateValues>,
  ): Promise<void> {
    const { device } = this.ctx;
    const { p, policy } = this.parts;
    const enc = device.createCommandEncoder({ label: `${this.options.label} initialise` });
    for (const t of parameterTensors(p)) enc.clearBuffer(t.buffer);
    this.parts.counters.clear(enc);
    this.parts.castCounters.clear(enc);
    device.queue.submit([enc.finish()]);
    if (p.pure) {
      const round = rounderTo(policy.weights);
      writeTensor(device, p.pure, toGpuLayout(Array.from(params, round), p.slices, p.total));
    }
    if (p.master) writeTensor(device, p.master, toGpuLayout(params, p.slices, p.total));
    if (moments) {
      const both = new Float32Array(2 * p.total);
      both.set(toGpuLayout(moments[0], p.slices, p.total), 0);
      both.set(toGpuLayout(moments[1], p.slices, p.total), p.total);
      writeTensor(device, p.moments, both);
    }
    writeOptimizerState(device, this.parts.state, state);
    const cast = device.createCommandEncoder({ label: `${this.options.label} initial cast` });
    recordInitialCast(cast, this.parts, this.plan);
    device.queue.submit([cast.finish()]);
    await device.queue.onSubmittedWorkDone();
  }

  /**
   * Forward on (B,T) u32 tokens and targets. Training (default): the step's counters start from
   * the events of the cast the weights come from. `evaluation: true` (held-out loss, samples)
   * counts into a scratch set instead, leaving the step's counters alone.
   */
  recordForward(
    encoder: GPUCommandEncoder,
    tokens: GPUBuffer,
    targets: GPUBuffer,
    options: { evaluation?: boolean } = {},
  ): void {
    const { counters, castCounters } = this.parts;
    let into = counters;
    if (options.evaluation) {
      this.sink ??= this.parts.groups.create(this.pool, `${this.options.label} evaluation events`);
      this.owned.set(this.sink.buffer, 'metrics');
      into = this.sink;
      // Its activations replace the training forward's: no backward may follow.
      this.tokens = null;
      this.targets = null;
    } else {
      encoder.copyBufferToBuffer(castCounters.buffer, 0, counters.buffer, 0, counters.buffer.size);
      this.tokens = tokens;
      this.targets = targets;
    }
    recordModelForward(encoder, this.parts, tokens, targets, into);
  }

  /** Gradients of loss * scale (the optimizer state's scale, 1 without loss scaling) for the
   * last training forward. */
  recordBackward(encoder: GPUCommandEncoder): void {
    if (!this.tokens || !this.targets) {
      throw new Error(`${this.options.label}: record a training forward right before the backward; it needs that forward's activations (an evaluation forward replaces them).`);
    }
    recordModelBackward(encoder, this.parts, this.tokens, this.targets);
  }

  /** Unscale and found_inf, norms and clipping, AdamW (skipped on the GPU when found_inf),
   * GradScaler update, weight norms. */
  recordOptimizerStep(encoder: GPUCommandEncoder, hyper: OptimizerHyper): void {
    const table = this.tables.get(hyper);
    recordModelOptimizerStep(encoder, this.parts, this.plan, table, hyper, this.options.seed);
  }

  /** Bytes of GPU memory the model holds, by category (the AdamW step tables under
   * optimizer_state). */
  memory(): Record<ModelMemoryCategory, number> & { total: number } {
    const out = { total: 0 } as Record<ModelMemoryCategory, number> & { total: number };
    for (const c of MODEL_MEMORY_CATEGORIES) out[c] = 0;
    for (const [b, c] of this.owned) out[c] += b.size;
    out.optimizer_state += this.tables.bytes();
    for (const c of MODEL_MEMORY_CATEGORIES) out.total += out[c];
    return out;
  }

  /** Hands every buffer back to the pool. */
  destroy(): void {
    for (const b of this.owned.keys()) this.pool.release(b);
    this.owned.clear();
    this.tables.release();
  }
}

