/**
 * Grouped (per-expert) linear layer over variable-length row segments, the twin of
 * src/model/reference/groupedMatmul.ts: expert e multiplies the grouped rows
 * [offsets[e], offsets[e+1]) by its own weight, NT layout:
 *   out[r] (N) = inp[r] (K) · w[e]^T (N,K) + bias[e] (N)          out (R,N), inp (R,K), w (E,N,K)
 * Backward:
 *   dinp[r] = dout[r] · w[e]                   (rows kernel, NN)
 *   dw[e]   = dout_e^T · inp_e                 (sum over the segment's rows ascending; 0 if empty)
 *   dbias[e] = column sums of dout_e           (0 if empty)
 * offsets: a GPU buffer of E+1 u32 (offsets[E] = R), written on the GPU by the dispatch kernel;
 * nothing here reads it back: the rows kernel dispatches ceil(R / tile) + E row tiles and each
 * workgroup finds its expert from the offsets, so the dispatch size depends only on R and E.
 * Precision exactly as the plain matmul (matmul.ts), segment by segment.
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { EventCounting } from '../counters';
import type { Bindable, CompiledKernel } from '../kernel';
import { workgroupTile, type MatmulVariant } from './descriptors';
import {
  compileBiasGrad,
  compileMode,
  expectSize,
  groupsAlong,
  recordBiasGrad,
  recordMatmulKernel,
  variantOf,
  type MatmulCounting,
} from './matmul';
import type { MatmulBackwardCounting } from './matmulBackward';

export interface GroupedShape {
  /** Grouped rows in all (tokens * k); offsets[E] must equal it. */
  R: number;
  E: number;
  /** Output features. */
  N: number;
  /** Input features. */
  K: number;
}

export interface GroupedFormats {
  inp: FormatName;
  w: FormatName;
  out: FormatName;
  bias?: FormatName;
}

export function compileGroupedMatmul(
  ctx: GpuContext,
  cache: PipelineCache,
  variant: MatmulVariant,
  formats: GroupedFormats,
  counting?: EventCounting,
): Promise<CompiledKernel> {
  return compileMode(
    ctx,
    cache,
    'rows',
    variant,
    { a: formats.inp, b: formats.w, out: formats.out, bias: formats.bias },
    counting,
  );
}

function checkOffsets(offsets: Bindable, E: number): void {
  const buffer = 'buffer' in offsets ? offsets.buffer : offsets;
  if (buffer.size < (E + 1) * 4) {
    throw new Error(
      `The offsets buffer "${buffer.label}" has ${buffer.size} bytes but ${E} experts need ${(E + 1) * 4} (E+1 u32).`,
    );
  }
}

/** Rows kernel: out (R, cols) with expert e's B at e * bBatch; a/b strides as in formStrides. */
function recordRows(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  buffers: Record<string, Bindable | null | undefined>,
  s: { R: number; E: number; cols: number; inner: number; b_sk: number; b_sj: number },
  counting: MatmulCounting | undefined,
): void {
  const tile = workgroupTile(variantOf(kernel));
  const limits = kernel.ctx.limits;
  recordMatmulKernel(
    target,
    kernel,
    buffers,
    {
      M: s.R,
      N: s.cols,
      K: s.inner,
      batch: s.E,
      a_si: s.inner,
      a_sk: 1,
      b_sk: s.b_sk,
      b_sj: s.b_sj,
      a_batch: 0,
      b_batch: s.cols * s.inner,
      total: s.R * s.cols,
    },
    [
      groupsAlong(s.cols, tile.cols, limits, 'columns'),
      s.R === 0 ? 0 : groupsAlong(s.R + s.E * tile.rows, tile.rows, limits, 'grouped rows'),
      1,
    ],
    counting,
  );
}

/** Records out = inp · w[e]^T (+ bias[e]) per expert segment. */
export function recordGroupedMatmulForward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernel: CompiledKernel,
  tensors: { out: Tensor; inp: Tensor; w: Tensor; bias?: Tensor | null; offsets: Bindable },
  shape: GroupedShape,
  counting?: MatmulCounting,
): void {
  const { R, E, N, K } = shape;
  const dims = `grouped (R ${R}, E ${E}, N ${N}, K ${K})`;
  expectSize(tensors.inp, R * K, 'input', dims);
  expectSize(tensors.w, E * N * K, 'weight', dims);
  expectSize(tensors.out, R * N, 'output', dims);
  if (tensors.bias) expectSize(tensors.bias, E * N, 'bias', dims);
  checkOffsets(tensors.offsets, E);
  recordRows(
    target,
    kernel,
    {
      a: tensors.inp,
      b: tensors.w,
      bias: tensors.bias,
      offsets: tensors.offsets,
      out: tensors.out,
    },
    { R, E, cols: N, inner: K, b_sk: 1, b_sj: K },
    counting,
  );
}

export interface GroupedBackwardFormats {
  dout: FormatName;
  inp: FormatName;
  w: FormatName;
  dinp?: FormatName;
  dw?: FormatName;
  dbias?: FormatName;
}

export interface GroupedBackwardKernels {
  dinp?: CompiledKernel;
  dw?: CompiledKernel;
  dbias?: CompiledKernel;
}

export async function compileGroupedMatmulBackward(
  ctx: GpuContext,
  cache: PipelineCache,
  variant: MatmulVariant,
  formats: GroupedBackwardFormats,
  counting?: EventCounting,
): Promise<GroupedBackwardKernels> {
  const [dinp, dw, dbias] = await Promise.all([
    formats.dinp === undefined
      ? undefined
      : compileMode(
          ctx,
          cache,
          'rows',
          variant,
          { a: formats.dout, b: formats.w, out: formats.dinp },
          counting,
        ),
    formats.dw === undefined
      ? undefined
      : compileMode(
          ctx,
          cache,
          'weightGrad',
          variant,
          { a: formats.dout, b: formats.inp, out: formats.dw },
          counting,
        ),
    formats.dbias === undefined
      ? undefined
      : compileBiasGrad(ctx, cache, true, formats.dout, formats.dbias, counting),
  ]);
  return { dinp, dw, dbias };
}

/** Records the gradients given (each overwritten); groups as in MatmulBackwardCounting
 * (da = dinp, db = dw). */
export function recordGroupedMatmulBackward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernels: GroupedBackwardKernels,
  tensors: {
    dout: Tensor;
    inp: Tensor;
    w: Tensor;
    offsets: Bindable;
    dinp?: Tensor | null;
    dw?: Tensor | null;
    dbias?: Tensor | null;
  },
  shape: GroupedShape,
  counting?: MatmulBackwardCounting,
): void {
  const { R, E, N, K } = shape;
  const dims = `grouped (R ${R}, E ${E}, N ${N}, K ${K})`;
  expectSize(tensors.dout, R * N, 'dout', dims);
  expectSize(tensors.inp, R * K, 'input', dims);
  expectSize(tensors.w, E * N * K, 'weight', dims);
  checkOffsets(tensors.offsets, E);
  const countingFor = (g: 'da' | 'db' | 'dbias'): MatmulCounting | undefined =>
    counting && { counters: counting.counters, group: counting.groups?.[g] ?? counting.group };
  const missing = (g: string) =>
    new Error(
      `${g} was given but no kernel was compiled for it: pass formats.${g} to compileGroupedMatmulBackward.`,
    );
  if (tensors.dinp) {
    if (!kernels.dinp) throw missing('dinp');
    expectSize(tensors.dinp, R * K, 'dinp', dims);
    recordRows(
      target,
      kernels.dinp,
      { a: tensors.dout, b: tensors.w, offsets: tensors.offsets, out: tensors.dinp },
      { R, E, cols: K, inner: N, b_sk: K, b_sj: 1 },
      countingFor('da'),
    );
  }
  if (tensors.dw) {
    if (!kernels.dw) throw missing('dw');
    expectSize(tensors.dw, E * N * K, 'dw', dims);
    const tile = workgroupTile(variantOf(kernels.dw));
    const limits = kernels.dw.ctx.limits;
    recordMatmulKernel(
      target,
      kernels.dw,
      { a: tensors.dout, b: tensors.inp, offsets: tensors.offsets, out: tensors.dw },
      {
        M: N,
        N: K,
        K: 0,
        batch: E,
        a_si: 1,
        a_sk: N,
        b_sk: K,
        b_sj: 1,
        a_batch: 0,
        b_batch: 0,
        total: E * N * K,
      },
      [
        groupsAlong(K, tile.cols, limits, 'columns'),
        groupsAlong(N, tile.rows, limits, 'rows'),
        groupsAlong(E, 1, limits, 'experts'),
      ],
      countingFor('db'),
    );
  }
  if (tensors.dbias) {
    if (!kernels.dbias) throw missing('dbias');
    recordBiasGrad(
      target,
      kernels.dbias,
      { out: tensors.dbias, dout: tensors.dout, offsets: tensors.offsets },
      R,
      N,
      E,
      countingFor('dbias'),
    );
  }
}
