/**
 * Expert load as a heatmap: for one lane and one layer, the share of (token, slot) assignments
 * each expert received, averaged over buckets of consecutive steps so the map has at most
 * `maxColumns` columns however long the run. A uniform router gives every cell 1/E.
 */
export interface HeatColumn {
  /** Steps covered, inclusive. */
  fromStep: number;
  toStep: number;
  /** (E) shares summing to 1 (or NaN where the bucket has no load). */
  shares: number[];
}

export interface LoadSource {
  /** Steps recorded. */
  n: number;
  step(i: number): number;
  /** Assignments to expert e at record i. */
  load(i: number, e: number): number;
}

export function loadHeatmap(src: LoadSource, experts: number, maxColumns: number): HeatColumn[] {
  const { n } = src;
  if (n === 0 || experts === 0) return [];
  const columns = Math.max(1, Math.min(n, maxColumns));
  const out: HeatColumn[] = [];
  for (let c = 0; c < columns; c++) {
    const start = Math.floor((c * n) / columns);
    const end = Math.floor(((c + 1) * n) / columns);
    const sums = new Array<number>(experts).fill(0);
    for (let i = start; i < end; i++) {
      for (let e = 0; e < experts; e++) {
        const v = src.load(i, e);
        if (Number.isFinite(v)) sums[e] += v;
      }
    }
    const total = sums.reduce((a, b) => a + b, 0);
    out.push({
      fromStep: src.step(start),
      toStep: src.step(end - 1),
      shares: sums.map((s) => (total > 0 ? s / total : NaN)),
    });
  }
  return out;
}
