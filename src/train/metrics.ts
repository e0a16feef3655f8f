/**
 * The per-step, per-lane metrics frame: what every backend (CPU reference, WebGPU) produces after
 * each step, what the worker sends out and what charts and exports read. Plain data only (it is
 * structured-cloned across the worker boundary). Counts are numbers, sizes bytes, times ms.
 *
 * Sites (per-layer breakdowns): ['embed', 'layer0', ..., 'layer{L-1}', 'head'] (siteNames(L)).
 */
import { COUNTED_EVENTS, type CountedEvent } from '../numerics';
import type { MemoryEstimate } from '../model/config';
import { TENSOR_GROUPS, type TensorGroup } from '../model/reference/storeGroups';

export { COUNTED_EVENTS, TENSOR_GROUPS };
export type { CountedEvent, TensorGroup };

/** events[event][group][site]: values whose cast to their storage format had that fate this
 * step (DESIGN.md §2 table). Router values are counted under 'router' only. */
export type EventTable = Record<CountedEvent, Record<TensorGroup, number[]>>;

/** log2 histogram of |gradient| bins: bin i counts 2^(minExponent+i) <= |g| < 2^(minExponent+i+1). */
export const GRAD_HISTOGRAM_RANGE = { minExponent: -64, maxExponent: 16 } as const;
export const GRAD_HISTOGRAM_BINS = GRAD_HISTOGRAM_RANGE.maxExponent - GRAD_HISTOGRAM_RANGE.minExponent;

/** Weight gradients as stored by the backward (so times the loss scale where there is one). */
export interface GradHistogram {
  minExponent: number;
  /** (GRAD_HISTOGRAM_BINS) counts per binade. */
  counts: number[];
  /** 0 < |g| < 2^minExponent */
  below: number;
  /** |g| >= 2^maxExponent, finite */
  above: number;
  /** g == 0 exactly (either sign) */
  zeros: number;
  /** inf or NaN */
  nonfinite: number;
}

export interface TextSample {
  /** The prompt, taken from the held-out text. */
  prompt: string;
  /** What the lane's model wrote after it (greedy, or sampled at the temperature). */
  completion: string;
  temperature: number;
}

/** Where a lane's numbers first stopped being finite; the lane stops at this step. */
export interface Divergence {
  step: number;
  /** 'loss': the loss was inf/NaN (without a loss scaler to skip the step); 'weights': the
   * optimizer wrote inf/NaN into the weights. */
  reason: 'loss' | 'weights';
  /** The first tensor group, in execution order, that held an inf/NaN this step. */
  group: TensorGroup | null;
  /** Its site ('layer0', 'embed', 'head') or null. */
  site: string | null;
  /** 'overflow' (a finite value rounded to inf) or 'nonfinite' (inf/NaN came in). */
  event: 'overflow' | 'nonfinite' | null;
  /** A sentence for the person: what happened, where, what to try. */
  message: string;
}

export interface MetricsFrame {
  /** Steps completed, 1 for the first update. */
  step: number;
  /** LaneConfig.id */
  lane: string;
  /** Total training loss (cross-entropy + aux losses) of this step's batch. */
  loss: number;
  ceLoss: number;
  /** Switch load-balancing loss, summed over layers, coefficient included. */
  balanceLoss: number;
  /** Router z-loss, summed over layers, coefficient included. */
  zLoss: number;
  /** Learning rate used by this step. */
  lr: number;
  tokensPerSecond: number;
  /** Wall time of the lane's step (forward, backward, optimizer, metrics), ms. */
  stepMs: number;
  /** Global L2 norm of the unscaled gradients, before clipping. */
  gradNorm: number;
  /** L2 norm of each parameter tensor after the step, by name ('wte', 'layer0.qkvw', 'lmHead'). */
  weightNorms: Record<string, number>;
  weightNormTotal: number;
  events: EventTable;
  /** Loss scale this step's backward used (1 without scaling). */
  lossScale: number;
  /** The gradients held an inf or NaN. */
  foundInf: boolean;
  /** The optimizer step was skipped (GradScaler found inf/NaN). */
  stepSkipped: boolean;
  /** Pure recipes: updates that vanished in the rounding (DESIGN.md §2); null otherwise. */
  lostUpdates: number | null;
  /** [layer][expert] (token, slot) assignments routed to each expert. */
  expertLoad: number[][];
  /** Fraction of weight-gradient elements that are exactly 0 (as stored). */
  gradZeroFraction: number;
  /** Every histogramEvery steps. */
  gradHistogram?: GradHistogram;
  /** Every heldoutEvery steps: mean cross-entropy over the fixed held-out batches. */
  heldoutLoss?: number;
  /** Every sampleEvery steps. */
  sample?: TextSample;
  /** On a lane's first frame. */
  memory?: MemoryEstimate;
  /** On the frame of the step where the lane diverged; it produces no frames after. */
  diverged?: Divergence;
}

/** An all-zero event table for `sites` sites. */
export function emptyEventTable(sites: number): EventTable {
  const table = {} as EventTable;
  for (const event of COUNTED_EVENTS) {
    table[event] = {} as Record<TensorGroup, number[]>;
    for (const group of TENSOR_GROUPS) table[event][group] = new Array<number>(sites).fill(0);
  }
  return table;
}

/** Per-tensor weight norm name: 'wte', 'lmHead', or 'layer0.qkvw' for block tensors. */
export const weightTensorName = (name: string, layer: number | null): string =>
  layer === null ? name : `layer${layer}.${name}`;
