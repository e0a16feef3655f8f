/**
 * TensorBoard's loss smoothing: an exponential moving average with weight w in [0, 1), debiased
 * by 1 - w^k after k finite values so the curve starts at the data rather than at 0. Non-finite
 * values are skipped (the smoothed value carries over); before the first finite value it is NaN.
 */
export function emaSmooth(values: { length: number; get(i: number): number } | ArrayLike<number>, weight: number): Float64Array {
  const get = 'get' in values ? (i: number) => values.get(i) : (i: number) => (values as ArrayLike<number>)[i];
  const out = new Float64Array(values.length);
  let acc = 0;
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = get(i);
    if (Number.isFinite(v)) {
      acc = weight * acc + (1 - weight) * v;
      k++;
    }
    out[i] = k === 0 ? NaN : weight === 0 ? acc : acc / (1 - weight ** k);
  }
  return out;
}
