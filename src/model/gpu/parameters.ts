/**
 * The model's parameter-sized GPU buffers: flat tensors in the layouts of layout.ts, allocated
 * once, with named views per tensor and layer (llm.c's params_memory + param views).
 *
 *   master  (P) f32 weights, updated by AdamW          fp32 and autocast recipes
 *   pure    (P) weights in the pure format             bf16-pure (no f32 copy anywhere)
 *   copy    (Pc) the matmul weights in the low format, written by the optimizer's cast
 *   grads   (P) gradients as the optimizer reads them: f32, or the pure format
 *   gradsLow  (Pc) 16-bit gradients the backward writes for the cast tensors (autocast)
 *   gradsWide (Pw) scaled f32 gradients of the other tensors (loss scaling only)
 *   moments (2, P) f32: AdamW's exp_avg, exp_avg_sq
 * P, Pc, Pw: the padded totals of the full, cast and wide layouts.
 *
 * Memory categories (BufferPool): master_weights, low_precision_weights, gradients,
 * optimizer_state.
 */
import { createTensor, type BufferPool, type Tensor } from '../../gpu';
import type { ParameterName } from '../reference';
import type { ModelFormats } from './compile';
import { gpuSlices, subLayout, type GpuSlice, type SubLayout } from './layout';
import { castsWeights, isPurePolicy, type ModelPolicy } from './policy';
import { viewOf, type TensorView } from './views';
import type { ParameterLayout } from '../reference';

export type SliceViews = Readonly<Record<ParameterName, readonly TensorView[]>>;

export interface ParameterBuffers {
  readonly slices: readonly GpuSlice[];
  /** Padded elements of the full layout (P). */
  readonly total: number;
  readonly cast: SubLayout | null;
  readonly wide: SubLayout | null;
  readonly master: Tensor | null;
  readonly pure: Tensor | null;
  readonly copy: Tensor | null;
  readonly grads: Tensor;
  readonly gradsLow: Tensor | null;
  readonly gradsWide: Tensor | null;
  readonly moments: Tensor;
  /** Each tensor as the forward and backward read it: views[name][l]. */
  readonly weights: SliceViews;
  /** Where the backward writes each tensor's gradient. */
  readonly gradOut: SliceViews;
}

/** Whether a slice is read from the low copy (autocast recipes). */
export function isCastSlice(p: ModelPolicy, s: GpuSlice): boolean {
  return castsWeights(p) && (s.kind === 'matmul' || (s.kind === 'router' && p.router !== 'fp32'));
}

export function allocateParameters(
  pool: BufferPool,
  layout: ParameterLayout,
  L: number,
  p: ModelPolicy,
  f: ModelFormats,
  label: string,
): ParameterBuffers {
  const { slices, total } = gpuSlices(layout, L);
  const cast = castsWeights(p) ? subLayout(slices, (s) => isCastSlice(p, s)) : null;
  const scaled = p.scaler !== null;
  const wide = cast && scaled ? subLayout(slices, (s) => !isCastSlice(p, s)) : null;
  const pure = isPurePolicy(p);
  const flat = (storage: Tensor['storage'], n: number, what: string, category: string) =>
    createTensor(pool, { shape: [n], storage, label: `${label} ${what}`, category });
  const master = pure ? null : flat('fp32', total, 'master weights', 'master_weights');
  const pureWeights = pure ? flat(p.weights, total, 'weights', 'low_precision_weights') : null;
  const copy = cast ? flat(f.S, cast.total, 'weights cast', 'low_precision_weights') : null;
  const grads = flat(f.full, total, 'gradients', 'gradients');
  const gradsLow = cast ? flat(f.S, cast.total, 'gradients (low)', 'gradients') : null;
  const gradsWide = wide ? flat('fp32', wide.total, 'gradients (scaled f32)', 'gradients') : null;
  const moments = createTensor(pool, {
    shape: [2, total],
    storage: 'fp32',
    label: `${label} adamw moments`,
    category: 'optimizer_state',
  });
  const views = (pick: (s: GpuSlice) => { t: Tensor; offset: number }): SliceViews => {
    const out = {} as Record<ParameterName, TensorView[]>;
    for (const s of slices) {
      const { t, offset } = pick(s);
      (out[s.name] ??= []).push(viewOf(t, offset, s.size, s.shape, `${t.label} ${s.label}`));
    }
    return out;
  };
  const full = (pure ? pureWeights : master) as Tensor;
  const weights = views((s) =>
    copy && cast && isCastSlice(p, s) ? { t: copy, offset: cast.offsets[s.index] } : { t: full, offset: s.offset },
  );
  const gradOut = views((s) => {
    if (gradsLow && cast && isCastSlice(p, s)) return { t: gradsLow, offset: cast.offsets[s.index] };
    if (gradsWide && wide) return { t: gradsWide, offset: wide.offsets[s.index] };
    return { t: grads, offset: s.offset };
  });
  return {
    slices,
    total,
    cast,
    wide,
    master,
    pure: pureWeights,
    copy,
    grads,
    gradsLow,
    gradsWide,
    moments,
    weights,
    gradOut,
  };
}

export function parameterTensors(b: ParameterBuffers): Tensor[] {
  return [b.master, b.pure, b.copy, b.grads, b.gradsLow, b.gradsWide, b.moments].filter(
    (t): t is Tensor => t !== null,
  );
}
