/**
 * Gradient norms, clipping and unscaling on a flat gradient buffer.
 *
 * Precision: f32 with a fixed order. A tensor's sum of squares runs over its elements ascending:
 * s = round(s + round(g * g)); its norm is round(sqrt(s)). The global norm is
 * round(sqrt(S)) with S = f32 sum of the tensors' sums of squares in table order. The inf/NaN
 * flag looks at the elements themselves (as GradScaler does), so it stays meaningful when a
 * finite but huge gradient makes the f32 sum of squares overflow to inf.
 * Clipping follows torch.nn.utils.clip_grad_norm_: coef = round(maxNorm / round(norm + 1e-6)),
 * clamped to at most 1, and every gradient is multiplied by it (g = round(g * coef)).
 * Unscaling (GradScaler.unscale_): g = round(g * invScale), foundInf if any g was inf/NaN.
 */
import type { Buf, Precision } from './precision';

export interface TensorSpan {
  readonly offset: number;
  readonly size: number;
}

export interface GradNormResult {
  /** Global L2 norm, f32. */
  norm: number;
  /** True when every gradient element is finite. */
  finite: boolean;
}

/**
 * Per-tensor norms into perTensor (one per span) and the global norm over all spans.
 * grads: flat buffer; spans: the tensors' {offset, size} in table order.
 */
export function gradNorms(
  p: Precision,
  grads: Buf,
  spans: readonly TensorSpan[],
  perTensor: Buf | null,
): GradNormResult {
  const r = p.round;
  let total = 0;
  let finite = true;
  for (let j = 0; j < spans.length; j++) {
    const { offset, size } = spans[j];
    let s = 0;
    for (let i = offset; i < offset + size; i++) {
      const g = grads[i];
      if (!Number.isFinite(g)) finite = false;
      s = r(s + r(g * g));
    }
    if (perTensor) perTensor[j] = r(Math.sqrt(s));
    total = r(total + s);
  }
  return { norm: r(Math.sqrt(total)), finite };
}

/** Global norm of grads[0 .. n) as one tensor. */
export function globalNorm(p: Precision, grads: Buf, n: number = grads.length): GradNormResult {
  return gradNorms(p, grads, [{ offset: 0, size: n }], null);
}

/** Scales grads (n) in place so their global norm is at most maxNorm; returns the factor used. */
export function clipByGlobalNorm(
  p: Precision,
  grads: Buf,
  norm: number,
  maxNorm: number,
  n: number = grads.length,
): number {
  const r = p.round;
  const coef = Math.min(r(r(maxNorm) / r(norm + r(1e-6))), 1);
  for (let i = 0; i < n; i++) grads[i] = r(grads[i] * coef);
  return coef;
}

/** grads (n) *= invScale in place; foundInf when any scaled gradient was inf or NaN. */
export function unscaleGrads(
  p: Precision,
  grads: Buf,
  invScale: number,
  n: number = grads.length,
): { foundInf: boolean } {
  const r = p.round;
  let foundInf = false;
  for (let i = 0; i < n; i++) {
    const g = grads[i];
    if (!Number.isFinite(g)) foundInf = true;
    grads[i] = r(g * invScale);
  }
  return { foundInf };
}
