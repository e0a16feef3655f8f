/**
 * Min/max-preserving down-sampling for drawing: n points become at most `maxPoints` by cutting
 * the index range into maxPoints/3 buckets and keeping, in index order, each bucket's lowest and
 * highest finite point (and its first non-finite one, a gap marker, so the drawn line breaks
 * there too). Spikes (an overflow, a skipped step) survive at any zoom; the full series stays in
 * the store.
 */
export interface Points {
  xs: number[];
  ys: number[];
}

/** Accessors rather than arrays, so chunked columns are read in place. */
export interface PointSource {
  n: number;
  x(i: number): number;
  y(i: number): number;
}

export const MAX_POINTS_PER_LINE = 2000;

export function downsampleMinMax(src: PointSource, maxPoints = MAX_POINTS_PER_LINE): Points {
  const { n } = src;
  const xs: number[] = [];
  const ys: number[] = [];
  const emit = (i: number): void => {
    const y = src.y(i);
    xs.push(src.x(i));
    ys.push(Number.isFinite(y) ? y : NaN);
  };
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) emit(i);
    return { xs, ys };
  }
  // Up to three points per bucket: its lowest, its highest and its first gap, in index order.
  const buckets = Math.max(1, Math.floor(maxPoints / 3));
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let lo = -1;
    let hi = -1;
    let gap = -1;
    for (let i = start; i < end; i++) {
      const y = src.y(i);
      if (!Number.isFinite(y)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (lo < 0 || y < src.y(lo)) lo = i;
      if (hi < 0 || y > src.y(hi)) hi = i;
    }
    const keep = [...new Set([lo, hi, gap].filter((i) => i >= 0))].sort((a, c) => a - c);
    for (const i of keep) emit(i);
  }
  return { xs, ys };
}

/** A source over plain arrays. */
export function arraySource(xs: ArrayLike<number>, ys: ArrayLike<number>): PointSource {
  return { n: Math.min(xs.length, ys.length), x: (i) => xs[i], y: (i) => ys[i] };
}
