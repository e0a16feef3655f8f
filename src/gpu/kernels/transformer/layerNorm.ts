/**
 * Layer norm on the GPU (reference: src/model/reference/layerNorm.ts), N = B*T rows of C.
 *
 *   forward:  stats kernel (one invocation per row): mean (N), rstd (N) in f32;
 *             apply kernel (one per word of out): out (N,C) = store(norm * weight + bias).
 *   backward: rows kernel (one per row): mean(dnorm), mean(dnorm * norm) into scratch (N,2) f32;
 *             input kernel (one per word of dinp): dinp (N,C) = store(dinp + dx)  (ADDS, llm.c);
 *             params kernel (one per word of dweight / dbias): sums over rows ascending,
 *             dweight (C), dbias (C) overwritten.
 * inp, out, dout, dinp are in the storage format; weight, bias in `params`, their gradients in
 * `paramGrads` (both default fp32).
 */
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { Bindable, CompiledKernel } from '../kernel';
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
import statsWgsl from './layerNormStats.wgsl?raw';
import forwardWgsl from './layerNormForward.wgsl?raw';
import rowsWgsl from './layerNormBackwardRows.wgsl?raw';
import inputWgsl from './layerNormBackwardInput.wgsl?raw';
import paramsWgsl from './layerNormBackwardParams.wgsl?raw';

/** GPT-2's epsilon, as the reference's LAYER_NORM_EPS (uploaded as an f32 uniform). */
export const LAYER_NORM_EPSILON = 1e-5;

const meanRstd = [
  { name: 'mean', access: 'read', type: 'f32' },
  { name: 'rstd', access: 'read', type: 'f32' },
] as const;

export const layerNormStatsKernel = kernel1d(
  'layernorm_stats',
  statsWgsl,
  [
    { name: 'inp', access: 'read', type: 'tensor' },
    { name: 'mean', access: 'read_write', type: 'f32' },
    { name: 'rstd', access: 'read_write', type: 'f32' },
  ],
  { N: 'u32', C: 'u32', eps: 'f32' },
);

export const layerNormForwardKernel = kernel1d(
  'layernorm_forward',
  forwardWgsl,
  [
    { name: 'out', access: 'read_write', type: 'tensor' },
    { name: 'inp', access: 'read', type: 'tensor' },
    { name: 'weight', access: 'read', type: 'tensor' },
    { name: 'bias', access: 'read', type: 'tensor' },
    ...meanRstd,
  ],
  { n: 'u32', words: 'u32', C: 'u32', group: 'u32' },
);

export const layerNormBackwardRowsKernel = kernel1d(
  'layernorm_backward_rows',
  rowsWgsl,
  [
    { name: 'rows', access: 'read_write', type: 'f32' },
    { name: 'dout', access: 'read', type: 'tensor' },
    { name: 'inp', access: 'read', type: 'tensor' },
    { name: 'weight', access: 'read', type: 'tensor' },
    ...meanRstd,
  ],
  { N: 'u32', C: 'u32' },
);

export const layerNormBackwardInputKernel = kernel1d(
  'layernorm_backward_input',
  inputWgsl,
  [
    { name: 'dinp', access: 'read_write', type: 'tensor' },
    { name: 'dout', access: 'read', type: 'tensor' },
    { name: 'inp', access: 'read', type: 'tensor' },
    { name: 'weight', access: 'read', type: 'tensor' },
    ...meanRstd,
    { name: 'rows', access: 'read', type: 'f32' },
  ],
  { n: 'u32', words: 'u32', C: 'u32', group: 'u32' },
);

export const layerNormBackwardParamsKernel = kernel1d(
  'layernorm_backward_params',
  paramsWgsl,
  [
    { name: 'dweight', access: 'read_write', type: 'tensor' },
    { name: 'dbias', access: 'read_write', type: 'tensor' },
    { name: 'dout', access: 'read', type: 'tensor' },
    { name: 'inp', access: 'read', type: 'tensor' },
    ...meanRstd,
  ],
  { N: 'u32', C: 'u32', wordsWeight: 'u32', wordsBias: 'u32', group: 'u32' },
);

export interface LayerNormKernels {
  stats: CompiledKernel;
  forward: CompiledKernel;
  backwardRows: CompiledKernel;
  backwardInput: CompiledKernel;
  backwardParams: CompiledKernel;
}

export async function compileLayerNorm(
  ctx: GpuContext,
  cache: PipelineCache,
  v: TransformerVariant,
): Promise<LayerNormKernels> {
  const act = v.storage;
  const par = v.params ?? 'fp32';
  const grad = v.paramGrads ?? 'fp32';
  const c = (k: Parameters<typeof compileWith>[2], f: Parameters<typeof compileWith>[3]) =>
    compileWith(ctx, cache, k, f, v.counting);
  const [stats, forward, backwardRows, backwardInput, backwardParams] = await Promise.all([
    c(layerNormStatsKernel, { inp: act }),
    c(layerNormForwardKernel, { out: act, inp: act, weight: par, bias: par }),
    c(layerNormBackwardRowsKernel, { dout: act, inp: act, weight: par }),
    c(layerNormBackwardInputKernel, { dinp: act, dout: act, inp: act, weight: par }),
    c(layerNormBackwardParamsKernel, { dweight: grad, dbias: grad, dout: act, inp: act }),
  ]);
  return { stats, forward, backwardRows, backwardInput, backwardParams };
}

export interface LayerNormSizes {
  /** Rows (B*T). */
  N: number;
  C: number;
}

/** f32 values of the backward's scratch: two per row. */
export const layerNormScratchLength = (N: number): number => 2 * N;

export interface LayerNormForwardTensors {
  out: Tensor; // (N,C) storage
  /** (N) f32 */
  mean: Tensor | GPUBuffer;
  /** (N) f32 */
  rstd: Tensor | GPUBuffer;
  inp: Tensor; // (N,C) storage
  weight: Tensor; // (C)
  bias: Tensor; // (C)
}

/** Records mean, rstd, out = layernorm(inp); cast events of out go to counting.group. */
export function recordLayerNormForward(
  target: Target,
  k: LayerNormKernels,
  t: LayerNormForwardTensors,
  s: LayerNormSizes,
  counting?: KernelCounting,
): void {
  const op = 'layer norm forward';
  checkCommon(op, t.inp, t.weight, t.mean, t.rstd, s);
  expectSize(op, t.bias, s.C, 'C');
  expectSize(op, t.out, s.N * s.C, 'N*C');
  record(
    target,
    k.stats,
    { inp: t.inp, mean: t.mean, rstd: t.rstd },
    { N: s.N, C: s.C, eps: LAYER_NORM_EPSILON },
    s.N,
    counting,
  );
  record(
    target,
    k.forward,
    { out: t.out, inp: t.inp, weight: t.weight, bias: t.bias, mean: t.mean, rstd: t.rstd },
    { n: t.out.size, words: wordsOf(t.out), C: s.C },
    wordsOf(t.out),
    counting,
  );
}

export interface LayerNormBackwardTensors {
  /** (N,C) storage: the gradient is ADDED into it. */
  dinp: Tensor;
  /** (C) overwritten */
  dweight: Tensor;
  /** (C) overwritten */
  dbias: Tensor;
  dout: Tensor; // (N,C) storage
  inp: Tensor; // (N,C) storage, the forward's input
  weight: Tensor; // (C)
  mean: Tensor | GPUBuffer; // (N) f32 from the forward
  rstd: Tensor | GPUBuffer; // (N) f32 from the forward
  /** f32 scratch of layerNormScratchLength(N) values, free again once the backward is recorded. */
  scratch: Tensor | GPUBuffer;
}

/** Records dinp += dx, dweight, dbias. Events: dinp to counting.group, dweight/dbias to
 * counting.paramGroup (default group). */
export function recordLayerNormBackward(
  target: Target,
  k: LayerNormKernels,
  t: LayerNormBackwardTensors,
  s: LayerNormSizes,
  counting?: KernelCounting,
): void {
  const op = 'layer norm backward';
  checkCommon(op, t.inp, t.weight, t.mean, t.rstd, s);
  expectSize(op, t.dinp, s.N * s.C, 'N*C');
  expectSize(op, t.dout, s.N * s.C, 'N*C');
  expectSize(op, t.dweight, s.C, 'C');
  expectSize(op, t.dbias, s.C, 'C');
  expectF32(op, t.scratch, layerNormScratchLength(s.N), 'the row scratch (N,2)');
  const stats: Record<string, Bindable> = { inp: t.inp, mean: t.mean, rstd: t.rstd };
  record(
    target,
    k.backwardRows,
    { ...stats, rows: t.scratch, dout: t.dout, weight: t.weight },
    { N: s.N, C: s.C },
    s.N,
    counting,
  );
  record(
    target,
    k.backwardInput,
    { ...stats, dinp: t.dinp, dout: t.dout, weight: t.weight, rows: t.scratch },
    { n: t.dinp.size, words: wordsOf(t.dinp), C: s.C },
    wordsOf(t.dinp),
    counting,
  );
  const wordsWeight = wordsOf(t.dweight);
  const wordsBias = wordsOf(t.dbias);
  record(
    target,
    k.backwardParams,
    { ...stats, dweight: t.dweight, dbias: t.dbias, dout: t.dout },
    { N: s.N, C: s.C, wordsWeight, wordsBias },
    Math.max(wordsWeight, wordsBias),
    counting,
    'paramGroup',
  );
}

function checkCommon(
  op: string,
  inp: Tensor,
  weight: Tensor,
  mean: Tensor | GPUBuffer,
  rstd: Tensor | GPUBuffer,
  s: LayerNormSizes,
): void {
  expectDims(op, { N: s.N, C: s.C });
  expectSize(op, inp, s.N * s.C, 'N*C');
  expectSize(op, weight, s.C, 'C');
  expectF32(op, mean, s.N, 'mean (N)');
  expectF32(op, rstd, s.N, 'rstd (N)');
}
