/**
 * Causal multi-head self-attention core on the GPU (reference: src/model/reference/attention.ts);
 * the qkv and output projections are matmuls of another family. qkv (B,T,3C) = q | k | v along
 * the last axis, head h owns channels [h*hd, (h+1)*hd) of each third, hd = C/H.
 *
 *   forward:  scores  (one invocation per word of preatt): preatt (B,H,T,T) = store(q.k * scale)
 *             rows    (one per row b,h,t): max and sum of exp over t2 <= t into scratch (B*H*T,2)
 *             softmax (one per word of att): att (B,H,T,T) = store(exp(preatt - max) / sum)
 *             out     (one per word of out): out (B,T,C) = store(att . v)
 *   backward: datt    (one per word): datt = store(dout . v)
 *             rows    (one per row): sum over t2 of att * datt into scratch (B*H*T)
 *             dpreatt (one per word): store(att * (datt - sum) * scale)
 *             dqkv    (one per word of dqkv (B,T,3C), overwritten): dq, dk, dv sums
 * Masked entries (t2 > t) of preatt, att, datt, dpreatt are written as 0. Every tensor here is
 * in the storage format; the scratch is f32 and only lives within one record call.
 */
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { CompiledKernel } from '../kernel';
import {
  expectDims,
  expectF32,
  expectSize,
  type KernelCounting,
  type Target,
  type TransformerVariant,
} from './common';
import { compileTransformer, recordOver, transformerKernel } from './define';
import scoresWgsl from './attentionScores.wgsl?raw';
import softmaxRowsWgsl from './attentionSoftmaxRows.wgsl?raw';
import softmaxWgsl from './attentionSoftmax.wgsl?raw';
import outWgsl from './attentionOut.wgsl?raw';
import dattWgsl from './attentionBackwardDatt.wgsl?raw';
import backwardRowsWgsl from './attentionBackwardRows.wgsl?raw';
import dpreattWgsl from './attentionBackwardDpreatt.wgsl?raw';
import dqkvWgsl from './attentionBackwardDqkv.wgsl?raw';

// Per-row kernels (softmax rows, backward rows): work = B*H*T rows, `stats` the f32 scratch.
// Per-word kernels: n, words of the tensor written.
const perWord = { n: 'u32', words: 'u32', T: 'u32', C: 'u32', H: 'u32' } as const;

export const attentionScoresKernel = transformerKernel({
  name: 'attention_scores',
  body: scoresWgsl,
  bindings: { preatt: 'act rw', qkv: 'act' },
  uniforms: { ...perWord, scale: 'f32' },
});
export const attentionSoftmaxRowsKernel = transformerKernel({
  name: 'attention_softmax_rows',
  body: softmaxRowsWgsl,
  bindings: { stats: 'f32 rw', preatt: 'act' },
  uniforms: { rows: 'u32', T: 'u32' },
});
export const attentionSoftmaxKernel = transformerKernel({
  name: 'attention_softmax',
  body: softmaxWgsl,
  bindings: { att: 'act rw', preatt: 'act', stats: 'f32' },
  uniforms: { n: 'u32', words: 'u32', T: 'u32' },
});
export const attentionOutKernel = transformerKernel({
  name: 'attention_out',
  body: outWgsl,
  bindings: { out: 'act rw', att: 'act', qkv: 'act' },
  uniforms: perWord,
});
export const attentionBackwardDattKernel = transformerKernel({
  name: 'attention_backward_datt',
  body: dattWgsl,
  bindings: { datt: 'act rw', dout: 'act', qkv: 'act' },
  uniforms: perWord,
});
export const attentionBackwardRowsKernel = transformerKernel({
  name: 'attention_backward_rows',
  body: backwardRowsWgsl,
  bindings: { stats: 'f32 rw', att: 'act', datt: 'act' },
  uniforms: { rows: 'u32', T: 'u32' },
});
export const attentionBackwardDpreattKernel = transformerKernel({
  name: 'attention_backward_dpreatt',
  body: dpreattWgsl,
  bindings: { dpreatt: 'act rw', att: 'act', datt: 'act', stats: 'f32' },
  uniforms: { n: 'u32', words: 'u32', T: 'u32', scale: 'f32' },
});
export const attentionBackwardDqkvKernel = transformerKernel({
  name: 'attention_backward_dqkv',
  body: dqkvWgsl,
  bindings: { dqkv: 'act rw', dpreatt: 'act', att: 'act', qkv: 'act', dout: 'act' },
  uniforms: perWord,
});

export interface AttentionKernels {
  scores: CompiledKernel;
  softmaxRows: CompiledKernel;
  softmax: CompiledKernel;
  out: CompiledKernel;
  datt: CompiledKernel;
  backwardRows: CompiledKernel;
  dpreatt: CompiledKernel;
  dqkv: CompiledKernel;
}

export function compileAttention(
  ctx: GpuContext,
  cache: PipelineCache,
  v: TransformerVariant,
): Promise<AttentionKernels> {
  const kernels = {
    scores: attentionScoresKernel,
    softmaxRows: attentionSoftmaxRowsKernel,
    softmax: attentionSoftmaxKernel,
    out: attentionOutKernel,
    datt: attentionBackwardDattKernel,
    backwardRows: attentionBackwardRowsKernel,
    dpreatt: attentionBackwardDpreattKernel,
    dqkv: attentionBackwardDqkvKernel,
  };
  return compileTransformer(ctx, cache, kernels, v);
}

export interface AttentionSizes {
  B: number;
  T: number;
  C: number;
  /** Heads; C must be a multiple of H. */
  H: number;
}

/** f32 values of the scratch both record calls need: two per (b, h, t) row. */
export const attentionScratchLength = (s: AttentionSizes): number => 2 * s.B * s.H * s.T;

/** round(1/sqrt(hd)) as the reference: computed in double, uploaded as an f32 uniform. */
export const attentionScale = (s: AttentionSizes): number => Math.fround(1 / Math.sqrt(s.C / s.H));

export interface AttentionForwardTensors {
  out: Tensor; // (B,T,C)
  preatt: Tensor; // (B,H,T,T) scaled scores, kept for inspection
  att: Tensor; // (B,H,T,T) probabilities, kept for the backward
  qkv: Tensor; // (B,T,3C)
  /** f32 scratch of attentionScratchLength values. */
  scratch: Tensor | GPUBuffer;
}

/** Records preatt, att, out; cast events of all three go to counting.group. */
export function recordAttentionForward(
  target: Target,
  k: AttentionKernels,
  t: AttentionForwardTensors,
  s: AttentionSizes,
  counting?: KernelCounting,
): void {
  const op = 'attention forward';
  checkSizes(op, t.qkv, t.scratch, s);
  const { B, T, C, H } = s;
  expectSize(op, t.out, B * T * C, 'B*T*C');
  expectSize(op, t.preatt, B * H * T * T, 'B*H*T*T');
  expectSize(op, t.att, B * H * T * T, 'B*H*T*T');
  const rows = B * H * T;
  const dims = { T, C, H };
  const b = { ...t, stats: t.scratch };
  recordOver(target, k.scores, b, { ...dims, scale: attentionScale(s) }, t.preatt, counting);
  recordOver(target, k.softmaxRows, b, { rows, T }, rows, counting);
  recordOver(target, k.softmax, b, { T }, t.att, counting);
  recordOver(target, k.out, b, dims, t.out, counting);
}

export interface AttentionBackwardTensors {
  dqkv: Tensor; // (B,T,3C) overwritten
  dpreatt: Tensor; // (B,H,T,T) gradient w.r.t. the unscaled q.k
  datt: Tensor; // (B,H,T,T)
  dout: Tensor; // (B,T,C)
  qkv: Tensor; // (B,T,3C) from the forward
  att: Tensor; // (B,H,T,T) from the forward
  /** f32 scratch of attentionScratchLength values. */
  scratch: Tensor | GPUBuffer;
}

/** Records datt, dpreatt, dqkv; cast events of all three go to counting.group. */
export function recordAttentionBackward(
  target: Target,
  k: AttentionKernels,
  t: AttentionBackwardTensors,
  s: AttentionSizes,
  counting?: KernelCounting,
): void {
  const op = 'attention backward';
  checkSizes(op, t.qkv, t.scratch, s);
  const { B, T, C, H } = s;
  expectSize(op, t.dqkv, B * T * 3 * C, 'B*T*3C');
  expectSize(op, t.dout, B * T * C, 'B*T*C');
  for (const x of [t.dpreatt, t.datt, t.att]) expectSize(op, x, B * H * T * T, 'B*H*T*T');
  const rows = B * H * T;
  const dims = { T, C, H };
  const b = { ...t, stats: t.scratch };
  recordOver(target, k.datt, b, dims, t.datt, counting);
  recordOver(target, k.backwardRows, b, { rows, T }, rows, counting);
  recordOver(target, k.dpreatt, b, { T, scale: attentionScale(s) }, t.dpreatt, counting);
  recordOver(target, k.dqkv, b, dims, t.dqkv, counting);
}

function checkSizes(op: string, qkv: Tensor, scratch: Tensor | GPUBuffer, s: AttentionSizes) {
  expectDims(op, { B: s.B, T: s.T, C: s.C, H: s.H });
  if (s.C % s.H !== 0) {
    throw new Error(
      `${op}: C = ${s.C} is not a multiple of H = ${s.H}; each head needs C/H channels.`,
    );
  }
  expectSize(op, qkv, s.B * s.T * 3 * s.C, 'B*T*3C');
  expectF32(op, scratch, attentionScratchLength(s), 'the row scratch (B*H*T,2)');
}
