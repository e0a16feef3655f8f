/**
 * One lane on the GPU: its GpuMoeModel (weights, optimizer and scaler state on the GPU), the
 * gradient histogram plan, its regions in the ring slots, and the recording of its training
 * step into the step's shared encoder:
 *   [timestamp] state before -> forward -> backward -> gradient histogram (as stored) ->
 *   optimizer (unscale, norms, clip, AdamW, scaler update, weight norms) -> copies of the metric
 *   buffers into the slot -> [timestamp] -> held-out forwards (when due), each cross-entropy
 *   copied after its forward.
 * Nothing here submits or waits.
 */
import { FORMATS } from '../../numerics';
import type { BufferPool, GpuContext, PipelineCache } from '../../gpu';
import type { MatmulVariant } from '../../gpu/kernels/matmul';
import type { Arithmetic } from '../../gpu/kernels/optim';
import type { MemoryEstimate, ModelConfig } from '../../model/config';
import { GpuMoeModel, LOSS_SLOT, isPurePolicy, modelPolicy, type GpuSlice } from '../../model/gpu';
import { lrAt, recipeOf, type LaneConfig } from '../lane';
import type { MetricsFrame } from '../metrics';
import { initStdOf, laneMemory, moeConfigOf } from '../cpu/laneModel';
import {
  createHistogramPlan,
  recordGradHistogram,
  type HistogramPlan,
  type HistogramSource,
} from './kernels/gradHistogram';
import { decodeLaneFrame, type DecodeOptions, type LaneMeta } from './laneFrame';
import type { LaneRegions, LaneShape, Region } from './slotLayout';
import type { StepTimer } from './timing';

export interface GpuLaneOptions {
  arithmetic: Arithmetic;
  matmul: MatmulVariant;
}

/** Token ids of one batch on the GPU: (B,T) u32 each. */
export interface IdBuffers {
  tokens: GPUBuffer;
  targets: GPUBuffer;
}

export interface LaneStepRecording {
  step: number;
  batch: IdBuffers;
  slot: GPUBuffer;
  timer: StepTimer;
  /** Lane index (its timestamp queries). */
  index: number;
  /** The held-out batches, on held-out steps. */
  heldout: readonly IdBuffers[] | null;
}

export class GpuLane {
  readonly meta: LaneMeta;
  readonly memory: MemoryEstimate;
  regions: LaneRegions | null = null;
  divergence: MetricsFrame['diverged'] | null = null;

  private constructor(
    readonly config: LaneConfig,
    readonly model: GpuMoeModel,
    readonly histogram: HistogramPlan,
    private readonly pool: BufferPool,
    modelConfig: ModelConfig,
  ) {
    const { p } = model.parts;
    const c = model.config;
    this.meta = {
      config,
      layers: c.layers,
      experts: c.experts,
      labels: p.slices.map((s) => s.label),
      expertSpans: model.plan.experts,
      sites: p.slices.map((s) => s.site),
      scaled: model.policy.scaler !== null,
      pure: isPurePolicy(model.policy),
      tokens: c.batch * c.context,
      elements: model.layout.total,
      groups: model.parts.groups,
    };
    this.memory = laneMemory(modelConfig, config);
  }

  static async create(
    ctx: GpuContext,
    cache: PipelineCache,
    pool: BufferPool,
    modelConfig: ModelConfig,
    lane: LaneConfig,
    options: GpuLaneOptions,
  ): Promise<GpuLane> {
    const policy = modelPolicy(recipeOf(lane), lane);
    const model = await GpuMoeModel.create(ctx, cache, pool, moeConfigOf(modelConfig, lane), policy, {
      seed: lane.seed,
      initStd: initStdOf(modelConfig),
      arithmetic: options.arithmetic,
      matmul: options.matmul,
      label: `lane ${lane.id}`,
    });
    try {
      const histogram = await createHistogramPlan(ctx, cache, pool, histogramSources(model), `lane ${lane.id}`);
      return new GpuLane(lane, model, histogram, pool, modelConfig);
    } catch (error) {
      model.destroy();
      throw error;
    }
  }

  /** Sizes of this lane's regions in a ring slot. */
  shape(heldoutBatches: number): LaneShape {
    return {
      layers: this.meta.layers,
      experts: this.meta.experts,
      counterBytes: this.model.metricBuffers.counters.size,
      tensors: this.meta.labels.length,
      expertSpans: this.meta.expertSpans.length,
      pure: this.meta.pure,
      heldoutBatches,
    };
  }

  record(encoder: GPUCommandEncoder, s: LaneStepRecording): void {
    const r = this.regions;
    if (!r) throw new Error(`Lane "${this.config.id}" has no place in the metrics ring; the trainer lays out the ring before the first step.`);
    const m = this.model;
    const b = m.metricBuffers;
    const lane = this.config;
    const copy = (src: GPUBuffer, region: Region, srcOffset = 0) =>
      encoder.copyBufferToBuffer(src, srcOffset, s.slot, region.offset, region.bytes);
    s.timer.begin(encoder, s.index);
    copy(b.optimizerState, r.stateBefore);
    m.recordForward(encoder, s.batch.tokens, s.batch.targets);
    m.recordBackward(encoder);
    recordGradHistogram(encoder, this.histogram);
    m.recordOptimizerStep(encoder, {
      lr: lrAt(lane, s.step),
      beta1: lane.beta1,
      beta2: lane.beta2,
      eps: lane.eps,
      weightDecay: lane.weightDecay,
      gradClip: lane.gradClip,
    });
    copy(b.loss, r.loss);
    copy(b.expertLoad, r.expertLoad);
    copy(b.counters, r.counters);
    copy(b.gradNorm, r.gradNorm);
    copy(b.weightNorm, r.weightNorm);
    copy(b.expertWeightNorm, r.expertWeightNorm);
    copy(b.optimizerState, r.stateAfter);
    if (r.lostUpdates && b.lostUpdates) copy(b.lostUpdates, r.lostUpdates);
    copy(this.histogram.hist, r.histogram);
    s.timer.end(encoder, s.index);
    s.timer.copy(encoder, s.index, s.slot, r.timestamps);
    if (s.heldout && r.heldout) {
      s.heldout.forEach((h, i) => {
        m.recordForward(encoder, h.tokens, h.targets, { evaluation: true });
        encoder.copyBufferToBuffer(b.loss, LOSS_SLOT.crossEntropy * 4, s.slot, r.heldout!.offset + 4 * i, 4);
      });
    }
  }

  frame(slot: Uint32Array, step: number, options: DecodeOptions): MetricsFrame {
    if (!this.regions) throw new Error(`Lane "${this.config.id}" has no place in the metrics ring.`);
    return decodeLaneFrame(this.meta, this.regions, slot, step, options);
  }

  /** Back to the seed's weights, fresh optimizer and scaler state, running again. */
  async reset(): Promise<void> {
    await this.model.initialize();
    this.divergence = null;
  }

  destroy(): void {
    this.model.destroy();
    for (const buffer of this.histogram.owned) this.pool.release(buffer);
  }
}

/** The buffers the backward writes weight gradients into, each with the slices it holds
 * (element offsets in its own format), from the model's per-slice gradient views. */
export function histogramSources(model: GpuMoeModel): HistogramSource[] {
  const { p } = model.parts;
  const byBuffer = new Map<GPUBuffer, { storage: HistogramSource['storage']; spans: { offset: number; size: number }[] }>();
  for (const s of p.slices as readonly GpuSlice[]) {
    const view = p.gradOut[s.name][s.layer ?? 0];
    const byteOffset = 'byteOffset' in view ? (view as { byteOffset: number }).byteOffset : 0;
    const offset = (byteOffset * 8) / FORMATS[view.storage].bits;
    const entry = byBuffer.get(view.buffer) ?? { storage: view.storage, spans: [] };
    entry.spans.push({ offset, size: s.size });
    byBuffer.set(view.buffer, entry);
  }
  return [...byBuffer].map(([buffer, e]) => ({ buffer, storage: e.storage, spans: e.spans }));
}
