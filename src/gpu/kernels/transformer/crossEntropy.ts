/**
 * Softmax cross-entropy over the vocabulary on the GPU (reference:
 * src/model/reference/crossEntropy.ts), N = B*T positions, V classes.
 *
 *   forward:  rows kernel (one invocation per position): probs (N,V) and losses (N), f32;
 *             mean kernel (one invocation): loss[lossIndex] = mean of losses, f32, ON THE GPU.
 *   backward: one invocation per word of dlogits (N,V) [storage]:
 *             dlogits = store((probs - onehot(target)) * (dloss / N)).
 *
 * The loss scale: `dloss` is an f32 BUFFER read at `dlossIndex`, not a uniform, so a GradScaler
 * kept on the GPU (its scale in a storage buffer, updated by a kernel after each step) drives the
 * backward with no host round trip; pass a 1-element buffer holding 1 for unscaled training.
 * logits are in the storage format; probs, losses, loss and dloss are f32 (the policy's choice).
 */
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { CompiledKernel } from '../kernel';
import {
  expectDims,
  expectF32,
  expectIds,
  expectSize,
  type IdBuffer,
  type KernelCounting,
  type Target,
  type TransformerVariant,
} from './common';
import { compileTransformer, recordOver, transformerKernel } from './define';
import forwardWgsl from './crossEntropyForward.wgsl?raw';
import meanWgsl from './crossEntropyMean.wgsl?raw';
import backwardWgsl from './crossEntropyBackward.wgsl?raw';

// forward: one invocation per position; mean: one invocation; backward: n, words of dlogits.
export const crossEntropyForwardKernel = transformerKernel({
  name: 'crossentropy_forward',
  body: forwardWgsl,
  bindings: { probs: 'f32 rw', losses: 'f32 rw', logits: 'act', targets: 'u32' },
  uniforms: { N: 'u32', V: 'u32' },
});

export const crossEntropyMeanKernel = transformerKernel({
  name: 'crossentropy_mean',
  body: meanWgsl,
  bindings: { loss: 'f32 rw', losses: 'f32' },
  uniforms: { N: 'u32', lossIndex: 'u32' },
});

export const crossEntropyBackwardKernel = transformerKernel({
  name: 'crossentropy_backward',
  body: backwardWgsl,
  bindings: { dlogits: 'act rw', probs: 'f32', targets: 'u32', dloss: 'f32' },
  uniforms: { n: 'u32', words: 'u32', N: 'u32', V: 'u32', dlossIndex: 'u32' },
});

export interface CrossEntropyKernels {
  forward: CompiledKernel;
  mean: CompiledKernel;
  backward: CompiledKernel;
}

export function compileCrossEntropy(
  ctx: GpuContext,
  cache: PipelineCache,
  v: TransformerVariant,
): Promise<CrossEntropyKernels> {
  const kernels = {
    forward: crossEntropyForwardKernel,
    mean: crossEntropyMeanKernel,
    backward: crossEntropyBackwardKernel,
  };
  return compileTransformer(ctx, cache, kernels, v);
}

export interface CrossEntropySizes {
  /** Positions (B*T). */
  N: number;
  V: number;
}

export interface CrossEntropyForwardTensors {
  /** (N,V) f32 */
  probs: Tensor | GPUBuffer;
  /** (N) f32 per-position losses */
  losses: Tensor | GPUBuffer;
  /** f32 buffer receiving the mean loss at `lossIndex` (e.g. a slot of a metrics ring). */
  loss: Tensor | GPUBuffer;
  logits: Tensor; // (N,V) storage
  /** (N) u32 target ids in [0, V) */
  targets: IdBuffer;
}

/** Records probs, losses and the mean loss (no cast to a narrow format: nothing is counted). */
export function recordCrossEntropyForward(
  target: Target,
  k: CrossEntropyKernels,
  t: CrossEntropyForwardTensors,
  s: CrossEntropySizes,
  lossIndex = 0,
): void {
  const op = 'cross-entropy forward';
  checkSizes(op, t.logits, t.probs, t.targets, s);
  expectF32(op, t.losses, s.N, 'losses (N)');
  expectF32(op, t.loss, lossIndex + 1, `the loss buffer (index ${lossIndex})`);
  const { N, V } = s;
  recordOver(target, k.forward, t, { N, V }, N);
  recordOver(target, k.mean, t, { N, lossIndex }, 1);
}

export interface CrossEntropyBackwardTensors {
  dlogits: Tensor; // (N,V) storage, overwritten
  probs: Tensor | GPUBuffer; // (N,V) f32 from the forward
  targets: IdBuffer; // (N)
  /** f32 buffer holding the upstream gradient of the mean loss (1, or the loss scale). */
  dloss: Tensor | GPUBuffer;
}

/** Records dlogits; cast events go to counting.group. */
export function recordCrossEntropyBackward(
  target: Target,
  k: CrossEntropyKernels,
  t: CrossEntropyBackwardTensors,
  s: CrossEntropySizes,
  counting?: KernelCounting,
  dlossIndex = 0,
): void {
  const op = 'cross-entropy backward';
  checkSizes(op, t.dlogits, t.probs, t.targets, s);
  expectF32(op, t.dloss, dlossIndex + 1, `dloss (index ${dlossIndex})`);
  const uniforms = { N: s.N, V: s.V, dlossIndex };
  recordOver(target, k.backward, t, uniforms, t.dlogits, counting);
}

function checkSizes(
  op: string,
  logits: Tensor,
  probs: Tensor | GPUBuffer,
  targets: IdBuffer,
  s: CrossEntropySizes,
): void {
  expectDims(op, { N: s.N, V: s.V });
  expectSize(op, logits, s.N * s.V, 'N*V');
  expectF32(op, probs, s.N * s.V, 'probs (N,V)');
  expectIds(op, targets, s.N, 'targets (N)');
}
