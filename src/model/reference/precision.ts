/**
 * The one place where the CPU reference decides how values are rounded (DESIGN.md §2, autocast).
 *
 * Every op takes a `Precision` and applies exactly two kinds of rounding:
 *  - `round(x)`: after every arithmetic operation a GPU kernel does in f32 (a product, a sum, an
 *    exp, a division...). Identity under `F64`, `Math.fround` otherwise. No fused multiply-add is
 *    assumed: `acc + a * b` is `round(acc + round(a * b))`.
 *  - `store(x)`: where a kernel WRITES a tensor in the storage format (activations, activation
 *    gradients, every matmul output including weight and bias gradients). Identity under `F64`,
 *    `Math.fround` under `F32`, numerics' bit-exact round-to-nearest-even for fp16 / bf16.
 *
 * Buffers: a `Buf` is a Float32Array or a Float64Array. Under `F64` use Float64Array (`alloc`
 * does), otherwise Float32Array; every value written has already been rounded by the policy, so
 * writing it into a Float32Array is exact. Reductions run in a fixed order: sums over k (or rows,
 * tokens, channels) ascending, so every result is deterministic.
 *
 * Scalars derived from hyperparameters (1/sqrt(hd), dloss/N, alpha*E, AdamW bias corrections) are
 * computed in double and rounded once with `round`, as a host uploads them as f32 uniforms.
 */
import { rounderTo, type FormatName } from '../../numerics';

export type Buf = Float32Array | Float64Array;

export interface Precision {
  /** 'f64' (gradient checks), 'fp32', 'fp16' or 'bf16' (the storage format). */
  readonly name: 'f64' | FormatName;
  /** Storage format of written tensors; null under F64 (nothing is rounded). */
  readonly storage: FormatName | null;
  /** Rounding of one f32 arithmetic result. */
  readonly round: (x: number) => number;
  /** Rounding of a value written to a tensor stored in the storage format. */
  readonly store: (x: number) => number;
  /** A zeroed buffer of n values of the policy's array type. */
  readonly alloc: (n: number) => Buf;
}

const identity = (x: number): number => x;
const alloc32 = (n: number): Buf => new Float32Array(n);

/** No rounding at all: the math as written, for finite-difference gradient checks. */
export const F64: Precision = {
  name: 'f64',
  storage: null,
  round: identity,
  store: identity,
  alloc: (n) => new Float64Array(n),
};

/** Everything in f32, as the fp32 recipe on a GPU. */
export const F32: Precision = {
  name: 'fp32',
  storage: 'fp32',
  round: Math.fround,
  store: Math.fround,
  alloc: alloc32,
};

/**
 * Autocast with tensors stored in `format`: f32 arithmetic, stored tensors rounded to the format.
 * `storagePolicy('fp32')` is `F32`.
 */
export function storagePolicy(format: FormatName): Precision {
  if (format === 'fp32') return F32;
  return {
    name: format,
    storage: format,
    round: Math.fround,
    // The value is an f32 result already, so this is the single f32 -> format rounding a kernel
    // does (numerics' fast path, bit-identical to roundTo).
    store: rounderTo(format),
    alloc: alloc32,
  };
}

/** dst[i] = store(src[i]): the per-step cast of f32 master weights to the storage format. */
export function castInto(p: Precision, dst: Buf, src: Buf, n: number = src.length): void {
  for (let i = 0; i < n; i++) dst[i] = p.store(src[i]);
}

/** dst[i] = store(round(dst[i] + src[i])): gradient of a tensor read by two consumers. */
export function addInto(p: Precision, dst: Buf, src: Buf, n: number = dst.length): void {
  for (let i = 0; i < n; i++) dst[i] = p.store(p.round(dst[i] + src[i]));
}

/**
 * Residual connection, forward: out = store(round(a + b)). Its backward is the identity for both
 * inputs, so the model passes the same gradient buffer on (the layer norm backward adds into it).
 */
export function residualForward(
  p: Precision,
  out: Buf,
  a: Buf,
  b: Buf,
  n: number = out.length,
): void {
  for (let i = 0; i < n; i++) out[i] = p.store(p.round(a[i] + b[i]));
}
