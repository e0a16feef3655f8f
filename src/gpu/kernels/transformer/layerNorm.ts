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
import type { CompiledKernel } from '../kernel';
import {
  expectDims,
  expectF32,
  expectSize,
  wordsOf,
  type KernelCounting,
  type Target,
  type TransformerVariant,
} from './common';
import { compileTransformer, recordOver, transformerKernel } from './define';
import statsWgsl from './layerNormStats.wgsl?raw';
import forwardWgsl from './layerNormForward.wgsl?raw';
import rowsWgsl from './layerNormBackwardRows.wgsl?raw';
import inputWgsl from './layerNormBackwardInput.wgsl?raw';
import paramsWgsl from './layerNormBackwardParams.wgsl?raw';

/** GPT-2's epsilon, as the reference's LAYER_NORM_EPS (uploaded as an f32 uniform). */
export const LAYER_NORM_EPSILON = 1e-5;

const meanRstd = { mean: 'f32', rstd: 'f32' } as const;

// Per-row kernels (stats, backward rows): work = N. Per-word kernels: n, words of the tensor
// written; the params kernel runs over the larger of dweight's and dbias's words.
export const layerNormStatsKernel = transformerKernel({
  name: 'layernorm_stats',
  body: statsWgsl,
  bindings: { inp: 'act', mean: 'f32 rw', rstd: 'f32 rw' },
  uniforms: { N: 'u32', C: 'u32', eps: 'f32' },
});

export const layerNormForwardKernel = transformerKernel({
  name: 'layernorm_forward',
  body: forwardWgsl,
  bindings: { out: 'act rw', inp: 'act', weight: 'param', bias: 'param', ...meanRstd },
  uniforms: { n: 'u32', words: 'u32', C: 'u32' },
});

export const layerNormBackwardRowsKernel = transformerKernel({
  name: 'layernorm_backward_rows',
  body: rowsWgsl,
  bindings: { rows: 'f32 rw', dout: 'act', inp: 'act', weight: 'param', ...meanRstd },
  uniforms: { N: 'u32', C: 'u32' },
});

export const layerNormBackwardInputKernel = transformerKernel({
  name: 'layernorm_backward_input',
  body: inputWgsl,
  bindings: { dinp: 'act rw', dout: 'act', inp: 'act', weight: 'param', ...meanRstd, rows: 'f32' },
  uniforms: { n: 'u32', words: 'u32', C: 'u32' },
});

export const layerNormBackwardParamsKernel = transformerKernel({
  name: 'layernorm_backward_params',
  body: paramsWgsl,
  bindings: { dweight: 'grad rw', dbias: 'grad rw', dout: 'act', inp: 'act', ...meanRstd },
  uniforms: { N: 'u32', C: 'u32', wordsWeight: 'u32', wordsBias: 'u32' },
});

export interface LayerNormKernels {
  stats: CompiledKernel;
  forward: CompiledKernel;
  backwardRows: CompiledKernel;
  backwardInput: CompiledKernel;
  backwardParams: CompiledKernel;
}

export function compileLayerNorm(
  ctx: GpuContext,
  cache: PipelineCache,
  v: TransformerVariant,
): Promise<LayerNormKernels> {
  const kernels = {
    stats: layerNormStatsKernel,
    forward: layerNormForwardKernel,
    backwardRows: layerNormBackwardRowsKernel,
    backwardInput: layerNormBackwardInputKernel,
    backwardParams: layerNormBackwardParamsKernel,
  };
  return compileTransformer(ctx, cache, kernels, v);
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
  const { N, C } = s;
  recordOver(target, k.stats, t, { N, C, eps: LAYER_NORM_EPSILON }, N, counting);
  recordOver(target, k.forward, t, { C }, t.out, counting);
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
  const { N, C } = s;
  const b = { ...t, rows: t.scratch };
  recordOver(target, k.backwardRows, b, { N, C }, N, counting);
  recordOver(target, k.backwardInput, b, { C }, t.dinp, counting);
  const wordsWeight = wordsOf(t.dweight);
  const wordsBias = wordsOf(t.dbias);
  const work = Math.max(wordsWeight, wordsBias);
  const uniforms = { N, C, wordsWeight, wordsBias };
  recordOver(target, k.backwardParams, b, uniforms, work, counting, 'paramGroup');
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
