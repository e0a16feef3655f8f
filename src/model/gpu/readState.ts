/**
 * Explicit, async read-back of a GPU model's state for tests and diagnostics (training reads
 * the same buffers through a ring, a few steps behind). Tensor values come back in the
 * reference's unpadded layout, so they compare element by element with the CPU model.
 */
import { decodeWords, readBuffer, type Tensor } from '../../gpu';
import {
  readGradNorms,
  readOptimizerState,
  type GradNormValues,
  type OptimizerStateValues,
} from '../../gpu/kernels/optim';
import type { TrainingState } from '../trainingState';
import type { EventCountTable } from './counters';
import { LOSS_SLOT, lossWords } from './kernels';
import { fromGpuLayout } from './layout';
import type { GpuMoeModel } from './model';
import { isView } from './views';

export interface GpuLosses {
  loss: number;
  crossEntropy: number;
  balance: number;
  zLoss: number;
  /** Per layer, coefficients included. */
  balanceByLayer: number[];
  zLossByLayer: number[];
}

/** Values of a tensor (or a view of a flat buffer), decoded exactly. */
export async function readValues(device: GPUDevice, t: Tensor): Promise<Float64Array> {
  const offset = isView(t) ? t.byteOffset : 0;
  const words = await readBuffer(device, t.buffer, t.byteLength, offset);
  return decodeWords(t.storage, words, t.size);
}

export async function readLosses(model: GpuMoeModel): Promise<GpuLosses> {
  const L = model.config.layers;
  const words = await readBuffer(model.ctx.device, model.metricBuffers.loss, lossWords(L) * 4);
  const f = new Float32Array(words.buffer);
  const aux = LOSS_SLOT.aux;
  return {
    loss: f[LOSS_SLOT.total],
    crossEntropy: f[LOSS_SLOT.crossEntropy],
    balance: f[LOSS_SLOT.balance],
    zLoss: f[LOSS_SLOT.zLoss],
    balanceByLayer: Array.from(f.subarray(aux, aux + L)),
    zLossByLayer: Array.from(f.subarray(aux + L, aux + 2 * L)),
  };
}

/** [layer][expert] assignments routed to each expert by the last forward. */
export async function readExpertLoad(model: GpuMoeModel): Promise<number[][]> {
  const { layers: L, experts: E } = model.config;
  const words = await readBuffer(model.ctx.device, model.metricBuffers.expertLoad, L * E * 4);
  return Array.from({ length: L }, (_, l) => Array.from(words.subarray(l * E, (l + 1) * E)));
}

/** The gradients the optimizer reads (f32 and unscaled after recordOptimizerStep's first
 * stage; for autocast recipes they are written there, so read them after a step). */
export async function readGrads(model: GpuMoeModel): Promise<Float64Array> {
  const p = model.parts.p;
  return fromGpuLayout(await readValues(model.ctx.device, p.grads), p.slices, model.layout.total);
}

/** The gradients as the backward wrote them (scaled, 16-bit for cast tensors under autocast),
 * in the reference layout. */
export async function readBackwardGrads(model: GpuMoeModel): Promise<Float64Array> {
  const { p } = model.parts;
  const out = new Float64Array(model.layout.total);
  for (const s of p.slices) {
    const view = p.gradOut[s.name][s.layer ?? 0];
    out.set(await readValues(model.ctx.device, view), s.refOffset);
  }
  return out;
}

/** Master weights (or the pure weights) in the reference layout. */
export async function readWeights(model: GpuMoeModel): Promise<Float64Array> {
  const p = model.parts.p;
  const t = (p.master ?? p.pure) as Tensor;
  return fromGpuLayout(await readValues(model.ctx.device, t), p.slices, model.layout.total);
}

/** The weights as the forward reads them (the low copy for cast tensors). */
export async function readForwardWeights(model: GpuMoeModel): Promise<Float64Array> {
  const { p } = model.parts;
  const out = new Float64Array(model.layout.total);
  for (const s of p.slices) {
    out.set(await readValues(model.ctx.device, p.weights[s.name][s.layer ?? 0]), s.refOffset);
  }
  return out;
}

export async function readEvents(model: GpuMoeModel): Promise<EventCountTable> {
  return model.parts.groups.read(model.ctx.device, model.parts.counters);
}

export function readGradNorm(model: GpuMoeModel): Promise<GradNormValues> {
  return readGradNorms(model.ctx.device, model.plan.gradNorm);
}

export function readWeightNorms(model: GpuMoeModel): Promise<GradNormValues> {
  return readGradNorms(model.ctx.device, model.plan.weightNorm);
}

export function readState(model: GpuMoeModel): Promise<OptimizerStateValues> {
  return readOptimizerState(model.ctx.device, model.parts.state);
}

/** Pure recipes: updates lost in the rounding this step, summed over tensors; null otherwise. */
export async function readLostUpdates(model: GpuMoeModel): Promise<number | null> {
  const b = model.metricBuffers.lostUpdates;
  if (!b) return null;
  const words = await readBuffer(model.ctx.device, b, model.parts.p.slices.length * 4);
  return words.reduce((a, x) => a + x, 0);
}

/** The GPU model's training state (GpuMoeModel.load puts it back). */
export type GpuModelState = TrainingState;

/** Reads the model's state (after the steps submitted so far). */
export async function readModelState(model: GpuMoeModel): Promise<GpuModelState> {
  const { p } = model.parts;
  const n = model.layout.total;
  const [weights, moments, state] = await Promise.all([
    readWeights(model),
    readValues(model.ctx.device, p.moments),
    readState(model),
  ]);
  return {
    weights: Float32Array.from(weights),
    expAvg: Float32Array.from(fromGpuLayout(moments.subarray(0, p.total), p.slices, n)),
    expAvgSq: Float32Array.from(fromGpuLayout(moments.subarray(p.total, 2 * p.total), p.slices, n)),
    stepsDone: state.stepsDone,
    scale: state.scale,
    growthTracker: state.growthTracker,
    skippedSteps: state.skippedSteps,
  };
}
