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
  compileWith,
  expectDims,
  expectF32,
  expectSize,
  kernel1d,
  record,
  wordsOf,
  type KernelCounting,
  type Target,
  type TransformerVariant,
} from './common';
import scoresWgsl from './attentionScores.wgsl?raw';
import softmaxRowsWgsl from './attentionSoftmaxRows.wgsl?raw';
import softmaxWgsl from './attentionSoftmax.wgsl?raw';
import outWgsl from './attentionOut.wgsl?raw';
import dattWgsl from './attentionBackwardDatt.wgsl?raw';
import backwardRowsWgsl from './attentionBackwardRows.wgsl?raw';
import dpreattWgsl from './attentionBackwardDpreatt.wgsl?raw';
import dqkvWgsl from './attentionBackwardDqkv.wgsl?raw';

const rw = (name: string) => ({ name, access: 'read_write', type: 'tensor' }) as const;
const ro = (name: string) => ({ name, access: 'read', type: 'tensor' }) as const;
const perWord = { n: 'u32', words: 'u32', T: 'u32', C: 'u32', H: 'u32' } as const;

export const attentionScoresKernel = kernel1d(
  'attention_scores',
  scoresWgsl,
  [rw('preatt'), ro('qkv')],
  { ...perWord, scale: 'f32', group: 'u32' },
);
export const attentionSoftmaxRowsKernel = kernel1d(
  'attention_softmax_rows',
  softmaxRowsWgsl,
  [{ name: 'stats', access: 'read_write', type: 'f32' }, ro('preatt')],
  { rows: 'u32', T: 'u32' },
);
export const attentionSoftmaxKernel = kernel1d(
  'attention_softmax',
  softmaxWgsl,
  [rw('att'), ro('preatt'), { name: 'stats', access: 'read', type: 'f32' }],
  { n: 'u32', words: 'u32', T: 'u32', group: 'u32' },
);
export const attentionOutKernel = kernel1d(
  'attention_out',
  outWgsl,
  [rw('out'), ro('att'), ro('qkv')],
  { ...perWord, group: 'u32' },
);
export const attentionBackwardDattKernel = kernel1d(
  'attention_backward_datt',
  dattWgsl,
  [rw('datt'), ro('dout'), ro('qkv')],
  { ...perWord, group: 'u32' },
);
export const attentionBackwardRowsKernel = kernel1d(
  'attention_backward_rows',
  backwardRowsWgsl,
  [{ name: 'stats', access: 'read_write', type: 'f32' }, ro('att'), ro('datt')],
  { rows: 'u32', T: 'u32' },
);
export const attentionBackwardDpreattKernel = kernel1d(
  'attention_backward_dpreatt',
  dpreattWgsl,
  [rw('dpreatt'), ro('att'), ro('datt'), { name: 'stats', access: 'read', type: 'f32' }],
  { n: 'u32', words: 'u32', T: 'u32', scale: 'f32', group: 'u32' },
);
export const attentionBackwardDqkvKernel = kernel1d(
  'attention_backward_dqkv',
  dqkvWgsl,
  [rw('dqkv'), ro('dpreatt'), ro('att'), ro('qkv'), ro('dout')],
  { ...perWord, group: 'u32' },
);

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

export async function compileAttention(
  ctx: GpuContext,
  cache: PipelineCache,
  v: TransformerVariant,
): Promise<AttentionKernels> {
  const f = v.storage;
  const c = (k: Parameters<typeof compileWith>[2], names: string[]) =>
    compileWith(ctx, cache, k, Object.fromEntries(names.map((n) => [n, f])), v.counting);
  const [scores, softmaxRows, softmax, out, datt, backwardRows, dpreatt, dqkv] = await Promise.all([
    c(attentionScoresKernel, ['preatt', 'qkv']),
    c(attentionSoftmaxRowsKernel, ['preatt']),
    c(attentionSoftmaxKernel, ['att', 'preatt']),
    c(attentionOutKernel, ['out', 'att', 'qkv']),
    c(attentionBackwardDattKernel, ['datt', 'dout', 'qkv']),
    c(attentionBackwardRowsKernel, ['att', 'datt']),
    c(attentionBackwardDpreattKernel, ['dpreatt', 'att', 'datt']),
    c(attentionBackwardDqkvKernel, ['dqkv', 'dpreatt', 'att', 'qkv', 'dout']),
  ]);
  return { scores, softmaxRows, softmax, out, datt, backwardRows, dpreatt, dqkv };
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
  const w = wordsOf;
  const scale = attentionScale(s);
  record(
    target,
    k.scores,
    { preatt: t.preatt, qkv: t.qkv },
    { n: t.preatt.size, words: w(t.preatt), ...dims, scale },
    w(t.preatt),
    counting,
  );
  record(
    target,
    k.softmaxRows,
    { stats: t.scratch, preatt: t.preatt },
    { rows, T },
    rows,
    counting,
  );
  record(
    target,
    k.softmax,
    { att: t.att, preatt: t.preatt, stats: t.scratch },
    { n: t.att.size, words: w(t.att), T },
    w(t.att),
    counting,
  );
  record(
    target,
    k.out,
    { out: t.out, att: t.att, qkv: t.qkv },
    { n: t.out.size, words: w(t.out), ...dims },
    w(t.out),
    counting,
  );
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
  const w = wordsOf;
  record(
    target,
    k.datt,
    { datt: t.datt, dout: t.dout, qkv: t.qkv },
    { n: t.datt.size, words: w(t.datt), ...dims },
    w(t.datt),
    counting,
  );
  record(
    target,
    k.backwardRows,
    { stats: t.scratch, att: t.att, datt: t.datt },
    { rows, T },
    rows,
    counting,
  );
  record(
    target,
    k.dpreatt,
    { dpreatt: t.dpreatt, att: t.att, datt: t.datt, stats: t.scratch },
    { n: t.dpreatt.size, words: w(t.dpreatt), T, scale: attentionScale(s) },
    w(t.dpreatt),
    counting,
  );
  record(
    target,
    k.dqkv,
    { dqkv: t.dqkv, dpreatt: t.dpreatt, att: t.att, qkv: t.qkv, dout: t.dout },
    { n: t.dqkv.size, words: w(t.dqkv), ...dims },
    w(t.dqkv),
    counting,
  );
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
