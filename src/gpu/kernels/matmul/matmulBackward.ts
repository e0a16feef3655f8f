/**
 * Backward of the batched matmul (reference: matmulBackward in src/model/reference/matmul.ts).
 * Each gradient is itself a matmul, recorded with the forward kernel in another form:
 *   NN: dA = dout · B^T (NT),   dB = A^T · dout (TN)
 *   NT: dA = dout · B   (NN),   dB = dout^T · A (TN)
 *   TN: dA = B · dout^T (NT),   dB = A · dout   (NN)
 * dbias (N) = column sums of dout over batch * M rows ascending, in f32, then stored.
 * Every gradient is a matmul output: one rounding to its storage format, counted.
 */
import type { FormatName } from '../../../numerics';
import type { GpuContext } from '../../device';
import type { PipelineCache } from '../../pipelines';
import type { Tensor } from '../../tensor';
import type { EventCounting } from '../counters';
import type { CompiledKernel } from '../kernel';
import type { MatmulVariant } from './descriptors';
import {
  compileBiasGrad,
  compileMatmul,
  recordBiasGrad,
  recordMatmulForward,
  type MatmulCounting,
  type MatmulForm,
  type MatmulShape,
} from './matmul';

export interface MatmulBackwardFormats {
  dout: FormatName;
  a: FormatName;
  b: FormatName;
  /** Each present gradient gets a kernel; an absent one is not computed. */
  da?: FormatName;
  db?: FormatName;
  dbias?: FormatName;
}

export interface MatmulBackwardKernels {
  form: MatmulForm;
  da?: CompiledKernel;
  db?: CompiledKernel;
  dbias?: CompiledKernel;
}

/** Event groups per gradient; `group` is the default for the ones not named. */
export interface MatmulBackwardCounting extends MatmulCounting {
  groups?: Partial<Record<'da' | 'db' | 'dbias', number>>;
}

/** Which operands each gradient's matmul takes, in which form and with which sizes. */
function gradPlan(form: MatmulForm, M: number, N: number, K: number) {
  if (form === 'NN')
    return {
      da: { form: 'NT', a: 'dout', b: 'b', M, N: K, K: N },
      db: { form: 'TN', a: 'a', b: 'dout', M: K, N, K: M },
    } as const;
  if (form === 'NT')
    return {
      da: { form: 'NN', a: 'dout', b: 'b', M, N: K, K: N },
      db: { form: 'TN', a: 'dout', b: 'a', M: N, N: K, K: M },
    } as const;
  return {
    da: { form: 'NT', a: 'b', b: 'dout', M: K, N: M, K: N },
    db: { form: 'NN', a: 'a', b: 'dout', M: K, N, K: M },
  } as const;
}

export async function compileMatmulBackward(
  ctx: GpuContext,
  cache: PipelineCache,
  variant: MatmulVariant,
  form: MatmulForm,
  formats: MatmulBackwardFormats,
  counting?: EventCounting,
): Promise<MatmulBackwardKernels> {
  const plan = gradPlan(form, 1, 1, 1);
  const operand = { dout: formats.dout, a: formats.a, b: formats.b };
  const [da, db, dbias] = await Promise.all([
    formats.da === undefined
      ? undefined
      : compileMatmul(
          ctx,
          cache,
          variant,
          { a: operand[plan.da.a], b: operand[plan.da.b], out: formats.da },
          counting,
        ),
    formats.db === undefined
      ? undefined
      : compileMatmul(
          ctx,
          cache,
          variant,
          { a: operand[plan.db.a], b: operand[plan.db.b], out: formats.db },
          counting,
        ),
    formats.dbias === undefined
      ? undefined
      : compileBiasGrad(ctx, cache, false, formats.dout, formats.dbias, counting),
  ]);
  return { form, da, db, dbias };
}

/** Records the gradients the kernels were compiled for; each given tensor is overwritten. */
export function recordMatmulBackward(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  kernels: MatmulBackwardKernels,
  tensors: {
    dout: Tensor;
    a: Tensor;
    b: Tensor;
    da?: Tensor | null;
    db?: Tensor | null;
    dbias?: Tensor | null;
  },
  shape: MatmulShape,
  counting?: MatmulBackwardCounting,
): void {
  if (shape.form !== kernels.form) {
    throw new Error(
      `These matmul backward kernels were compiled for form ${kernels.form} but the shape says ${shape.form}: compile them for ${shape.form}.`,
    );
  }
  const { M, N, K } = shape;
  const batch = shape.batch ?? 1;
  const plan = gradPlan(shape.form, M, N, K);
  const operands = { dout: tensors.dout, a: tensors.a, b: tensors.b };
  const countingFor = (g: 'da' | 'db' | 'dbias'): MatmulCounting | undefined =>
    counting && { counters: counting.counters, group: counting.groups?.[g] ?? counting.group };
  for (const g of ['da', 'db'] as const) {
    const out = tensors[g];
    const kernel = kernels[g];
    if (!out) continue;
    if (!kernel) {
      throw new Error(
        `${g} was given but no kernel was compiled for it: pass formats.${g} to compileMatmulBackward.`,
      );
    }
    const p = plan[g];
    recordMatmulForward(
      target,
      kernel,
      { out, a: operands[p.a], b: operands[p.b] },
      { form: p.form, M: p.M, N: p.N, K: p.K, batch },
      countingFor(g),
    );
  }
  if (tensors.dbias) {
    if (!kernels.dbias) {
      throw new Error(
        'dbias was given but no kernel was compiled for it: pass formats.dbias to compileMatmulBackward.',
      );
    }
    recordBiasGrad(
      target,
      kernels.dbias,
      { out: tensors.dbias, dout: tensors.dout },
      batch * M,
      N,
      1,
      countingFor('dbias'),
    );
  }
}
