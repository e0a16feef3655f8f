/**
 * A lane's MetricsFrame from its words in a ring slot (slotLayout.ts): the same fields, names
 * and meanings as the CPU backend's frame (train/cpu/cpuLane.ts), decoded from the GPU's
 * buffers. Pure: no GPU objects, so Node tests can feed it words.
 */
import { f32FromBits } from '../../numerics';
import { decodeGradNorms, decodeOptimizerState } from '../../gpu/kernels/optim';
import { expertNorms, type ExpertSpan } from '../../model/expertSpans';
import { LOSS_SLOT, type CounterGroups } from '../../model/gpu';
import { lrAt, type LaneConfig } from '../lane';
import type { MetricsFrame } from '../metrics';
import { divergenceOf, firstNonFinite } from './divergence';
import { HIST, decodeGradHistogram } from './kernels/gradHistogram';
import { regionWords, type LaneRegions } from './slotLayout';

/** What decoding needs to know about a lane besides its words. */
export interface LaneMeta {
  readonly config: LaneConfig;
  readonly layers: number;
  readonly experts: number;
  /** Weight-norm names of the parameter slices, in slice order ('wte', 'layer0.qkvw', ...). */
  readonly labels: readonly string[];
  /** Site of each slice. */
  readonly sites: readonly number[];
  /** The spans of the per-expert weight norms (layer, expert, tensor). */
  readonly expertSpans: readonly ExpertSpan[];
  /** Dynamic loss scaling (GradScaler). */
  readonly scaled: boolean;
  /** Weights stored only in a low format. */
  readonly pure: boolean;
  /** B*T tokens a step trains on. */
  readonly tokens: number;
  /** Weight-gradient elements (the reference's parameter count). */
  readonly elements: number;
  readonly groups: CounterGroups;
}

export interface DecodeOptions {
  /** Attach the gradient histogram (a histogram step). */
  histogram: boolean;
  /** The slot holds held-out losses for this step. */
  heldout: boolean;
  /** Milliseconds of the lane's step (GPU timestamps, or the wall-time estimate). */
  stepMs: number;
}

export function decodeLaneFrame(
  meta: LaneMeta,
  r: LaneRegions,
  slot: Uint32Array,
  step: number,
  o: DecodeOptions,
): MetricsFrame {
  const lane = meta.config;
  const L = meta.layers;
  const E = meta.experts;
  const f32 = (words: Uint32Array, i: number) => f32FromBits(words[i]);
  const loss = regionWords(slot, r.loss);
  const load = regionWords(slot, r.expertLoad);
  const T = meta.labels.length;
  const gradNorm = decodeGradNorms(regionWords(slot, r.gradNorm), T);
  const weightNorm = decodeGradNorms(regionWords(slot, r.weightNorm), T);
  const before = decodeOptimizerState(regionWords(slot, r.stateBefore));
  const after = decodeOptimizerState(regionWords(slot, r.stateAfter));
  const hist = regionWords(slot, r.histogram);
  const events = meta.groups.table(regionWords(slot, r.counters));

  const spanNorms = decodeGradNorms(regionWords(slot, r.expertWeightNorm), meta.expertSpans.length).perTensor.map((t) => t.norm);
  const weightNorms: Record<string, number> = {};
  meta.labels.forEach((label, t) => (weightNorms[label] = weightNorm.perTensor[t].norm));
  Object.assign(weightNorms, expertNorms(meta.expertSpans, spanNorms));
  const foundInf = meta.scaled ? after.lastFoundInf : gradNorm.nonfinite;
  const stepSkipped = meta.scaled && foundInf;
  let lostUpdates: number | null = null;
  if (r.lostUpdates) lostUpdates = stepSkipped ? 0 : regionWords(slot, r.lostUpdates).reduce((a, x) => a + x, 0);
  const totalLoss = f32(loss, LOSS_SLOT.total);
  const frame: MetricsFrame = {
    step,
    lane: lane.id,
    loss: totalLoss,
    ceLoss: f32(loss, LOSS_SLOT.crossEntropy),
    balanceLoss: f32(loss, LOSS_SLOT.balance),
    zLoss: f32(loss, LOSS_SLOT.zLoss),
    lr: lrAt(lane, step),
    tokensPerSecond: (meta.tokens * 1000) / o.stepMs,
    stepMs: o.stepMs,
    gradNorm: gradNorm.norm,
    weightNorms,
    weightNormTotal: weightNorm.norm,
    events,
    lossScale: meta.scaled ? before.scale : 1,
    foundInf,
    stepSkipped,
    lostUpdates,
    expertLoad: Array.from({ length: L }, (_, l) => Array.from(load.subarray(l * E, (l + 1) * E))),
    gradZeroFraction: hist[HIST.zeros] / meta.elements,
  };
  if (o.histogram) frame.gradHistogram = decodeGradHistogram(hist);
  const lossDiverged = !Number.isFinite(totalLoss) && !meta.scaled;
  if (lossDiverged || weightNorm.nonfinite) {
    const first = firstNonFinite(events, L, meta.pure);
    const bad = weightNorm.perTensor.findIndex((t) => t.nonfinite);
    frame.diverged = divergenceOf(lane.id, step, lossDiverged ? 'loss' : 'weights', totalLoss, first, L, bad < 0 ? null : meta.sites[bad]);
  } else if (o.heldout && r.heldout) {
    const ce = regionWords(slot, r.heldout);
    let sum = 0;
    for (let b = 0; b < ce.length; b++) sum += f32(ce, b);
    frame.heldoutLoss = sum / ce.length;
  }
  return frame;
}
